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
