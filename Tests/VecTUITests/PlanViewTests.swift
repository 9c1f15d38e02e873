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
        guard case .runSweep(_, _, let params, _)? = effects.last else {
            Issue.record("s did not start a sweep: \(effects)")
            return
        }
        #expect(params.plan == .index(hnsw.name))
        #expect(state.sideA.params.plan == .auto)
        #expect(render(state).contains("pinned ae_hnsw_cosine_all_minilm_l6_v2"))
        // Reopening the view for the same query and parameters shows the same sweep instead of starting another.
        _ = reduce(&state, .key(.escape))
        #expect(reduce(&state, .key(.char("s"))).isEmpty)
    }
}

extension SweepPinTests {
    @Test func aSweepIsMarkedStaleOnceTheModelsIndexesChange() {
        var state = Fixture.searched(ids: Array(1...10), size: Size(width: 120, height: 40))
        state.choices = ParameterChoices(indexes: [SearchParams.defaultModel: [PlanViewTests.hnsw]])
        state.focus = .results
        guard case .runSweep(let id, _, _, _)? = reduce(&state, .key(.char("s"))).last else {
            Issue.record("no sweep started")
            return
        }
        let point = SweepPoint(efSearch: 40, recall: 1, p50Ms: 1, p95Ms: 2)
        _ = reduce(&state, .sweepFinished(id: id, .success([point])))
        #expect(!render(state).contains("stale: the indexes changed"))
        _ = reduce(
            &state,
            .choicesLoaded(
                ParameterChoices(indexes: [SearchParams.defaultModel: [PlanViewTests.hnsw, PlanViewTests.ivfflat]])))
        #expect(render(state).contains("stale: the indexes changed · r reruns"))
    }
}
