import Foundation
import Testing

@testable import VecCore
@testable import VecTUI

@Suite("Renderer at 80×24")
struct Render80Tests {
    @Test func emptyStateExplainsWhatToDo() {
        let grid = render(AppState())
        #expect(grid.size == Size(width: 80, height: 24))
        #expect(grid.lines()[0].hasPrefix("┌─ vecscope — Query "))
        #expect(grid.contains("Press / to type a job description (Ctrl-T picks a fixture job)."))
        #expect(grid.contains("No search yet."))
        #expect(grid.contains("┌─ Parameters "))
        #expect(
            grid.trimmedLines[23] == " Enter detail  0–3 grade  q quit  ? help  Tab pane  Ctrl-R run  / edit  h stats")
        #expect(grid.cursor == nil)
        var editing = AppState()
        editing.enterEditor()
        let typing = render(editing)
        #expect(typing.contains("Type or paste a job description, then Enter to search."))
        #expect(typing.lines()[0].contains(" EDITING · Esc to leave "))
        #expect(typing.trimmedLines[23] == " Enter run  Alt-Enter new line  Ctrl-C quit  F1 help  Tab pane  Ctrl-R run")
        #expect(typing.cursor == Point(x: 2, y: 1))
    }

    @Test func at80ColumnsTheTitleKeepsThirtyColumnsAndDerivableScoresGoFirst() {
        let grid = render(Fixture.searched())
        let lines = grid.trimmedLines
        #expect(lines[5].hasPrefix("┌─ Results · semantic · 10/10 "))
        #expect(lines[6].hasPrefix("│  # Δ   J title                               sim │"))
        #expect(lines[7].hasPrefix("│  1     · Kubernetes operator for Postgres… 0.900 │"))
        #expect(lines[16].hasPrefix("│ 10     · 田中さんの検索エンジン            0.450 │"))
        let columns = ResultsView.columns(
            width: 48, method: .semantic, rankDigits: 2, hasKeywordScores: true, narrow: true)
        #expect((columns.first { $0.id == .title }?.width ?? 0) >= 30)
        // The full set comes back from 120 columns on.
        let wide = render(Fixture.searched(size: Size(width: 160, height: 48)))
        #expect(wide.row(containing: "J title")?.contains("sim   cos    L2    IP") == true)
    }

    @Test func theParametersPaneFoldsAwayWithCapitalP() {
        var state = Fixture.searched()
        _ = reduce(&state, .key(.char("P")))
        #expect(state.parametersFolded)
        let grid = render(state)
        #expect(!grid.contains("Parameters"))
        // The width it gave back holds the type and owner columns that did not fit beside it.
        #expect(grid.row(containing: "J title")?.contains("type") == true)
        #expect(grid.row(containing: "J title")?.contains("owner") == true)
        _ = reduce(&state, .key(.char("p")))
        #expect(!state.parametersFolded && state.focus == .parameters)
    }

    @Test func aShortListPreviewsTheSelectedExplanation() {
        var state = Fixture.searched(ids: [1, 2, 3], size: Size(width: 100, height: 30))
        _ = reduce(&state, .key(.down))
        let grid = render(state)
        #expect(grid.contains("why #2 — highly relevant"))
        #expect(grid.contains("Close in meaning to the query."))
        #expect(grid.contains("· cosine similarity 0.80 (band ≥ 0.70)"))
    }

    @Test func longErrorsWrapOntoMoreRowsInsteadOfBeingCut() {
        var state = Fixture.searched()
        let long =
            "connection to server lost: server closed the connection unexpectedly. This probably means the "
            + "server terminated abnormally before or while processing the request"
        state.message = StatusMessage(text: long, kind: .error)
        let lines = render(state).trimmedLines
        #expect(lines[21].hasPrefix(" ✖ connection to server lost"))
        #expect(lines[23].contains("request"))
        #expect(!lines.joined().contains("unexpectedlyThis"))
    }

    @Test func statusBarShowsConnectionPlanRowsLatencyAndQuality() {
        var state = Fixture.searched()
        _ = reduce(&state, .recallMeasured(.a, generation: 1, .success(RecallMeasurement(k: 10, recall: 0.9))))
        _ = reduce(
            &state, .rankingScored(generation: 1, .success(RankingScore(k: 10, ndcg: 0.72, precision: 0.4, judged: 3))))
        let lines = render(state).trimmedLines
        #expect(lines[20] == " ● localhost:5432/vecscope │ plan Index Scan artifact_embeddings_… │ 10/10 rows")
        #expect(lines[21] == " ✓ │ server 1.25 ms │ client 14.2 ms │ recall@10 0.90 │ nDCG@10 0.72")
        // What the two rows cannot hold below 120 columns wraps to a third, by priority, instead of being cut.
        #expect(lines[22] == " 40 candidates │ model all-MiniLM-L6-v2 │ P@10 0.40 │ judged 0/10")
    }

    @Test func statusBarIsReverseVideo() {
        let grid = render(Fixture.searched())
        #expect(grid[0, 21].style.reverse)
        #expect(grid[79, 22].style.reverse)
        #expect(!grid[0, 23].style.reverse)
    }

    @Test func recallShowsDotsWhileMeasuring() {
        let grid = render(Fixture.searched())
        #expect(grid.row(containing: "recall@10")?.contains("recall@10 …") == true)
    }

    @Test func gradesAndRankChangesAppearInTheirColumns() {
        var state = Fixture.searched(ids: [1, 2, 3])
        state.focus = .results
        _ = reduce(&state, .key(.char("3")))
        _ = reduce(&state, .key(.ctrl("r")))
        _ = reduce(&state, .searchFinished(.a, generation: 2, .success(Fixture.response(ids: [2, 1, 4]))))
        let lines = render(state).trimmedLines
        #expect(lines[7].hasPrefix("│  1 ↑1  · Vector search"))
        #expect(lines[8].hasPrefix("│  2 ↓1  3 Kubernetes"))
        #expect(lines[9].hasPrefix("│  3 new · CKA: Certified"))
    }

    @Test func selectedRowIsReversedWhenResultsHaveFocus() {
        var state = Fixture.searched()
        state.focus = .results
        _ = reduce(&state, .key(.down))
        let grid = render(state)
        #expect(grid[5, 8].style.reverse)
        #expect(!grid[5, 7].style.reverse)
    }

    @Test func staleResultsAreMarkedAndDimmed() {
        var state = Fixture.searched()
        state.enterEditor()
        _ = reduce(&state, .key(.char("!")))
        let grid = render(state)
        #expect(grid.lines()[5].contains(" stale · Ctrl-R "))
        #expect(grid[20, 8].style.dim)
        #expect(grid.lines()[21].hasPrefix(" stale │"))
    }

    @Test func busySearchShowsASpinner() {
        var state = Fixture.searched()
        _ = reduce(&state, .key(.ctrl("r")))
        let grid = render(state)
        #expect(grid.lines()[5].contains("⠋ searching"))
        #expect(grid.lines()[21].hasPrefix(" ⠋ searching │"))
    }

    @Test func aParameterChangeShowsItsSearchAtOnce() {
        var state = Fixture.searched()
        state.focus = .parameters
        _ = reduce(&state, .key(.right))
        #expect(render(state).lines()[21].hasPrefix(" ⠋ searching │"))
    }

    @Test func parametersShowValuesAndExplainTheSelectedOne() {
        var state = Fixture.searched()
        state.focus = .parameters
        state.parameterSelection = TunableParameter.allCases.firstIndex(of: .efSearch) ?? 0
        _ = reduce(&state, .key(.right))
        _ = reduce(&state, .key(.down))  // keeps the list scrolled, selects probes
        _ = reduce(&state, .key(.up))
        let grid = render(state)
        #expect(grid.row(containing: "ef_search")?.contains("ef_search       50") == true)
        #expect(grid.trimmedLines[17].hasSuffix("││ HNSW breadth: higher =   │"))
        #expect(grid.trimmedLines[18].hasSuffix("││ better recall, slower    │"))
        #expect(grid.trimmedLines[23] == " ← less  → more  q quit  ? help  Tab pane  Ctrl-R run  / edit")
    }

    @Test func parametersScrollToShowTheSelection() {
        var state = AppState()
        state.focus = .parameters
        for _ in 0..<(TunableParameter.allCases.count - 1) { _ = reduce(&state, .key(.down)) }
        let grid = render(state)
        #expect(grid.contains("explain         on"))
        #expect(!grid.contains("method          semantic"))
    }

    @Test func detailShowsScoresExplanationAndHighlightedTerms() {
        var state = Fixture.searched()
        state.focus = .results
        _ = reduce(&state, .key(.enter))
        let grid = render(state)
        let lines = grid.trimmedLines
        #expect(lines[3].hasPrefix("┌─ Detail — #1 of 10 "))
        #expect(lines[4] == "│ Kubernetes operator for Postgres failover                                    │")
        #expect(grid.contains("similarity        0.900"))
        #expect(grid.contains("cosine distance   0.100  <=>  1 − similarity"))
        #expect(grid.contains("highly relevant"))
        // Scroll down to the content and check matched terms are highlighted.
        for _ in 0..<20 { _ = reduce(&state, .key(.down)) }
        let scrolled = render(state)
        guard let y = scrolled.lines().firstIndex(where: { $0.contains("Built a Kubernetes operator") }) else {
            Issue.record("content not visible:\n\(scrolled.text)")
            return
        }
        let x = scrolled.lines()[y].distance(of: "Kubernetes")
        #expect(scrolled[x, y].style.foreground == .highlight)
        #expect(scrolled[x - 2, y].style.foreground != .highlight)
    }

    @Test func helpListsThePanesKeysAndGlobalOnes() {
        var state = Fixture.searched()
        state.focus = .results
        _ = reduce(&state, .key(.char("?")))
        let grid = render(state)
        #expect(grid.contains("Keys — Results"))
        #expect(grid.contains("↑/k                    previous result"))
        #expect(grid.contains("0–3                    judge: grade 0–3"))
        let text = HelpView.lines(state, width: 72).map { $0.map(\.text).joined() }
        #expect(text.contains { $0.contains("q/Ctrl-C") && $0.contains("quit") })
        #expect(grid.cursor == nil)
    }

    @Test func helpGreysOutUnavailableKeysWithTheReason() {
        var state = AppState()
        state.focus = .results
        _ = reduce(&state, .key(.char("?")))
        let lines = HelpView.lines(state, width: 70).map { $0.map(\.text).joined() }
        let text = lines.joined(separator: " ").split(separator: " ").joined(separator: " ")
        #expect(
            text.contains("open the detail: full content, matched terms, explanation — unavailable: no result selected")
        )
    }

    @Test func errorsReplaceTheHints() {
        var state = AppState()
        _ = reduce(&state, .paste("x"))
        _ = reduce(&state, .key(.ctrl("r")))
        _ = reduce(&state, .searchFinished(.a, generation: 1, .failure(TUIError(message: "model not loaded"))))
        #expect(render(state).trimmedLines[23] == " ✖ model not loaded")
    }

    @Test func databaseDownShowsABanner() {
        var state = Fixture.searched()
        _ = reduce(&state, .connectionChanged(.down("connection refused")))
        let lines = render(state).trimmedLines
        #expect(lines[22].hasPrefix(" ✖ database unreachable — connection refused — retrying"))
        #expect(lines[19].hasPrefix(" ✖ localhost:5432/vecscope DOWN"))
    }

    @Test func emptyResultsSuggestWhy() {
        var state = AppState()
        state.sideA.params.similarityThreshold = 0.95
        _ = reduce(&state, .paste("x"))
        _ = reduce(&state, .key(.ctrl("r")))
        _ = reduce(
            &state, .searchFinished(.a, generation: 1, .success(Fixture.response(ids: [], params: state.sideA.params))))
        let grid = render(state)
        #expect(
            grid.trimmedLines[8] == "│ No artifacts matched. The similarity threshold   ││ fusion          weighted │")
        #expect(grid.trimmedLines[9].hasPrefix("│ 0.95 may be too strict."))
    }

    /// Nothing back from a user-scoped ANN scan although the user has artifacts: the hint names the cause (the
    /// filter dropped every row the index handed over) and the knob, not a "too narrow" filter.
    @Test func emptyFilteredIndexScanPointsAtIterativeScan() {
        var params = AppState.defaultParams
        params.userScope = .user("u01")
        let info = Fixture.response(ids: [], params: params).info
        #expect(info.totalCandidates == 40)
        #expect(
            ResultsView.emptyHint(info, params: params)
                == "No artifacts returned, though 40 pass the filters: the index "
                + "scan handed over its nearest rows (ef_search 40) and the user or type filter dropped them all. Turn on "
                + "iterative_scan, or raise ef_search.")
        params.iterativeScan = .relaxedOrder
        #expect(ResultsView.emptyHint(info, params: params).hasSuffix("stopped at max_scan_tuples 20000; raise it."))
        // Without an index in the plan (an exact scan) nothing was dropped unseen: the filter itself is narrow.
        let exact = Fixture.response(ids: [], params: params, plan: "Seq Scan on artifact_embeddings", index: nil).info
        #expect(
            ResultsView.emptyHint(exact, params: params)
                == "No artifacts matched. The user or type filter may be too narrow.")

        var state = AppState()
        state.sideA.params = params
        state.sideA.params.iterativeScan = .off
        _ = reduce(&state, .paste("x"))
        _ = reduce(&state, .key(.ctrl("r")))
        _ = reduce(
            &state, .searchFinished(.a, generation: 1, .success(Fixture.response(ids: [], params: state.sideA.params))))
        #expect(render(state).trimmedLines[8].hasPrefix("│ No artifacts returned, though 40 pass the"))
    }

    @Test func longQueriesWrapAndKeepTheCaretVisible() {
        var state = AppState()
        _ = reduce(&state, .paste(String(repeating: "kubernetes ", count: 40)))
        let grid = render(state)
        #expect(grid.lines()[1] == "│ kubernetes kubernetes kubernetes kubernetes kubernetes kubernetes            │")
        #expect(grid.cursor?.y == 3)
        #expect(grid.lines()[4].contains("/"))  // "rows/total" indicator in the bottom border
    }

    @Test func wideCharactersInTheQueryKeepTheBorderAligned() {
        var state = AppState()
        _ = reduce(&state, .paste("田中さん 検索エンジン"))
        let grid = render(state)
        #expect(grid.lines()[1] == "│ 田中さん 検索エンジン                                                        │")
        #expect(DisplayWidth.of(grid.lines()[1]) == 80)
        #expect(grid.cursor == Point(x: 2 + 21, y: 1))
    }
}

@Suite("Renderer at 120×40")
struct Render120Tests {
    private func state() -> AppState {
        var state = Fixture.searched(size: Size(width: 120, height: 40))
        _ = reduce(&state, .recallMeasured(.a, generation: 1, .success(RecallMeasurement(k: 10, recall: 0.9))))
        _ = reduce(
            &state, .rankingScored(generation: 1, .success(RankingScore(k: 10, ndcg: 0.72, precision: 0.4, judged: 3))))
        return state
    }

    /// Plans are cached per statement shape and knob values: the status bar says how old the one shown is, and
    /// the age counts on while it stays on screen.
    @Test func theStatusBarSaysHowOldTheShownPlanIs() {
        var state = state()
        var response = Fixture.response(ids: [1, 2])
        response.info.planAgeSeconds = 3
        _ = reduce(&state, .key(.ctrl("r")))
        _ = reduce(&state, .searchFinished(.a, generation: 2, .success(response)))
        #expect(render(state).contains("plan Index Scan artifact_embeddings_minilm_hnsw · measured 3 s ago"))
        _ = reduce(&state, .tick(now: state.now + 5))
        #expect(render(state).contains("· measured 8 s ago"))
        // No plan read (explain off, nothing pinned): no age to show.
        _ = reduce(&state, .key(.ctrl("r")))
        _ = reduce(&state, .searchFinished(.a, generation: 3, .success(Fixture.response(ids: [1, 2]))))
        #expect(!render(state).contains("measured"))
    }

    @Test func widerResultsAddExactRankTypeAndRelevance() {
        let lines = render(state()).trimmedLines
        #expect(lines[10].hasPrefix("┌─ Results · semantic · 10/10 "))
        #expect(
            lines[11].hasPrefix("│  # Δ   J title                         ex type      sim   cos    L2    IP    rel │"))
        #expect(
            lines[12].hasPrefix("│  1     · Kubernetes operator for Pos…   – project 0.900 0.100 0.447 0.900  0.900 │"))
    }

    @Test func everyParameterFits() {
        let grid = render(state())
        for parameter in state().visibleParameters {
            #expect(grid.contains(parameter.label), "missing \(parameter.label)")
        }
    }

    @Test func statusBarShowsEverything() {
        let lines = render(state()).trimmedLines
        #expect(
            lines[37]
                == " ● localhost:5432/vecscope │ plan Index Scan artifact_embeddings_minilm_hnsw │ 10/10 rows │ model all-MiniLM-L6-v2"
        )
        #expect(
            lines[38]
                == " ✓ │ server 1.25 ms │ client 14.2 ms │ recall@10 0.90 │ nDCG@10 0.72 │ P@10 0.40 │ judged 0/10 │ embed 3.10 ms"
        )
    }

    @Test func keywordColumnAppearsForHybridSearch() {
        var state = state()
        var response = Fixture.response(ids: [1, 2])
        for i in response.results.indices { response.results[i].keywordScore = 123.456 }
        response.info.method = .hybrid
        state.sideA.params.method = .hybrid
        _ = reduce(&state, .key(.ctrl("r")))
        _ = reduce(&state, .searchFinished(.a, generation: 2, .success(response)))
        let header = render(state).lines()[11]
        #expect(header.contains(" kw "))
        #expect(render(state).lines()[12].contains(" 123.5 "), "BM25 has no upper bound: one decimal keeps it whole")
    }
}

@Suite("Renderer: sizes")
struct RenderSizeTests {
    @Test func tooSmallSaysWhatIsNeeded() {
        var state = Fixture.searched()
        _ = reduce(&state, .resize(Size(width: 79, height: 24)))
        let grid = render(state)
        #expect(grid.contains("terminal too small — need 80×24, have 79×24"))
        #expect(!grid.contains("Results"))
    }

    @Test func tooShortIsTooSmallToo() {
        var state = AppState()
        _ = reduce(&state, .resize(Size(width: 200, height: 23)))
        #expect(render(state).contains("terminal too small — need 80×24, have 200×23"))
    }

    @Test(arguments: [
        Size(width: 0, height: 0), Size(width: 1, height: 1), Size(width: 2, height: 1),
        Size(width: 1, height: 30), Size(width: 30, height: 3),
    ])
    func tinyTerminalsDoNotCrash(size: Size) {
        var state = Fixture.searched()
        _ = reduce(&state, .resize(size))
        _ = reduce(&state, .key(.char("?")))
        let grid = render(state)
        #expect(grid.size == size)
    }

    @Test func resizingRedrawsTheLayoutWithoutLeftovers() {
        var state = Fixture.searched(size: Size(width: 120, height: 40))
        var grid = CellGrid(width: 120, height: 40)
        render(state, into: &grid)
        _ = reduce(&state, .resize(Size(width: 80, height: 24)))
        render(state, into: &grid)
        #expect(grid == render(state))
        #expect(grid.size == Size(width: 80, height: 24))
        _ = reduce(&state, .resize(Size(width: 120, height: 40)))
        render(state, into: &grid)
        #expect(grid == render(state))
    }

    @Test(arguments: [
        Size(width: 80, height: 24), Size(width: 100, height: 30), Size(width: 120, height: 40),
        Size(width: 200, height: 60),
    ])
    func everyRowIsExactlyTheTerminalWidth(size: Size) {
        var state = Fixture.searched(size: size)
        _ = reduce(&state, .recallMeasured(.a, generation: 1, .success(RecallMeasurement(k: 10, recall: 0.9))))
        for focus in [Pane.query, .results, .parameters, .detail] {
            state.focus = focus
            for line in render(state).lines() {
                #expect(DisplayWidth.of(line) == size.width)
            }
        }
    }

    @Test func renderIsPure() {
        let state = Fixture.searched()
        #expect(render(state) == render(state))
    }
}

extension String {
    /// Column (display width) at which `needle` starts.
    func distance(of needle: String) -> Int {
        guard let range = range(of: needle) else { return -1 }
        return DisplayWidth.of(self[..<range.lowerBound])
    }
}
