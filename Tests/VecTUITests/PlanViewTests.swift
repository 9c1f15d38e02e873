import Foundation
import Testing

@testable import VecCore
@testable import VecTUI

/// The plan parameter, the exact-rank column, the missed neighbours and the plan warnings on screen.
@Suite struct PlanViewTests {
    static let hnsw = PlannableIndex(
        name: "ae_hnsw_cosine_m", type: .hnsw, metric: .cosine, table: .artifactEmbeddings, model: "m")
    static let ivfflat = PlannableIndex(
        name: "ae_ivfflat_cosine_m", type: .ivfflat, metric: .cosine, table: .artifactEmbeddings, model: "m")

    @Test func planCyclesAutoThroughTheModelsIndexesToExact() {
        let choices = ParameterChoices(users: [], models: ["m", "other"], indexes: ["m": [Self.hnsw, Self.ivfflat]])
        var params = SearchParams()
        params.model = "m"
        var seen: [PlanChoice] = []
        for _ in 0..<4 {
            params = TunableParameter.plan.adjusted(params, direction: 1, large: false, choices: choices)
            seen.append(params.plan)
        }
        #expect(seen == [.index(Self.hnsw.name), .index(Self.ivfflat.name), .exact, .auto])
        params.plan = .index(Self.hnsw.name)
        let otherModel = TunableParameter.model.adjusted(params, direction: 1, large: false, choices: choices)
        #expect(otherModel.model == "other")
        #expect(otherModel.plan == .auto)
        #expect(TunableParameter.plan.value(in: params) == Self.hnsw.name)
    }

    /// The text of the "ex" column in the row containing `text` (ASCII rows: characters are columns).
    static func exactRankCell(_ grid: CellGrid, row text: String) -> String? {
        guard let header = grid.row(containing: " ex "), let row = grid.row(containing: text),
            let range = header.range(of: " ex ")
        else { return nil }
        let start = header.distance(from: header.startIndex, to: range.lowerBound)
        let cells = Array(row)
        return String(cells[start..<min(cells.count, start + 3)]).trimmingCharacters(in: .whitespaces)
    }

    @Test func resultsShowEachRowsExactRankAndTheNeighboursTheIndexMissed() {
        var state = Fixture.searched(ids: [1, 2, 5], size: Size(width: 120, height: 30))
        #expect(Self.exactRankCell(render(state), row: "Kubernetes operator") == "…")
        let measurement = RecallMeasurement(
            k: 10, recall: 0.2, exactIDs: [1, 3, 4, 2, 6, 7, 8, 9, 10, 11],
            missed: [MissedNeighbour(artifactID: 3, exactRank: 2, externalID: "a3", title: "Staff engineer, payments")])
        _ = reduce(&state, .recallMeasured(.a, generation: 1, .success(measurement)))
        let grid = render(state)
        #expect(Self.exactRankCell(grid, row: "Kubernetes operator") == "1")
        #expect(Self.exactRankCell(grid, row: "Vector search at scale") == "4")
        #expect(Self.exactRankCell(grid, row: "Talk: tuning HNSW") == ">10")
        #expect(grid.contains("missed by the index (exact rank, id): 2 a3 Staff engineer, payments"))
    }

    @Test func theWarningLineSaysWhenAKnobCannotMatterUnderTheScanThatRan() {
        var state = Fixture.searched(ids: Array(1...10), size: Size(width: 120, height: 30))
        state.focus = .parameters
        state.parameterSelection = TunableParameter.allCases.firstIndex(of: .probes) ?? 0
        state.choices = ParameterChoices(indexes: [SearchParams.defaultModel: [Self.hnsw]])
        let line = render(state).lines()[29]
        #expect(line.contains("⚠ probes cannot matter: the plan is HNSW artifact_embeddings_minilm_hnsw"))
    }
}

/// "More like this" (m) on a result: its `@user/id` becomes the query and runs at once.
@Suite struct MoreLikeThisKeyTests {
    @Test func mSearchesWithTheSelectedResultsStoredVector() {
        var state = Fixture.searched(ids: [4, 2, 9])
        state.focus = .results
        _ = reduce(&state, .key(.down))
        let effects = reduce(&state, .key(.char("m")))
        #expect(state.editor.trimmedText == "@u01/a2")
        #expect(state.focus == .results)
        guard
            case .runSearch(.a, _, let text, _)? = effects.first(where: {
                if case .runSearch = $0 { true } else { false }
            })
        else {
            Issue.record("m did not run a search: \(effects)")
            return
        }
        #expect(text == "@u01/a2")
    }
}

/// A sweep of ef_search measures one HNSW index, pinned and named, whatever the planner would pick per value.
@Suite struct SweepPinTests {
    @Test func theSweepPinsTheModelsHNSWIndexWhenThePlanWasAuto() {
        var state = Fixture.searched(ids: Array(1...10), size: Size(width: 120, height: 40))
        let hnsw = PlannableIndex(
            name: "ae_hnsw_cosine_all_minilm_l6_v2", type: .hnsw, metric: .cosine, table: .artifactEmbeddings,
            model: SearchParams.defaultModel)
        state.choices = ParameterChoices(indexes: [SearchParams.defaultModel: [PlanViewTests.ivfflat, hnsw]])
        state.focus = .results
        let effects = reduce(&state, .key(.char("s")))
        guard case .runSweep(let id, _, let params, let knob, _)? = effects.last else {
            Issue.record("s did not start a sweep: \(effects)")
            return
        }
        #expect(params.plan == .index(hnsw.name))
        #expect(knob == .efSearch)
        #expect(state.sideA.params.plan == .auto)
        #expect(render(state).contains("index ae_hnsw_cosine_all_minilm_l6_v2 (HNSW, pinned)"))
        // Reopening the view while it runs shows the same sweep instead of starting another.
        _ = reduce(&state, .key(.escape))
        #expect(reduce(&state, .key(.char("s"))).isEmpty)
        #expect(state.sweep?.id == id)
    }
}

extension SweepPinTests {
    @Test func aSweepIsMarkedStaleOnceTheModelsIndexesChange() {
        var state = Fixture.searched(ids: Array(1...10), size: Size(width: 120, height: 40))
        state.choices = ParameterChoices(indexes: [SearchParams.defaultModel: [PlanViewTests.hnsw]])
        state.focus = .results
        guard case .runSweep(let id, _, _, _, _)? = reduce(&state, .key(.char("s"))).last else {
            Issue.record("no sweep started")
            return
        }
        let point = SweepPoint(value: 40, recall: 1, p50Ms: 1, p95Ms: 2)
        _ = reduce(&state, .sweepFinished(id: id, .success([point])))
        #expect(!render(state).contains("stale: the indexes changed"))
        _ = reduce(
            &state,
            .choicesLoaded(
                ParameterChoices(indexes: [SearchParams.defaultModel: [PlanViewTests.hnsw, PlanViewTests.ivfflat]])))
        #expect(render(state).contains("stale: the indexes changed · r reruns"))
    }
}

extension SweepPinTests {
    /// Pinned to an IVFFlat index, s sweeps probes (ef_search cannot matter there) and names the index; Enter
    /// applies the selected point's probes.
    @Test func anIVFFlatPlanSweepsProbes() {
        var state = Fixture.searched(ids: Array(1...10), size: Size(width: 120, height: 40))
        state.choices = ParameterChoices(
            indexes: [SearchParams.defaultModel: [PlanViewTests.hnsw, PlanViewTests.ivfflat]])
        state.sideA.params.plan = .index(PlanViewTests.ivfflat.name)
        state.sideA.params.probes = 3
        state.focus = .results
        let effects = reduce(&state, .key(.char("s")))
        guard case .runSweep(let id, _, let params, let knob, let values)? = effects.last else {
            Issue.record("s did not start a sweep: \(effects)")
            return
        }
        #expect(knob == .probes)
        #expect(params.plan == .index(PlanViewTests.ivfflat.name))
        #expect(values == [1, 2, 3, 4, 8, 16, 32, 64, 128])
        let points = [1, 3, 8].map {
            SweepPoint(value: $0, recall: Double($0) / 8, p50Ms: Double($0), p95Ms: Double($0))
        }
        _ = reduce(&state, .sweepFinished(id: id, .success(points)))
        let screen = render(state)
        #expect(screen.contains("Sweep probes · recall@10 vs p95 latency"))
        #expect(screen.contains("index \(PlanViewTests.ivfflat.name) (IVFFlat, pinned)"))
        #expect(screen.contains("prb recall    p50    p95"))
        #expect(screen.contains("◆   3   0.38   3.00   3.00"))
        _ = reduce(&state, .key(.right))
        _ = reduce(&state, .key(.enter))
        #expect(state.sideA.params.probes == 8)
        #expect(state.sideA.params.efSearch == 40)
        #expect(state.message?.text.hasPrefix("probes 8: recall 1.00") == true)
    }

    /// Under auto, the index the results ran on decides: an IVFFlat scan sweeps probes over that index.
    @Test func autoSweepsTheIndexTheResultsRanOn() {
        var state = Fixture.searched(ids: Array(1...10), size: Size(width: 120, height: 40))
        state.choices = ParameterChoices(
            indexes: [SearchParams.defaultModel: [PlanViewTests.hnsw, PlanViewTests.ivfflat]])
        state.sideA.results.response?.info.indexName = PlanViewTests.ivfflat.name
        #expect(Reducer.sweptPlan(state) == (.index(PlanViewTests.ivfflat.name), .probes))
        state.sideA.results.response?.info.indexName = nil
        #expect(Reducer.sweptPlan(state) == (.index(PlanViewTests.hnsw.name), .efSearch))
        state.choices = ParameterChoices(indexes: [SearchParams.defaultModel: [PlanViewTests.ivfflat]])
        #expect(Reducer.sweptPlan(state) == (.index(PlanViewTests.ivfflat.name), .probes))
        state.choices = ParameterChoices()
        #expect(Reducer.sweptPlan(state) == (.auto, .efSearch))
    }

    /// A finished sweep is stale once the data differs from the data it started on (a load between two reads),
    /// not only when the index list changes.
    @Test func aSweepIsMarkedStaleOnceTheDataChanges() {
        var state = Fixture.searched(ids: Array(1...10), size: Size(width: 80, height: 24))
        state.choices = ParameterChoices(indexes: [SearchParams.defaultModel: [PlanViewTests.hnsw]])
        state.focus = .results
        let effects = reduce(&state, .key(.char("s")))
        guard case .runSweep(let id, _, _, _, _)? = effects.last else {
            Issue.record("no sweep started")
            return
        }
        #expect(effects.contains(.checkSweepData(id: id, model: SearchParams.defaultModel)))
        let before = DataVersion(artifacts: 252, vectors: 504)
        _ = reduce(&state, .sweepDataChecked(id: id, before))
        let finished = reduce(
            &state, .sweepFinished(id: id, .success([SweepPoint(value: 40, recall: 1, p50Ms: 1, p95Ms: 2)])))
        #expect(finished == [.checkSweepData(id: id, model: SearchParams.defaultModel)])
        _ = reduce(&state, .sweepDataChecked(id: id, before))
        #expect(!render(state).contains("stale"))
        #expect(render(state).contains("index ae_hnsw_cosine_m (HNSW, pinned) · 252 artifacts, 504 vectors"))
        _ = reduce(&state, .sweepDataChecked(id: id + 1, DataVersion(artifacts: 253, vectors: 506)))  // another's
        #expect(!render(state).contains("stale"))
        _ = reduce(&state, .sweepDataChecked(id: id, DataVersion(artifacts: 253, vectors: 506)))
        // At 80 columns the title gives way so the mark fits on the border.
        #expect(render(state).trimmedLines[5].contains("─ stale: the data changed · r reruns ─"))
    }
}
