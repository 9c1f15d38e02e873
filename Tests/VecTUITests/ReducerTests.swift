import Testing

@testable import VecCore
@testable import VecTUI

/// Types text into the query editor (entering it first, as `/` does).
private func type(_ state: inout AppState, _ text: String) {
    if !state.isTyping { state.enterEditor() }
    typeKeys(&state, text)
}

@Suite("Reducer: editing")
struct ReducerEditingTests {
    @Test func typingGoesIntoTheEditor() {
        var state = AppState()
        type(&state, "Go dev")
        #expect(state.editor.text == "Go dev")
    }

    @Test func qTypesAQWhileEditing() {
        var state = AppState()
        state.enterEditor()
        let effects = press(&state, .char("q"))
        #expect(effects.isEmpty)
        #expect(state.editor.text == "q")
        #expect(!state.isQuitting)
    }

    @Test func questionMarkTypesWhileEditingAndF1OpensHelp() {
        var state = AppState()
        state.enterEditor()
        press(&state, .char("?"))
        #expect(state.editor.text == "?")
        #expect(state.overlay == nil)
        press(&state, Key(.function(1)))
        #expect(state.overlay == .help)
    }

    @Test func altEnterInsertsANewLine() {
        var state = AppState()
        type(&state, "ab")
        press(&state, Key(.enter, .alt))
        type(&state, "c")
        #expect(state.editor.lines == ["ab", "c"])
    }

    @Test func ctrlArrowsJumpWords() {
        var state = AppState()
        type(&state, "senior rust engineer")
        press(&state, Key(.left, .control))
        #expect(state.editor.cursor.column == 12)
        press(&state, .alt("b"))
        #expect(state.editor.cursor.column == 7)
        press(&state, Key(.right, .control))
        #expect(state.editor.cursor.column == 11)
    }

    @Test func ctrlWDeletesTheLastWord() {
        var state = AppState()
        type(&state, "pgvector tuning")
        press(&state, .ctrl("w"))
        #expect(state.editor.text == "pgvector ")
    }

    @Test func pasteInsertsAllTextAndFocusesTheEditor() {
        var state = Fixture.searched()
        state.focus = .results
        _ = reduce(&state, .paste("line one\nline two"))
        #expect(state.focus == .query)
        #expect(state.editor.text.hasSuffix("line one\nline two"))
    }

    @Test func historyRecallsEarlierQueries() {
        var state = Fixture.searched(query: "first query")
        state.enterEditor()
        press(&state, .ctrl("x"))
        type(&state, "draft")
        press(&state, .ctrl("p"))
        #expect(state.editor.text == "first query")
        press(&state, .ctrl("n"))
        #expect(state.editor.text == "draft")
    }

    @Test func upOnTheFirstLineRecallsHistory() {
        var state = Fixture.searched(query: "earlier")
        press(&state, .char("/"), .ctrl("x"))
        press(&state, .up)
        #expect(state.editor.text == "earlier")
    }
}

@Suite("Reducer: searching")
struct ReducerSearchTests {
    @Test func ctrlRRunsASearchWithTheTrimmedText() {
        var state = AppState()
        type(&state, "  Go developer  ")
        let effects = press(&state, .ctrl("r"))
        #expect(effects.first == .runSearch(.a, generation: 1, text: "Go developer", params: state.sideA.params))
        #expect(state.sideA.status.inFlight == 1)
        #expect(state.history.entries == ["Go developer"])
    }

    @Test func runningWithoutTextExplainsWhy() {
        var state = AppState()
        let effects = press(&state, .ctrl("r"))
        #expect(effects.isEmpty)
        #expect(state.message?.text == "type a query first")
    }

    @Test func finishedSearchShowsResultsAndAsksForRecallAndGrades() {
        var state = AppState()
        type(&state, "Go developer")
        press(&state, .ctrl("r"))
        let response = Fixture.response(ids: [3, 1, 2])
        let effects = reduce(&state, .searchFinished(.a, generation: 1, .success(response)))
        #expect(state.sideA.results.items.map(\.artifactID) == [3, 1, 2])
        #expect(state.sideA.results.queryText == "Go developer")
        #expect(!state.sideA.status.isBusy)
        #expect(!state.resultsAreStale(.a))
        #expect(effects.contains(.loadJudgments(queryText: "Go developer")))
        #expect(
            effects.contains(
                .measureRecall(
                    .a, generation: 1, text: "Go developer", params: state.sideA.params,
                    measuredIDs: [3, 1, 2])))
    }

    @Test func staleGenerationIsIgnored() {
        var state = AppState()
        type(&state, "Go developer")
        press(&state, .ctrl("r"))
        let second = press(&state, .ctrl("r"))
        #expect(second.first == .cancelSearch(.a, generation: 1))
        #expect(second.contains(.runSearch(.a, generation: 2, text: "Go developer", params: state.sideA.params)))
        _ = reduce(&state, .searchFinished(.a, generation: 1, .success(Fixture.response(ids: [9]))))
        #expect(state.sideA.results.response == nil)
        #expect(state.sideA.status.inFlight == 2)
        _ = reduce(&state, .searchFinished(.a, generation: 2, .success(Fixture.response(ids: [4]))))
        #expect(state.sideA.results.items.map(\.artifactID) == [4])
    }

    @Test func resultsOfACancelledSearchAreNeverShown() {
        var state = Fixture.searched(ids: [1, 2])
        press(&state, .ctrl("r"))  // generation 2 in flight
        state.focus = .parameters
        state.parameterSelection = TunableParameter.allCases.firstIndex(of: .efSearch) ?? 0
        let effects = press(&state, .right)
        #expect(effects.first == .cancelSearch(.a, generation: 2))
        #expect(state.sideA.status.inFlight == 3)
        _ = reduce(&state, .searchFinished(.a, generation: 2, .success(Fixture.response(ids: [7]))))
        #expect(state.sideA.results.items.map(\.artifactID) == [1, 2])
    }

    @Test func cancellationErrorsAreNotShown() {
        var state = AppState()
        type(&state, "q")
        press(&state, .ctrl("r"))
        _ = reduce(
            &state,
            .searchFinished(.a, generation: 1, .failure(TUIError(message: "canceling statement", isCancellation: true)))
        )
        #expect(state.message == nil)
        #expect(!state.sideA.status.isBusy)
    }

    @Test func searchErrorsAppearInTheMessageLine() {
        var state = AppState()
        type(&state, "q")
        press(&state, .ctrl("r"))
        _ = reduce(&state, .searchFinished(.a, generation: 1, .failure(TUIError(message: "relation does not exist"))))
        #expect(state.message == StatusMessage(text: "relation does not exist", kind: .error))
    }

    /// A knob change searches in the same frame, with no debounce; the next one supersedes the search in flight.
    @Test func parameterChangeSearchesAtOnce() {
        var state = Fixture.searched()
        state.focus = .parameters
        state.parameterSelection = TunableParameter.allCases.firstIndex(of: .efSearch) ?? 0
        let text = state.sideA.results.queryText
        let first = press(&state, .right)
        #expect(state.sideA.params.efSearch == 50)
        #expect(first == [.runSearch(.a, generation: 2, text: text, params: state.sideA.params)])
        #expect(state.resultsAreStale(.a))
        let second = press(&state, .right)
        #expect(state.sideA.params.efSearch == 60)
        #expect(
            second == [
                .cancelSearch(.a, generation: 2), .runSearch(.a, generation: 3, text: text, params: state.sideA.params),
            ])
        #expect(state.sideA.status.inFlight == 3)
        #expect(reduce(&state, .tick(now: 10.6)).isEmpty, "nothing waits for time to pass")
    }

    @Test func parameterChangeWithoutAQueryDoesNotSearch() {
        var state = AppState()
        state.focus = .parameters
        press(&state, .right)
        #expect(state.sideA.status.inFlight == nil)
    }

    @Test func rankChangesCompareWithThePreviousRun() {
        var state = Fixture.searched(ids: [1, 2, 3, 4])
        press(&state, .ctrl("r"))
        _ = reduce(&state, .searchFinished(.a, generation: 2, .success(Fixture.response(ids: [3, 1, 5, 2]))))
        #expect(state.sideA.results.rankChanges[3] == .up(2))
        #expect(state.sideA.results.rankChanges[1] == .down(1))
        #expect(state.sideA.results.rankChanges[5] == .new)
        #expect(state.sideA.results.rankChanges[2] == .down(2))
    }

    @Test func selectionFollowsTheSameArtifactAcrossRuns() {
        var state = Fixture.searched(ids: [1, 2, 3])
        state.focus = .results
        press(&state, .down, .down)
        #expect(state.sideA.results.selectedResult?.artifactID == 3)
        press(&state, .ctrl("r"))
        _ = reduce(&state, .searchFinished(.a, generation: 2, .success(Fixture.response(ids: [3, 1, 2]))))
        #expect(state.sideA.results.selected == 0)
    }

    @Test func lateRecallForAnOlderRunIsIgnored() {
        var state = Fixture.searched()
        press(&state, .ctrl("r"))
        _ = reduce(&state, .searchFinished(.a, generation: 2, .success(Fixture.response(ids: [1]))))
        _ = reduce(&state, .recallMeasured(.a, generation: 1, .success(RecallMeasurement(k: 10, recall: 0.5))))
        #expect(state.sideA.results.recall == nil)
        _ = reduce(&state, .recallMeasured(.a, generation: 2, .success(RecallMeasurement(k: 10, recall: 0.9))))
        #expect(state.sideA.results.recall?.recall == 0.9)
    }
}

@Suite("Reducer: judging")
struct ReducerJudgingTests {
    @Test func digitGradesTheSelectedResultAndMovesOn() throws {
        var state = Fixture.searched(ids: [11, 12, 13])
        state.focus = .results
        let effects = press(&state, .char("3"))
        #expect(state.grades[11] == 3)
        #expect(state.sideA.results.selected == 1)
        #expect(
            effects.first
                == .saveJudgment(
                    queryText: state.sideA.results.queryText, artifactID: 11, grade: 3,
                    previousGrade: nil))
        #expect(effects.contains(.scoreRanking(generation: 1, rankedIDs: [11, 12, 13], grades: [11: 3], k: 10)))
        let params = try #require(state.sideA.results.params)
        #expect(
            effects.contains(
                .scoreBaseline(
                    generation: 1, queryText: state.sideA.results.queryText, params: params, grades: [11: 3], k: 10)))
    }

    /// With grades, the status bar shows the BM25 baseline's nDCG@k for the same job beside the ranking's own.
    @Test func baselineNDCGShowsBesideTheRankingsOwn() {
        var state = Fixture.searched(ids: [11, 12, 13])
        _ = reduce(
            &state, .rankingScored(generation: 1, .success(RankingScore(k: 10, ndcg: 0.72, precision: 0.4, judged: 3))))
        _ = reduce(&state, .baselineScored(generation: 7, .success(0.5)))
        #expect(state.sideA.results.baselineNDCG == nil, "an answer for another search is dropped")
        _ = reduce(&state, .baselineScored(generation: 1, .success(0.81)))
        #expect(state.sideA.results.baselineNDCG == 0.81)
        #expect(render(state).trimmedLines.contains { $0.contains("nDCG@10 0.72 BM25 0.81") })
    }

    @Test func xRemovesAGrade() {
        var state = Fixture.searched(ids: [11, 12])
        state.focus = .results
        press(&state, .char("2"), .up)
        let effects = press(&state, .char("x"))
        #expect(state.grades[11] == nil)
        #expect(
            effects.first
                == .saveJudgment(
                    queryText: state.sideA.results.queryText, artifactID: 11, grade: nil,
                    previousGrade: 2))
    }

    @Test func gradingWaitsForStoredGrades() {
        var state = AppState()
        type(&state, "Go")
        press(&state, .ctrl("r"))
        _ = reduce(&state, .searchFinished(.a, generation: 1, .success(Fixture.response(ids: [1]))))
        #expect(state.focus == .results)
        #expect(press(&state, .char("2")).isEmpty)
        #expect(state.message?.text == "stored grades for this query are still loading")
        _ = reduce(&state, .judgmentsLoaded(queryText: "Go", .success([1: 1])))
        #expect(state.grades == [1: 1])
        #expect(!press(&state, .char("2")).isEmpty)
    }

    @Test func digitsTypeIntoTheEditorNotGrades() {
        var state = Fixture.searched()
        state.enterEditor()
        press(&state, .char("2"))
        #expect(state.grades.isEmpty)
        #expect(state.editor.text.hasSuffix("2"))
    }

    @Test func failedSaveRollsTheGradeBack() {
        var state = Fixture.searched(ids: [11, 12])
        state.focus = .results
        press(&state, .char("3"))
        _ = reduce(
            &state,
            .judgmentSaveFailed(
                queryText: state.sideA.results.queryText, artifactID: 11, previousGrade: nil,
                TUIError(message: "permission denied")))
        #expect(state.grades[11] == nil)
        #expect(state.message?.kind == .error)
    }

    @Test func newQueryTextReloadsGrades() {
        var state = Fixture.searched(ids: [1])
        state.focus = .results
        press(&state, .char("2"))
        type(&state, " and Rust")
        let effects = press(&state, .ctrl("r"))
        guard case .runSearch(.a, let generation, let text, _)? = effects.first else {
            Issue.record("no search")
            return
        }
        let finished = reduce(&state, .searchFinished(.a, generation: generation, .success(Fixture.response(ids: [1]))))
        #expect(state.grades.isEmpty)
        #expect(finished.contains(.loadJudgments(queryText: text)))
    }

    @Test func scoresForAnOlderRunAreIgnored() {
        var state = Fixture.searched()
        _ = reduce(
            &state, .rankingScored(generation: 99, .success(RankingScore(k: 10, ndcg: 1, precision: 1, judged: 1))))
        #expect(state.sideA.results.score == nil)
        _ = reduce(
            &state, .rankingScored(generation: 1, .success(RankingScore(k: 10, ndcg: 0.5, precision: 0.2, judged: 2))))
        #expect(state.sideA.results.score?.ndcg == 0.5)
    }
}

@Suite("Reducer: navigation and quitting")
struct ReducerNavigationTests {
    @Test func qQuitsOutsideTheEditor() {
        var state = Fixture.searched()
        state.focus = .results
        #expect(press(&state, .char("q")) == [.quit])
        #expect(state.isQuitting)
    }

    @Test func ctrlCQuitsEvenWhileTyping() {
        var state = AppState()
        #expect(press(&state, .ctrl("c")) == [.quit])
    }

    @Test func quittingCancelsTheSearchInFlight() {
        var state = AppState()
        type(&state, "Go")
        press(&state, .ctrl("r"))
        #expect(press(&state, .ctrl("c")) == [.cancelSearch(.a, generation: 1), .quit])
    }

    @Test func qClosesTheHelpOverlayAndQuitsFromTheMainScreen() {
        var state = AppState()
        press(&state, Key(.function(1)))
        #expect(press(&state, .char("q")).isEmpty)
        #expect(state.overlay == nil && !state.isQuitting)
        #expect(press(&state, .char("q")) == [.quit])
    }

    @Test func qInTheDetailReturnsToTheResults() {
        var state = Fixture.searched()
        press(&state, .enter)
        #expect(state.focus == .detail)
        #expect(press(&state, .char("q")).isEmpty)
        #expect(state.focus == .results && !state.isQuitting)
    }

    @Test func tabCyclesPanes() {
        var state = AppState()
        #expect(state.focus == .results)
        press(&state, .tab)
        #expect(state.focus == .parameters)
        press(&state, .tab)
        #expect(state.focus == .query)
        #expect(!state.isEditing)
        press(&state, .tab)
        #expect(state.focus == .results)
        press(&state, .backTab)
        #expect(state.focus == .query)
    }

    @Test func escBacksOutOneLevelAtATime() {
        var state = Fixture.searched()
        state.focus = .results
        press(&state, .enter)
        #expect(state.focus == .detail)
        press(&state, .char("?"))
        #expect(state.overlay == .help)
        press(&state, .escape)
        #expect(state.overlay == nil)
        #expect(state.focus == .detail)
        press(&state, .escape)
        #expect(state.focus == .results)
    }

    @Test func escLeavesTheEditor() {
        var state = AppState()
        press(&state, .escape)
        #expect(state.focus == .results)
    }

    @Test func selectionScrollsToStayVisible() {
        var state = Fixture.searched(ids: Array(1...40))
        state.focus = .results
        let visible = Layout(size: state.size).resultRows
        for _ in 0..<visible { press(&state, .down) }
        #expect(state.sideA.results.selected == visible)
        #expect(state.sideA.results.scroll == 1)
        press(&state, .char("G"))
        #expect(state.sideA.results.selected == 39)
        #expect(state.sideA.results.scroll == 40 - visible)
        press(&state, .char("g"))
        #expect(state.sideA.results.scroll == 0)
    }

    @Test func resizeKeepsTheSelectionVisible() {
        var state = Fixture.searched(ids: Array(1...40), size: Size(width: 120, height: 40))
        state.focus = .results
        press(&state, .char("G"))
        _ = reduce(&state, .resize(Size(width: 80, height: 24)))
        let visible = Layout(size: state.size).resultRows
        #expect(state.sideA.results.scroll == 40 - visible)
    }

    @Test func onlyQuitWorksWhenTheTerminalIsTooSmall() {
        var state = Fixture.searched()
        _ = reduce(&state, .resize(Size(width: 40, height: 10)))
        state.focus = .results
        #expect(press(&state, .char("j")).isEmpty)
        #expect(state.sideA.results.selected == 0)
        #expect(press(&state, .char("q")) == [.quit])
    }

    @Test func disabledKeyExplainsWhy() {
        var state = AppState()
        state.focus = .results
        press(&state, .enter)
        #expect(state.focus == .results)
        #expect(state.message?.text == "no result selected — run a search first")
    }

    @Test func infoMessagesExpire() {
        var state = AppState()
        _ = reduce(&state, .notify("hello"))
        _ = reduce(&state, .tick(now: 3))
        #expect(state.message != nil)
        _ = reduce(&state, .tick(now: 5))
        #expect(state.message == nil)
    }
}

@Suite("Parameters")
struct ParameterTests {
    private let choices = ParameterChoices(
        users: ["u01", "u02"], models: ["all-MiniLM-L6-v2", "text-embedding-3-small"])

    @Test func efSearchStepsToMultiplesAndClamps() {
        var p = SearchParams()
        p.efSearch = 1
        p = TunableParameter.efSearch.adjusted(p, direction: 1, large: false, choices: choices)
        #expect(p.efSearch == 10)
        p = TunableParameter.efSearch.adjusted(p, direction: -1, large: false, choices: choices)
        #expect(p.efSearch == 1)
        p.efSearch = 950
        p = TunableParameter.efSearch.adjusted(p, direction: 1, large: true, choices: choices)
        #expect(p.efSearch == 1000)
    }

    @Test func shiftTakesALargerStep() {
        var state = AppState()
        state.focus = .parameters
        state.parameterSelection = TunableParameter.allCases.firstIndex(of: .efSearch) ?? 0
        _ = reduce(&state, .key(Key(.right, .shift)))
        #expect(state.sideA.params.efSearch == 100)
        _ = reduce(&state, .key(.char("<")))
        #expect(state.sideA.params.efSearch == 1)
    }

    @Test func thresholdGoesFromOffUpAndBackToOff() {
        var p = SearchParams()
        p = TunableParameter.threshold.adjusted(p, direction: 1, large: false, choices: choices)
        #expect(p.similarityThreshold == 0)
        p = TunableParameter.threshold.adjusted(p, direction: 1, large: true, choices: choices)
        #expect(p.similarityThreshold == 0.25)
        p = TunableParameter.threshold.adjusted(p, direction: -1, large: true, choices: choices)
        p = TunableParameter.threshold.adjusted(p, direction: -1, large: false, choices: choices)
        #expect(p.similarityThreshold == nil)
    }

    @Test func enumsCycleBothWays() {
        var p = SearchParams()
        p = TunableParameter.method.adjusted(p, direction: -1, large: false, choices: choices)
        #expect(p.method == .hybrid)
        p = TunableParameter.iterativeScan.adjusted(p, direction: 1, large: false, choices: choices)
        #expect(p.iterativeScan == .relaxedOrder)
        p = TunableParameter.userScope.adjusted(p, direction: 1, large: false, choices: choices)
        #expect(p.userScope == .user("u01"))
        p = TunableParameter.model.adjusted(p, direction: 1, large: false, choices: choices)
        #expect(p.model == "text-embedding-3-small")
    }

    @Test func everyStepStaysValid() throws {
        for parameter in TunableParameter.allCases {
            for direction in [-1, 1] {
                for large in [false, true] {
                    var p = AppState.defaultParams
                    for _ in 0..<60 {
                        p = parameter.adjusted(p, direction: direction, large: large, choices: choices)
                        try p.validate()
                    }
                }
            }
        }
    }

    @Test func resetRestoresTheDefault() {
        var state = AppState()
        state.focus = .parameters
        state.parameterSelection = TunableParameter.allCases.firstIndex(of: .limit) ?? 0
        _ = reduce(&state, .key(.right))
        #expect(state.sideA.params.limit == 11)
        _ = reduce(&state, .key(.char("d")))
        #expect(state.sideA.params.limit == 10)
    }

    @Test func singleModelCannotBeCycled() {
        var state = AppState()
        state.focus = .parameters
        state.selectParameter(.model)
        _ = reduce(&state, .key(.right))
        #expect(state.message?.text == "only one embedding model has vectors")
    }
}
