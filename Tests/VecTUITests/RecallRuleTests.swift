import Testing

@testable import VecCore
@testable import VecTUI

/// The recall rule (VecCore's `RecallScope`) on both sides: semantic measures the ranking, hybrid its semantic
/// candidates (and says so), keyword nothing (n/a, never a spinner).
@Suite("Recall by method, on either side")
struct RecallRuleTests {
    /// A state whose side A searched "Go developer" with `method`; `effects` are those of the answer.
    private func searchedA(
        _ method: RankingMethod, candidates: [Int] = [1, 3, 5],
        size: Size = Size(width: 80, height: 24)
    ) -> (state: AppState, effects: [Effect]) {
        var state = AppState(size: size, connectionTarget: "localhost:5432/vecscope")
        state.database = .connected
        state.sideA.params.method = method
        _ = reduce(&state, .paste("Go developer"))
        _ = reduce(&state, .key(.ctrl("r")))
        var response = Fixture.response(ids: [3, 1, 2], params: state.sideA.params)
        response.info.semanticCandidateIDs = method == .keyword ? [] : candidates
        let effects = reduce(&state, .searchFinished(.a, generation: 1, .success(response)))
        return (state, effects)
    }

    /// `state` in compare mode with side B searched with `method`; `effects` are those of B's answer.
    private func searchedB(
        _ method: RankingMethod, size: Size = Size(width: 80, height: 24)
    )
        -> (state: AppState, effects: [Effect])
    {
        var (state, _) = searchedA(.semantic, size: size)
        state.focus = .results
        _ = reduce(&state, .key(.char("c")))
        state.compare?.sideB.params.method = method
        let started = reduce(&state, .key(.ctrl("r")))
        var effects: [Effect] = []
        for effect in started {
            switch effect {
            case .runSearch(let side, let generation, _, let params):
                let ids = side == .a ? Array(1...10) : [3, 1, 2, 11, 4, 5, 6, 7, 12, 8]
                var response = Fixture.response(ids: ids, params: params)
                response.info.semanticCandidateIDs = params.method == .keyword ? [] : [2, 4, 6]
                let answered = reduce(&state, .searchFinished(side, generation: generation, .success(response)))
                if side == .b { effects = answered }
                if side == .a {
                    let measured = RecallMeasurement(k: 10, recall: 0.9)
                    _ = reduce(&state, .recallMeasured(.a, generation: generation, .success(measured)))
                }
            default: break
            }
        }
        return (state, effects)
    }

    private func recallEffects(_ effects: [Effect]) -> [Effect] {
        effects.filter { if case .measureRecall = $0 { return true } else { return false } }
    }

    @Test func hybridOnSideAMeasuresItsSemanticCandidatesAndShowsTheNumber() {
        var (state, effects) = searchedA(.hybrid)
        #expect(
            recallEffects(effects) == [
                .measureRecall(
                    .a, generation: 1, text: "Go developer",
                    params: state.sideA.params, measuredIDs: [1, 3, 5])
            ])
        #expect(render(state).row(containing: "recall@10 (semantic candidates) …") != nil)
        let measured = RecallMeasurement(scope: .semanticCandidates, k: 10, recall: 0.8)
        _ = reduce(&state, .recallMeasured(.a, generation: 1, .success(measured)))
        #expect(state.sideA.results.recall == measured)
        #expect(render(state).trimmedLines[21].contains("│ recall@10 (semantic candidates) 0.80 │"))
    }

    @Test func keywordOnSideAShowsNotApplicableAndMeasuresNothing() {
        let (state, effects) = searchedA(.keyword)
        #expect(recallEffects(effects).isEmpty)
        let line = render(state).trimmedLines[21]
        #expect(line.contains("│ recall@10 n/a │"))
        #expect(!line.contains("…"))
    }

    @Test func semanticOnSideAMeasuresTheRankingAsBefore() {
        let (state, effects) = searchedA(.semantic)
        #expect(
            recallEffects(effects) == [
                .measureRecall(
                    .a, generation: 1, text: "Go developer",
                    params: state.sideA.params, measuredIDs: [3, 1, 2])
            ])
        #expect(render(state).trimmedLines[21].contains("│ recall@10 … │"))
    }

    @Test func hybridOnSideBMeasuresItsSemanticCandidatesAndShowsTheNumber() {
        var (state, effects) = searchedB(.hybrid)
        let asked = recallEffects(effects).first
        guard case .measureRecall(.b, let generation, "Go developer", let params, let ids)? = asked else {
            Issue.record("no recall asked for side B: \(effects)")
            return
        }
        #expect(params.method == .hybrid)
        #expect(ids == [2, 4, 6])
        let measured = RecallMeasurement(scope: .semanticCandidates, k: 10, recall: 0.6)
        _ = reduce(&state, .recallMeasured(.b, generation: generation, .success(measured)))
        #expect(state.compare?.sideB.results.recall == measured)
        #expect(state.sideA.results.recall?.recall == 0.9)
        // 80×24 with the parameters pane shown (p): each side has 24 columns, so B's label is the short one.
        state.focus = .parameters
        #expect(render(state).trimmedLines[17].contains("│semR@10 0.60 · 14.2 ms"))
    }

    @Test func hybridOnSideBSaysSemanticCandidatesWhereThereIsRoom() {
        var (state, effects) = searchedB(.hybrid, size: Size(width: 120, height: 40))
        guard case .measureRecall(.b, let generation, _, _, _)? = recallEffects(effects).first else {
            Issue.record("no recall asked for side B")
            return
        }
        _ = reduce(
            &state,
            .recallMeasured(
                .b, generation: generation,
                .success(RecallMeasurement(scope: .semanticCandidates, k: 10, recall: 0.6))))
        #expect(render(state).row(containing: "│recall@10 (semantic candidates) 0.60") != nil)
    }

    @Test func keywordOnSideBShowsNotApplicableAndMeasuresNothing() {
        let (state, effects) = searchedB(.keyword, size: Size(width: 120, height: 40))
        #expect(recallEffects(effects).isEmpty)
        #expect(render(state).row(containing: "│recall@10 n/a · client 14.2 ms") != nil)
    }
}
