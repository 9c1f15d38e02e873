import Foundation
import Testing

@testable import VecCore
@testable import VecTUI

/// Issue 18 in the TUI: the stored index tuning beside its knob (item 4).
@Suite struct IndexLabTests {
    static let tuning = IndexTuning(
        model: SearchParams.defaultModel, index: "ae_hnsw_cosine_all_minilm_l6_v2", knob: "ef_search", value: 64, k: 10,
        targetRecall: 0.95, recall: 0.97, p95Ms: 3)

    /// A searched state started the way `vecscope tui` starts it after `tune index --apply`: the tuned value is the
    /// default, and the tuning is known.
    static func tuned(size: Size = Size(width: 80, height: 24)) -> AppState {
        var state = Fixture.searched(size: size)
        var params = state.sideA.params
        Self.tuning.apply(to: &params)
        state.sideA.params = params
        state.defaults = params
        state.indexTuning = Self.tuning
        state.focus = .parameters
        state.parameterSelection = TunableParameter.allCases.firstIndex(of: .efSearch) ?? 0
        return state
    }

    @Test(arguments: [Size(width: 80, height: 24), Size(width: 160, height: 48)])
    func theTunedKnobSaysSoUntilItIsMovedAndResetBringsItBack(size: Size) {
        var state = Self.tuned(size: size)
        var grid = render(state)
        #expect(grid.row(containing: "ef_search")?.contains("ef_search       64 tuned") == true, "\(grid.lines())")
        #expect(grid.contains("tuned: ef_search 64 for") || grid.contains("tuned: ef_search 64 for recall@10 ≥ 0.95"))
        #expect(grid.contains("recall@10 ≥ 0.95"))
        _ = reduce(&state, .key(.right))
        grid = render(state)
        #expect(state.sideA.params.efSearch == 70)
        #expect(grid.row(containing: "ef_search")?.contains("ef_search       70 (tun") == true, "\(grid.lines())")
        #expect(grid.contains("moved off tuned 64"))
        #expect(!grid.contains("tuned: ef_search 64"))
        _ = reduce(&state, .key(.char("d")))
        #expect(state.sideA.params.efSearch == 64)
        #expect(render(state).row(containing: "ef_search")?.contains("64 tuned") == true)
    }

    @Test func anotherModelOrKnobShowsNoTuning() {
        var state = Self.tuned()
        #expect(state.tuningNote(for: .probes) == nil)
        #expect(state.tuningNote(for: .efSearch)?.inEffect == true)
        state.sideA.params.model = "synthetic-64"
        #expect(state.tuningNote(for: .efSearch) == nil)
        #expect(!render(state).contains("tuned"))
    }
}

/// Issue 18, item 5 in the TUI: a re-ranking depth for bit indexes, compare across variants with each side's index
/// size, and the create form's quantization.
@Suite struct IndexVariantTUITests {
    static let model = SearchParams.defaultModel
    static let full = PlannableIndex(
        name: "ae_hnsw_cosine_all_minilm_l6_v2", type: .hnsw, metric: .cosine, table: .artifactEmbeddings,
        model: model)
    static let bit = PlannableIndex(
        name: "ae_hnsw_bit_hamming_all_minilm_l6_v2", type: .hnsw, metric: nil, table: .artifactEmbeddings,
        model: model, quantization: .bit)
    static let choices = ParameterChoices(
        users: ["u01"], models: [model], indexes: [model: [full, bit]],
        indexSizes: [full.name: 1_650_000, bit.name: 100_000])

    static func searched(size: Size = Size(width: 80, height: 24)) -> AppState {
        var state = Fixture.searched(size: size)
        state.choices = Self.choices
        state.focus = .parameters
        state.selectParameter(.plan)
        return state
    }

    /// The search effect a key press started, with the parameters it sends to the engine.
    static func searchedParams(_ effects: [Effect]) -> SearchParams? {
        for effect in effects { if case .runSearch(_, _, _, let params) = effect { return params } }
        return nil
    }

    @Test func theReRankDepthIsShownOnlyUnderABitIndexAndReachesTheEngine() throws {
        var state = Self.searched()
        #expect(!state.visibleParameters.contains(.rerank))
        #expect(!render(state).contains("re-rank"))
        press(&state, .right)  // auto → the full-vector HNSW index
        press(&state, .right)  // → the bit index
        #expect(state.sideA.params.plan == .index(Self.bit.name))
        #expect(state.selectedParameter == .plan)  // the new row below does not move the selection
        let rows = state.visibleParameters
        #expect(rows[(rows.firstIndex(of: .plan) ?? 0) + 1] == .rerank)
        press(&state, .down)
        #expect(state.selectedParameter == .rerank)
        #expect(render(state).row(containing: "re-rank")?.contains("re-rank         4×") == true)
        #expect(render(state).contains("bit index: N × limit"))
        let effects = press(&state, .right)
        #expect(state.sideA.params.rerank == 8)
        #expect(Self.searchedParams(effects)?.rerank == 8)
        #expect(render(state).row(containing: "re-rank")?.contains("8×") == true)
        press(&state, Key(.right, .shift))
        #expect(state.sideA.params.rerank == 32)
        press(&state, .char("d"))
        #expect(state.sideA.params.rerank == nil && state.sideA.params.rerankDepth == 4)
        // Saved with the other parameters (tui-parameters.json is SearchParams as JSON).
        press(&state, .right)
        let saved = try JSONDecoder().decode(SearchParams.self, from: try JSONEncoder().encode(state.sideA.params))
        #expect(saved.rerank == 8 && saved.plan == .index(Self.bit.name))
        // Another plan: the row goes, and the selection stays on the plan.
        press(&state, .up, .right)
        #expect(state.sideA.params.plan == .exact)
        #expect(!state.visibleParameters.contains(.rerank) && state.selectedParameter == .plan)
    }

    @Test func theRowFollowsThePlanWhenSelectedBelowIt() {
        var state = Self.searched()
        state.sideA.params.plan = .index(Self.bit.name)
        state.selectParameter(.model)
        // A model change resets a pinned plan: the re-rank row goes, the selection stays on model.
        state.choices.models = [Self.model, "synthetic-64"]
        press(&state, .right)
        #expect(state.sideA.params.plan == .auto)
        #expect(state.selectedParameter == .model)
    }

    /// Compare A (full-vector HNSW) with B (bit + re-rank 4) on the current query: recall, latency and index size
    /// per side, at 80×24 and wider.
    @Test(arguments: [Size(width: 80, height: 24), Size(width: 160, height: 48)])
    func compareAcrossVariantsShowsRecallLatencyAndIndexSizePerSide(size: Size) throws {
        var state = Self.searched(size: size)
        state.sideA.params.plan = .index(Self.full.name)
        state.focus = .results
        press(&state, .char("c"))
        state.compare?.sideB.params.plan = .index(Self.bit.name)
        let effects = reduce(&state, .key(.ctrl("r")))
        for effect in effects {
            guard case .runSearch(let side, let generation, _, let params) = effect else { continue }
            let index = side == .a ? Self.full.name : Self.bit.name
            let ids = side == .a ? Array(1...10) : [1, 2, 3, 4, 5, 6, 7, 8, 9, 12]
            _ = reduce(
                &state,
                .searchFinished(
                    side, generation: generation,
                    .success(
                        Fixture.response(ids: ids, params: params, plan: "Index Scan using \(index)", index: index))))
            _ = reduce(
                &state,
                .recallMeasured(
                    side, generation: generation, .success(RecallMeasurement(k: 10, recall: side == .a ? 1 : 0.9))))
        }
        let grid = render(state)
        let footer = try #require(grid.row(containing: "1.6 MB"), "\(grid.lines())")
        let sides = footer.split(separator: "│").map(String.init)
        let a = try #require(sides.first { $0.contains("1.6 MB") })
        let b = try #require(sides.first { $0.contains("97.7 kB") }, "\(footer)")
        for (side, recall) in [(a, "1.00"), (b, "0.90")] {
            #expect(side.contains(recall) && side.contains("14.2 ms"), "\(side)")
            #expect(side.contains("index"), "\(side)")
        }
        #expect(grid.contains("B plan ae_hnsw_bit") || grid.contains("plan ae_hnsw_bit"))
    }

    static let halfvecModel = EmbeddingModel(
        name: "text-embedding-3-large", provider: .openai, dimensions: 3072, storage: .halfvec)

    @Test func theCreateFormOffersQuantizationAndRefusesWhatTheEngineWould() throws {
        var state = Fixture.searched()
        state.choices = ParameterChoices(models: [Self.model, Self.halfvecModel.name])
        state.focus = .results
        press(&state, .char("i"))
        let minilm = EmbeddingModel(name: Self.model, provider: .local, dimensions: 384, storage: .vector)
        _ = reduce(
            &state,
            .indexesLoaded(
                .success(
                    IndexInventory(
                        indexes: [], rowsByModel: [Self.model: 1104],
                        models: [Self.model: minilm, Self.halfvecModel.name: Self.halfvecModel]))))
        press(&state, .char("n"))
        var form = try #require(state.indexView.form)
        #expect(form.fields == [.model, .type, .metric, .m, .efConstruction, .quantization])
        var grid = render(state)
        #expect(grid.contains("quantization") && grid.contains("none (full vectors)"))
        for _ in 0..<5 { press(&state, .down) }
        #expect(state.indexView.form?.field == .quantization)
        press(&state, .right, .right)  // none → halfvec → bit
        form = try #require(state.indexView.form)
        #expect(form.request.quantization == .bit)
        #expect(!form.fields.contains(.metric))  // one distance for bit: Hamming
        grid = render(state)
        #expect(grid.contains("◀ bit ▶"))
        let effects = press(&state, .enter)
        #expect(effects == [.runIndexJob(.create(form.request))])
        #expect(render(state).contains("creating hnsw bit m 16 ef_construction 64 on all-MiniLM-L6-v2"))
        #expect(form.request.spec(for: minilm).name == "ae_hnsw_bit_hamming_all_minilm_l6_v2")
        // halfvec of a model already stored as halfvec: said in the form, and Enter builds nothing.
        _ = reduce(&state, .indexJobFinished(.success("built")))
        press(&state, .char("n"), .right)  // model → text-embedding-3-large
        for _ in 0..<5 { press(&state, .down) }
        press(&state, .right)  // → halfvec
        #expect(state.indexView.form?.request.quantization == .halfvec)
        #expect(render(state).contains("✖ text-embedding-3-large is indexed as halfvec already"))
        #expect(press(&state, .enter).isEmpty)
        #expect(state.message?.text.hasPrefix("cannot build: text-embedding-3-large is indexed as halfvec") == true)
        press(&state, .right)  // → bit: allowed up to 64,000 dimensions
        #expect(state.indexView.form?.request.problem(for: Self.halfvecModel) == nil)
        var wide = Self.halfvecModel
        wide.dimensions = 70_000
        #expect(
            state.indexView.form?.request.problem(for: wide)?.contains("over pgvector's 64000 for an indexed bit")
                == true)
    }

    @Test(arguments: [Size(width: 80, height: 24), Size(width: 160, height: 48)])
    func theIndexListNamesEachVariantBesideItsSize(size: Size) throws {
        func info(_ name: String, _ quantization: VectorQuantization, _ bytes: Int) -> VectorIndexInfo {
            var info = VectorIndexInfo(
                name: name, schema: "public", table: "artifact_embeddings", model: Self.model, type: "hnsw",
                opclass: quantization == .bit
                    ? "bit_hamming_ops" : quantization == .halfvec ? "halfvec_cosine_ops" : "vector_cosine_ops",
                m: 16, efConstruction: 64, lists: nil, sizeBytes: bytes, rows: 1104, scans: 3, valid: true,
                definition: "")
            info.quantization = quantization
            return info
        }
        var state = Fixture.searched(size: size)
        state.focus = .results
        press(&state, .char("i"))
        _ = reduce(
            &state,
            .indexesLoaded(
                .success(
                    IndexInventory(
                        indexes: [
                            info("ae_hnsw_cosine_all_minilm_l6_v2", .none, 1_650_000),
                            info("ae_hnsw_halfvec_cosine_all_minilm_l6_v2", .halfvec, 840_000),
                            info("ae_hnsw_bit_hamming_all_minilm_l6_v2", .bit, 100_000),
                        ], rowsByModel: [Self.model: 1104]))))
        let grid = render(state)
        #expect(grid.row(containing: "ae_hnsw_cosine")?.contains(" hnsw ") == true)
        let half = try #require(grid.row(containing: "ae_hnsw_halfvec"))
        #expect(half.contains("hnsw halfvec") && half.contains("820.3 kB"), "\(half)")
        let bit = try #require(grid.row(containing: "ae_hnsw_bit"))
        #expect(bit.contains("hnsw bit") && bit.contains("97.7 kB"), "\(bit)")
    }
}
