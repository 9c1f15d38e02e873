import Testing

@testable import VecCore
@testable import VecTUI

/// Issue 16, item 8: grading at speed.
@Suite("Grading at speed")
struct GradingTests {
    private func graded(_ grades: [Int: Int]) -> AppState {
        var state = Fixture.searched()
        _ = reduce(&state, .judgmentsLoaded(queryText: state.sideA.results.queryText, .success(grades)))
        return state
    }

    @Test func nJumpsToTheNextUngradedAndNToThePrevious() {
        var state = graded([1: 3, 2: 2, 3: 0, 5: 1])
        #expect(state.sideA.results.selected == 0)
        press(&state, .char("n"))
        #expect(state.sideA.results.selected == 3)  // id 4
        press(&state, .char("n"))
        #expect(state.sideA.results.selected == 5)  // id 6 (id 5 is graded)
        press(&state, .char("N"))
        #expect(state.sideA.results.selected == 3)
        press(&state, .char("N"))
        #expect(state.sideA.results.selected == 3)
        #expect(state.message?.text.contains("no ungraded result above") == true)
    }

    @Test func gradingInTheDetailMovesToTheNextResult() {
        var state = graded([:])
        press(&state, .enter)
        #expect(state.focus == .detail)
        state.detailScroll = 2
        let effects = press(&state, .char("2"))
        #expect(effects.contains { if case .saveJudgment(_, 1, 2, nil) = $0 { return true } else { return false } })
        #expect(state.sideA.results.selected == 1)
        #expect(state.detailScroll == 0)
        #expect(state.focus == .detail)
    }

    @Test func nDCGKStaysAtTenWhateverTheLimit() {
        var state = graded([1: 3])
        state.sideA.params.limit = 30
        let effects = press(&state, .char("r"))
        guard case .runSearch(.a, let generation, _, let params)? = effects.first else {
            Issue.record("no search")
            return
        }
        let response = Fixture.response(ids: Array(1...30), params: params)
        let scored = reduce(&state, .searchFinished(.a, generation: generation, .success(response)))
        #expect(scored.contains { if case .scoreRanking(_, _, _, 10) = $0 { return true } else { return false } })
    }

    @Test func eExportsTheCurrentQuerysGradesUnderItsJobID() {
        var state = AppState()
        let job = JobEntry(id: "j07", title: "Data engineer", text: "Kafka and Flink")
        state.jobs = [job]
        _ = reduce(&state, .loadJob(job))
        let started = reduce(&state, .started)
        guard case .runSearch(.a, let generation, _, _)? = started.first else {
            Issue.record("no search")
            return
        }
        _ = reduce(&state, .searchFinished(.a, generation: generation, .success(Fixture.response(ids: [1, 2]))))
        _ = reduce(&state, .judgmentsLoaded(queryText: job.text, .success([1: 3])))
        #expect(press(&state, .char("E")) == [.exportGrades(queryText: "Kafka and Flink", jobID: "j07")])
        _ = reduce(&state, .gradesExported(.success(GradesExport(path: "/tmp/vecscope-grades-j07.tsv", count: 1))))
        #expect(state.message?.text == "wrote 1 grades to /tmp/vecscope-grades-j07.tsv")
    }

    @Test func eExportsAFreeTextQueryWithoutAJobID() {
        var state = graded([1: 1])
        #expect(press(&state, .char("E")) == [.exportGrades(queryText: state.sideA.results.queryText, jobID: nil)])
    }

    @Test func anEditedJobWarnsThatItsGradesNoLongerApply() {
        var state = AppState()
        let job = JobEntry(id: "j07", title: "Data engineer", text: "Kafka and Flink")
        _ = reduce(&state, .loadJob(job))
        press(&state, .char("/"), .char("!"), .enter)
        #expect(state.message?.text.contains("j07 was edited") == true)
        #expect(render(state).lines()[0].contains("(edited: grades no longer apply)"))
    }

    @Test func thePickerFiltersAsYouTypeAndShowsGradedJobs() {
        var state = AppState()
        state.jobs = [
            JobEntry(id: "j01", title: "Search relevance engineer", text: "a"),
            JobEntry(id: "j02", title: "Payments backend", text: "b"),
            JobEntry(id: "j03", title: "Payments data analyst", text: "c"),
        ]
        let opened = press(&state, .ctrl("t"))
        #expect(opened == [.loadJobGradeCounts])
        _ = reduce(&state, .jobGradeCountsLoaded(.success([RelevanceJudgment.queryHash("b"): 7])))
        #expect(state.jobGradeCounts == ["j02": 7])
        for character in "pay an" { press(&state, .char(character)) }
        #expect(state.filteredJobs.map(\.id) == ["j03"])
        press(&state, .backspace, .backspace)
        #expect(state.filteredJobs.map(\.id) == ["j02", "j03"])
        let grid = render(state)
        #expect(grid.row(containing: "j02")?.contains("7 graded") == true)
        #expect(grid.contains("Fixture jobs · pay"))
        let effects = press(&state, .down, .enter)
        #expect(state.loadedJob?.id == "j03")
        #expect(effects.contains { if case .runSearch(.a, _, "c", _) = $0 { return true } else { return false } })
    }
}

@Suite("Ungraded only")
struct UngradedOnlyTests {
    @Test func uListsOnlyUngradedResultsAndGradingMovesToTheNextOne() {
        var state = Fixture.searched(size: Size(width: 100, height: 30))
        _ = reduce(&state, .judgmentsLoaded(queryText: state.sideA.results.queryText, .success([2: 3, 3: 1, 5: 0])))
        _ = reduce(&state, .key(.char("u")))
        #expect(state.ungradedOnly)
        #expect(state.shownResultIndices == [0, 3, 5, 6, 7, 8, 9])
        let grid = render(state)
        #expect(grid.contains("Results · semantic · 10/10 · ungraded only"))
        #expect(grid.row(containing: "│  1 ") != nil)
        #expect(grid.row(containing: "│  2 ") == nil)
        _ = reduce(&state, .key(.down))
        #expect(state.sideA.results.selected == 3)
        _ = reduce(&state, .key(.char("2")))  // grades id 4, moves to the next ungraded (id 6)
        #expect(state.grades[4] == 2)
        #expect(state.sideA.results.selected == 5)
        #expect(state.shownResultIndices == [0, 5, 6, 7, 8, 9])
        _ = reduce(&state, .key(.char("u")))
        #expect(state.shownResultIndices.count == 10)
    }
}
