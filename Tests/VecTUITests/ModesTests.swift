import Foundation
import Testing

@testable import VecCore
@testable import VecTUI

/// A searched state in compare mode with B answered by `bIDs` (and recall measured on both sides).
private func comparing(
    aIDs: [Int] = Array(1...10), bIDs: [Int], size: Size = Size(width: 80, height: 24),
    editB: (inout SearchParams) -> Void = { _ in }
) -> AppState {
    var state = Fixture.searched(ids: aIDs, size: size)
    _ = reduce(&state, .recallMeasured(.a, generation: 1, .success(RecallMeasurement(k: 10, recall: 0.9))))
    state.focus = .results
    press(&state, .char("c"))
    editB(&state.compare!.sideB.params)
    let effects = reduce(&state, .key(.ctrl("r")))
    for effect in effects {
        switch effect {
        case .runSearch(.a, let generation, _, let params):
            _ = reduce(
                &state,
                .searchFinished(.a, generation: generation, .success(Fixture.response(ids: aIDs, params: params))))
            _ = reduce(
                &state, .recallMeasured(.a, generation: generation, .success(RecallMeasurement(k: 10, recall: 0.9))))
        case .runSearch(.b, let generation, _, let params):
            _ = reduce(
                &state,
                .searchFinished(.b, generation: generation, .success(Fixture.response(ids: bIDs, params: params))))
            _ = reduce(
                &state, .recallMeasured(.b, generation: generation, .success(RecallMeasurement(k: 10, recall: 0.6))))
        default: break
        }
    }
    return state
}

private let jobs = [
    JobEntry(
        id: "j01", title: "Senior Machine Learning Engineer – Search Relevance",
        text: "Search relevance at Harbourlight"),
    JobEntry(id: "j02", title: "Staff Backend Engineer – Payments", text: "Payments core at Tallyrun"),
    JobEntry(id: "j03", title: "Healthcare Data Scientist – Real-World Evidence", text: "Real-world evidence"),
]

@Suite("Compare mode (A/B)")
struct CompareReducerTests {
    @Test func cStartsCompareWithACopyOfTheParametersAndSearchesB() {
        var state = Fixture.searched()
        state.focus = .results
        let effects = press(&state, .char("c"))
        #expect(state.compare?.sideB.params == state.sideA.params)
        #expect(state.compare?.editing == .b)
        #expect(effects == [.runSearch(.b, generation: 2, text: state.editor.trimmedText, params: state.sideA.params)])
        #expect(state.compare?.sideB.status.inFlight == 2)
    }

    @Test func cTypesWhileEditingTheQuery() {
        var state = Fixture.searched()
        state.enterEditor()
        press(&state, .char("c"))
        #expect(state.compare == nil)
        #expect(state.editor.text.hasSuffix("c"))
    }

    @Test func parameterKeysEditBAndOnlyBIsSearchedAgain() {
        var state = comparing(bIDs: [1, 2, 3])
        state.focus = .parameters
        state.parameterSelection = TunableParameter.allCases.firstIndex(of: .efSearch)!
        let started = press(&state, .left)
        #expect(state.sideA.params.efSearch == 40)
        #expect(state.compare?.sideB.params.efSearch == 30)
        #expect(state.sideA.status.inFlight == nil)
        guard case .runSearch(.b, _, _, let params)? = started.first else {
            Issue.record("B did not search: \(started)")
            return
        }
        #expect(params.efSearch == 30)
        #expect(started.count == 1)
    }

    @Test func bSwitchesTheEditedSide() {
        var state = comparing(bIDs: [1, 2, 3])
        state.focus = .parameters
        state.parameterSelection = TunableParameter.allCases.firstIndex(of: .efSearch)!
        press(&state, .char("b"))
        #expect(state.compare?.editing == .a)
        press(&state, .right)
        #expect(state.sideA.params.efSearch == 50)
        #expect(state.compare?.sideB.params.efSearch == 40)
        #expect(state.sideA.status.requestParams?.efSearch == 50)
    }

    @Test func bWithoutCompareExplainsWhy() {
        var state = Fixture.searched()
        state.focus = .results
        press(&state, .char("b"))
        #expect(state.message?.text.contains("not comparing") == true)
    }

    @Test func ctrlRSearchesBothSides() {
        var state = comparing(bIDs: [1, 2, 3])
        let effects = press(&state, .ctrl("r"))
        #expect(effects.contains { if case .runSearch(.a, _, _, _) = $0 { return true } else { return false } })
        #expect(effects.contains { if case .runSearch(.b, _, _, _) = $0 { return true } else { return false } })
    }

    @Test func recallIsRoutedToItsSideByGeneration() {
        let state = comparing(bIDs: [3, 1, 2])
        #expect(state.sideA.results.recall?.recall == 0.9)
        #expect(state.compare?.sideB.results.recall?.recall == 0.6)
    }

    @Test func aLateAnswerForAnOldBSearchIsDropped() {
        var state = comparing(bIDs: [3, 1, 2])
        _ = reduce(&state, .searchFinished(.b, generation: 1, .success(Fixture.response(ids: [9]))))
        #expect(state.compare?.sideB.results.items.map(\.artifactID) == [3, 1, 2])
    }

    @Test func closingCompareCancelsBInFlight() {
        var state = comparing(bIDs: [3, 1, 2])
        let started = press(&state, .ctrl("r"))
        guard case .runSearch(.b, let generation, _, _)? = started.last else {
            Issue.record("no B search")
            return
        }
        let effects = press(&state, .char("c"))
        #expect(state.compare == nil)
        #expect(effects == [.cancelSearch(.b, generation: generation)])
    }

    @Test func overlapCountsSharedResultsInTheTopK() {
        #expect(CompareModel.overlap([1, 2, 3, 4], [4, 3, 9, 8], k: 4) == 2)
        #expect(CompareModel.overlap([1, 2, 3, 4], [4, 3, 9, 8], k: 2) == 0)
    }

    @Test func rightSelectsInBsRankingAndTheDetailAndGradesFollow() {
        // B holds 99, which A does not: only selecting on B's side reaches it.
        var state = comparing(aIDs: Array(1...10), bIDs: [3, 99, 1, 4, 5, 6, 7, 8, 9, 10])
        press(&state, .down)  // A's second row: artifact 2
        #expect(state.sideA.results.selected == 1)
        press(&state, .right)
        #expect(state.compare?.selecting == .b)
        // Artifact 2 is not in B: the selection stays at B's row 2 (artifact 99).
        #expect(state.activeResults.selectedResult?.artifactID == 99)
        press(&state, .enter)
        #expect(state.focus == .detail)
        let grid = render(state)
        #expect(grid.contains("Detail — B #2 of 10"))
        #expect(grid.contains(Fixture.result(id: 99, rank: 2).title))
        let effects = press(&state, .char("3"))
        #expect(
            effects.first
                == .saveJudgment(queryText: state.sideA.results.queryText, artifactID: 99, grade: 3, previousGrade: nil)
        )
        #expect(state.grades[99] == 3)
        // Grading moved on to B's #3; → is the next result on B's side inside the detail.
        #expect(render(state).contains("Detail — B #3 of 10"))
        press(&state, .right)
        #expect(grid != render(state))
        #expect(render(state).contains("Detail — B #4 of 10"))
        press(&state, .escape)
        // Back on A: the same artifact (4) is selected where A has it.
        press(&state, .left)
        #expect(state.compare?.selecting == .a)
        #expect(state.activeResults.selectedResult?.artifactID == 4)
        #expect(state.sideA.results.selected == 3)
    }

    @Test func leftAndRightSayWhyWhenNotComparing() {
        var state = Fixture.searched()
        state.focus = .results
        #expect(press(&state, .right).isEmpty)
        #expect(state.message?.text.contains("not comparing") == true)
    }
}

@Suite("Compare mode rendering")
struct CompareRenderTests {
    @Test func sideBySideAt80x24() {
        let state = comparing(bIDs: [3, 1, 2, 11, 4, 5, 6, 7, 12, 8]) { $0.efSearch = 10 }
        let lines = render(state).trimmedLines
        // Below 120 columns compare takes the parameters pane's width while the results have the focus; B's rows
        // stand beside A's of the same rank (no second # column) and the scores give way before the titles.
        #expect(lines[5] == "┌─ Compare A/B · overlap@10 8/10 · RBO 0.71 · 8 moved ── ←/→ side · c closes ──┐")
        #expect(lines[6] == "│ A ef_search 40                       │B ef_search 10                         │")
        #expect(lines[7] == "│  # Δ   J title                       │Δ   J title                            │")
        #expect(lines[8] == "│  1     · Kubernetes operator for Pos…│↑2  · Staff engineer, payments platfo… │")
        #expect(lines[11] == "│  4     · CKA: Certified Kubernetes A…│new · Terraform modules for EKS        │")
        #expect(lines[16] == "│  9 out · Streaming ETL with Kafka    │new · Rust SIMD distance kernels       │")
        // Two footer rows: recall and latency, then nDCG / P@k and the plan (the same fields on both sides).
        #expect(lines[17] == "│ recall@10 0.90 · client 14.2 ms      │recall@10 0.60 · client 14.2 ms        │")
        #expect(lines[18] == "│ nDCG@10 – · P@10 – · plan HNSW artif…│nDCG@10 – · P@10 – · plan HNSW artifa… │")
        // Each title column is at least 26 characters wide (it was 8 beside the parameters pane).
        for side in lines[7].split(separator: "│").prefix(2) {
            let title = side.range(of: "title")
            #expect(title.map { side.distance(from: $0.lowerBound, to: side.endIndex) } ?? 0 >= 26)
        }
    }

    @Test func pShowsTheParametersPaneBesideCompareAt80x24() {
        var state = comparing(bIDs: [3, 1, 2, 11, 4, 5, 6, 7, 12, 8]) { $0.efSearch = 10 }
        press(&state, .char("p"))
        let lines = render(state).trimmedLines
        #expect(state.focus == .parameters)
        #expect(lines[5].hasSuffix("┌─ Parameters · B ─────────┐"))
        #expect(lines[12].hasSuffix("│ ef_search       10     ≠ │"))
        #expect(lines[7].hasPrefix("│  # Δ   J title         │Δ   J title              ││"))
        press(&state, .tab)
        #expect(state.focus == .query)
        #expect(render(state).trimmedLines[5].hasSuffix("─ ←/→ side · c closes ──┐"))
    }

    @Test func sideBySideAt120x40() {
        let state = comparing(bIDs: [3, 1, 2, 11, 4, 5, 6, 7, 12, 8], size: Size(width: 120, height: 40)) {
            $0.efSearch = 10
            $0.method = .hybrid
        }
        let lines = render(state).trimmedLines
        #expect(lines[10].hasPrefix("┌─ Compare A/B · overlap@10 8/10 · RBO 0.71 · 8 moved ─"))
        #expect(lines[10].contains(" ←/→ side · c closes "))
        #expect(
            lines[11]
                == "│ A method semantic · ef_search 40       │B method hybrid · ef_search 10           ││ method          hybrid         ≠ │"
        )
        #expect(
            lines[12].hasPrefix("│  # Δ   J title                      sim│ # Δ   J title                       rel │"))
        #expect(
            lines[13].hasPrefix("│  1     · Kubernetes operator for… 0.900│ 1 ↑2  · Staff engineer, payment…  0.900 │"))
        // B is hybrid: its recall is that of its semantic candidates, and says so.
        #expect(
            lines[34].hasPrefix(
                "│ recall@10 0.90 · client 14.2 ms        │recall@10 (semantic candidates) 0.60     │"))
        #expect(
            lines[35].hasPrefix("│ nDCG@10 – · P@10 – · plan HNSW artifac…│nDCG@10 – · P@10 – · plan HNSW artifact… │"))
    }

    @Test func selectedResultIsReversedOnAAndUnderlinedOnB() {
        var state = comparing(bIDs: [3, 1, 2])
        state.focus = .results
        let grid = render(state)
        #expect(grid[5, 8].style.reverse)  // A row 1: artifact 1
        #expect(grid[45, 9].style.underline)  // B row 2: artifact 1
        #expect(!grid[45, 8].style.underline)
    }

    @Test func sameParametersAreSaidSo() {
        let state = comparing(bIDs: Array(1...10))
        let lines = render(state).trimmedLines
        #expect(lines[5].hasPrefix("┌─ Compare A/B · overlap@10 10/10 · RBO 1.00 · 0 moved "))
        #expect(lines[6].hasPrefix("│ A same parameters as B               │B same parameters as A"))
    }

    @Test func bStillSearchingSaysSo() {
        var state = Fixture.searched()
        state.focus = .results
        press(&state, .char("c"))
        let grid = render(state)
        #expect(grid.contains("Searching…"))
        #expect(grid.lines()[5].contains("searching"))
    }
}

@Suite("Job picker and file prompt")
struct JobPickerTests {
    @Test func ctrlTOpensThePickerAndEnterLoadsTheJob() {
        var state = AppState()
        state.jobs = jobs
        press(&state, .ctrl("t"))
        #expect(state.overlay == .jobs)
        press(&state, .down, .down, .up)
        #expect(state.jobPicker.selected == 1)
        let effects = press(&state, .enter)
        #expect(effects.contains { if case .runSearch = $0 { return true } else { return false } })
        #expect(state.overlay == nil)
        #expect(state.editor.text == "Payments core at Tallyrun")
        #expect(state.focus == .results && !state.isEditing)
        #expect(state.message?.text.contains("j02") == true)
    }

    @Test func ctrlTWithoutJobsExplains() {
        var state = AppState()
        press(&state, .ctrl("t"))
        #expect(state.overlay == nil)
        #expect(state.message?.text == "no fixture jobs were loaded")
    }

    @Test func escClosesThePickerWithoutLoading() {
        var state = AppState()
        state.jobs = jobs
        press(&state, .ctrl("t"), .escape)
        #expect(state.overlay == nil)
        #expect(state.editor.isEmpty)
    }

    @Test func pickerPreselectsTheLoadedJob() {
        var state = AppState()
        state.jobs = jobs
        _ = reduce(&state, .loadQuery(jobs[2].text))
        press(&state, .ctrl("t"))
        #expect(state.jobPicker.selected == 2)
    }

    @Test func pickerRendersAt80x24() {
        var state = AppState()
        state.jobs = jobs
        press(&state, .ctrl("t"), .down)
        let grid = render(state)
        let lines = grid.trimmedLines
        #expect(lines[9].contains("┌─ Fixture jobs · type to filter ─"))
        #expect(lines[9].contains(" Enter loads · Esc closes "))
        #expect(lines[10].contains("│ j01  Senior Machine Learning Engineer – Search Relevance"))
        #expect(lines[11].contains("│ j02  Staff Backend Engineer – Payments"))
        #expect(grid[12, 11].style.reverse)
        #expect(!grid[12, 10].style.reverse)
        #expect(grid.cursor == nil)
        // Typing filters the picker, so only keys that are not letters are hinted.
        #expect(lines[23] == " Enter load  Esc close  Ctrl-C quit  F1 help  Tab pane  Ctrl-R run")
    }

    @Test func pickerScrollsAt120x40WithManyJobs() {
        var state = AppState(size: Size(width: 120, height: 40))
        state.jobs = (1...60).map { JobEntry(id: String(format: "j%02d", $0), title: "Job \($0)", text: "text \($0)") }
        press(&state, .ctrl("t"), .end)
        #expect(state.jobPicker.selected == 59)
        let lines = render(state).trimmedLines
        #expect(lines[2].contains("┌─ Fixture jobs · type to filter ─"))
        #expect(lines[36].contains("│ j60  Job 60"))
        #expect(lines[37].contains(" 27–60 of 60 "))
    }

    @Test func ctrlOPromptTakesTypedTextIncludingQ() {
        var state = Fixture.searched()
        state.focus = .results
        press(&state, .ctrl("o"))
        #expect(state.overlay == .openFile)
        for character in "/tmp/q?.txt" { press(&state, .char(character)) }
        #expect(state.prompt.text == "/tmp/q?.txt")
        #expect(!state.isQuitting)
        press(&state, .backspace)
        let effects = press(&state, .enter)
        #expect(effects == [.readQueryFile(path: "/tmp/q?.tx")])
        #expect(state.overlay == nil)
    }

    @Test func enterOnAnEmptyPromptExplains() {
        var state = AppState()
        press(&state, .ctrl("o"))
        let effects = press(&state, .enter)
        #expect(effects.isEmpty)
        #expect(state.overlay == .openFile)
        #expect(state.message?.text == "type a file path first")
    }

    @Test func aReadFileBecomesTheQueryAndAFailureIsShown() {
        var state = AppState()
        _ = reduce(&state, .queryFileRead(path: "/tmp/j.txt", .success("Rust engineer")))
        #expect(state.editor.text == "Rust engineer")
        #expect(state.message?.text.hasPrefix("loaded /tmp/j.txt") == true)
        _ = reduce(&state, .queryFileRead(path: "/nope", .failure(TUIError(message: "no such file"))))
        #expect(state.editor.text == "Rust engineer")
        #expect(state.message == StatusMessage(text: "could not read /nope: no such file", kind: .error))
    }

    @Test func promptRendersWithTheCaretAt80x24() {
        var state = AppState()
        press(&state, .ctrl("o"))
        for character in "~/job.txt" { press(&state, .char(character)) }
        let grid = render(state)
        let lines = grid.trimmedLines
        #expect(lines[10].contains("┌─ Load the query from a file ─"))
        #expect(lines[11].contains("│ path ~/job.txt"))
        #expect(grid.cursor == Point(x: 20, y: 11))
        #expect(lines[23] == " Enter load  Esc cancel  Ctrl-C quit  F1 help  Tab pane  Ctrl-R run")
    }

    @Test func readingAFileExpandsTildeAndRejectsMissingFiles() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vecscope-job-\(getpid()).txt")
        try "Go developer\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try TUIRuntime.readQueryFile(url.path).get() == "Go developer\n")
        #expect(TUIRuntime.readQueryFile(url.path + ".missing") == .failure(TUIError(message: "no such file")))
    }
}

@Suite("Sweep view")
struct SweepTests {
    private func point(_ ef: Int) -> SweepPoint {
        SweepPoint(value: ef, recall: min(1, Double(ef) / 60), p50Ms: Double(ef) / 40, p95Ms: Double(ef) / 30)
    }

    @Test func sStartsASweepAroundTheCurrentEfSearch() {
        var state = Fixture.searched()
        state.focus = .results
        state.sideA.params.efSearch = 50
        let effects = press(&state, .char("s"))
        #expect(state.overlay == .sweep)
        #expect(
            effects == [
                .checkSweepData(id: 1, model: SearchParams.defaultModel),
                .runSweep(
                    id: 1, text: state.editor.trimmedText, params: state.sideA.params, knob: .efSearch,
                    values: [10, 20, 40, 50, 80, 160, 320, 640]),
            ])
        #expect(state.sweep?.isRunning == true)
    }

    @Test func sIsUnavailableForKeywordSearch() {
        var state = Fixture.searched()
        state.focus = .results
        state.sideA.params.method = .keyword
        let effects = press(&state, .char("s"))
        #expect(effects.isEmpty)
        #expect(state.overlay == nil)
        #expect(state.message?.text.contains("method is keyword") == true)
    }

    @Test func progressFillsPointsAndXStopsTheSweep() {
        var state = Fixture.searched()
        state.focus = .results
        press(&state, .char("s"))
        _ = reduce(&state, .sweepProgress(id: 1, point(10)))
        _ = reduce(&state, .sweepProgress(id: 7, point(20)))  // another sweep's: dropped
        #expect(state.sweep?.points == [point(10)])
        let effects = press(&state, .char("x"))
        #expect(effects == [.cancelSweep(id: 1)])
        _ = reduce(&state, .sweepFinished(id: 1, .failure(TUIError(message: "sweep stopped", isCancellation: true))))
        #expect(state.sweep?.phase == .cancelled)
        #expect(press(&state, .char("x")).isEmpty)
    }

    @Test func escClosesAndSReopensTheSameSweepWithoutRerunning() {
        var state = Fixture.searched()
        state.focus = .results
        press(&state, .char("s"))
        _ = reduce(&state, .sweepFinished(id: 1, .success([point(10), point(40)])))
        press(&state, .escape)
        #expect(state.overlay == nil)
        // Reopened, the finished sweep is shown again and only the data it ran on is checked.
        #expect(press(&state, .char("s")) == [.checkSweepData(id: 1, model: SearchParams.defaultModel)])
        #expect(state.overlay == .sweep)
        #expect(state.sweep?.selected == 1)  // the current ef_search (40)
        guard case .runSweep(let id, _, _, _, _)? = press(&state, .char("r")).last else {
            Issue.record("r did not rerun")
            return
        }
        #expect(id == 2)
    }

    @Test func enterAppliesTheSelectedEfSearch() {
        var state = Fixture.searched()
        state.focus = .results
        press(&state, .char("s"))
        _ = reduce(&state, .sweepFinished(id: 1, .success([point(10), point(40), point(80)])))
        press(&state, .right, .right, .char("l"))
        #expect(state.sweep?.selected == 2)
        press(&state, .enter)
        #expect(state.sideA.params.efSearch == 80)
        #expect(state.overlay == nil)
        #expect(state.sideA.status.requestParams?.efSearch == 80)  // the results refresh at once
        #expect(state.message?.text.hasPrefix("ef_search 80: recall 1.00") == true)
    }

    @Test func chartAndTableAt80x24() {
        var state = Fixture.searched()
        state.choices = ParameterChoices(indexes: [SearchParams.defaultModel: [PlanViewTests.hnsw]])
        state.focus = .results
        press(&state, .char("s"))
        for ef in [10, 20, 40, 80] { _ = reduce(&state, .sweepProgress(id: 1, point(ef))) }
        let grid = render(state)
        let lines = grid.trimmedLines
        #expect(lines[5].hasPrefix("┌─ Sweep ef_search · recall@10 vs p95 latency ─"))
        #expect(lines[5].contains(" 4/7 · x stops "))
        // The index swept, pinned and named; the latency axis is logarithmic and says so.
        #expect(lines[6] == "│ index ae_hnsw_cosine_m (HNSW, pinned)                                        │")
        #expect(lines[7].hasPrefix("│ 1.00│ "))
        #expect(lines[7].hasSuffix("  ef recall    p50    p95 │"))
        #expect(lines[17].hasPrefix("│     0.33  p95 ms, log scale · 20 runs each  2.67 "))
        // p95 doubles with ef_search: on a log axis the points sit evenly spaced, each labelled with its value.
        #expect(lines[15].hasPrefix("│ 0.15│●10 "))
        #expect(lines[13].hasPrefix("│     │              ●20 "))
        #expect(lines[10].hasPrefix("│     │                            ◆40 "))
        #expect(lines[7].hasPrefix("│ 1.00│                                        80● "))
        #expect(lines[10].hasSuffix("◆  40   0.67   1.00   1.33 │"))
        #expect(lines[11].hasSuffix("   80   1.00   2.00   2.67 │"))
        #expect(lines[18] == "│ ◆ current 40 · selected 40: recall 0.67 p95 1.33 ms · Enter applies          │")
        #expect(grid[60, 10].style.reverse)  // the selected row of the table
        #expect(lines[23].hasPrefix(" Enter apply  r rerun  x stop  Esc close"))
    }

    @Test func chartAt120x40AndAFailureIsShown() {
        var state = Fixture.searched(size: Size(width: 120, height: 40))
        state.focus = .results
        press(&state, .char("s"))
        for ef in [10, 20, 40] { _ = reduce(&state, .sweepProgress(id: 1, point(ef))) }
        _ = reduce(&state, .sweepFinished(id: 1, .failure(TUIError(message: "relation does not exist"))))
        let lines = render(state).trimmedLines
        #expect(lines[10].contains(" failed · r reruns "))
        #expect(lines[11].hasPrefix("│ no vector index of this model: the planner's choice"))
        #expect(lines[12].hasPrefix("│ 1.00│"))
        #expect(lines[35].hasPrefix("│ ✖ relation does not exist"))
        #expect(lines[34].contains("p95 ms, log scale · 20 runs each"))
    }

    @Test func valuesAreADoublingLadderWithTheCurrentSetting() {
        #expect(SweepKnob.efSearch.values(around: 40) == [10, 20, 40, 80, 160, 320, 640])
        #expect(SweepKnob.efSearch.values(around: 1000) == [10, 20, 40, 80, 160, 320, 640, 1000])
        #expect(SweepKnob.probes.values(around: 1) == [1, 2, 4, 8, 16, 32, 64, 128])
        // Probes stop at the index's lists: more scan the same lists.
        #expect(SweepKnob.probes.values(around: 3, lists: 10) == [1, 2, 3, 4, 8, 10])
    }
}

@Suite("New keys in help")
struct ModesHelpTests {
    @Test func helpListsCompareJobsFileAndSweepKeys() {
        var state = Fixture.searched(size: Size(width: 120, height: 40))
        state.focus = .results
        state.jobs = jobs
        press(&state, .char("?"))
        let text = HelpView.lines(state, width: 72).map { $0.map(\.text).joined() }
        for expected in [
            "compare mode (A/B)", "switch the side (A or B)", "Ctrl-T/F2", "Ctrl-O/F3", "sweep the index knob",
            "Job list (Ctrl-T)", "load the job as the query and search it", "File and value prompts (Ctrl-O, :)",
            "Sweep view (s)", "use the selected point's value", "stop the sweep",
        ] {
            #expect(text.contains { $0.contains(expected) }, "\(expected) missing from help")
        }
    }

    @Test func everyBindingAppearsInSomeHelpSection() {
        let listed = Pane.allCases.flatMap { pane -> [String] in
            var state = AppState()
            state.focus = pane
            return Keymap.helpSections(for: state).flatMap { $0.bindings.map(\.description) }
        }
        for binding in Keymap.bindings where !binding.description.isEmpty && binding.scope != .help {
            #expect(listed.contains(binding.description), "\(binding.keyLabel) is not in help")
        }
    }
}

@Suite("Runtime: compare and sweep")
struct ModesRuntimeTests {
    @Test func compareRunsBOnItsOwnWorker() {
        let backend = FakeBackend()
        let runtime = TUIRuntime(backend: backend, state: AppState())
        runtime.dispatch(.paste("Go developer"))
        runtime.dispatch(.key(.ctrl("r")))
        #expect(pump(runtime) { $0.sideA.results.response != nil })
        runtime.dispatch(.key(.tab))
        runtime.dispatch(.key(.char("c")))
        #expect(pump(runtime) { $0.compare?.sideB.results.response != nil && $0.compare?.sideB.results.recall != nil })
        #expect(runtime.currentState.compare?.sideB.results.items.map(\.artifactID) == [3, 1, 4])
        #expect(backend.compareSearches.count == 1)
    }

    @Test func sweepStreamsPointsAndCanBeStopped() {
        let backend = FakeBackend()
        backend.sweepDelay = 0.05
        let runtime = TUIRuntime(backend: backend, state: AppState())
        runtime.dispatch(.paste("Go developer"))
        runtime.dispatch(.key(.tab))
        runtime.dispatch(.key(.char("s")))
        #expect(pump(runtime) { ($0.sweep?.points.count ?? 0) >= 1 })
        runtime.dispatch(.key(.char("x")))
        #expect(pump(runtime) { $0.sweep?.phase == .cancelled })
        #expect((runtime.currentState.sweep?.points.count ?? 0) < 7)
    }

    @Test func fileReadComesBackAsTheQuery() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vecscope-rt-\(getpid()).txt")
        try "Kotlin engineer".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let runtime = TUIRuntime(backend: FakeBackend(), state: AppState())
        runtime.dispatch(.key(.ctrl("o")))
        runtime.dispatch(.paste(url.path))
        runtime.dispatch(.key(.enter))
        #expect(pump(runtime) { $0.editor.text == "Kotlin engineer" })
    }
}

@Suite("Compare mode shows relevance")
struct CompareRelevanceTests {
    @Test func eachSideShowsGradesNDCGPAndItsPlanAndTheTitleRBO() {
        var state = comparing(bIDs: [3, 1, 2, 11, 4, 5, 6, 7, 12, 8], size: Size(width: 120, height: 40))
        state.grades = [1: 3, 2: 2, 3: 0]
        state.gradesQuery = state.sideA.results.queryText
        let lines = render(state).trimmedLines
        // overlap@10 counts 8 shared; RBO weighs the top, where B put an irrelevant result first.
        let rbo = RankingMetrics.rankBiasedOverlap(Array(1...10), [3, 1, 2, 11, 4, 5, 6, 7, 12, 8], depth: 10)
        #expect(lines[10].hasPrefix("┌─ Compare A/B · overlap@10 8/10 · RBO \(String(format: "%.2f", rbo)) · 8 moved"))
        #expect(lines[13].hasPrefix("│  1     3 Kubernetes operator"))
        #expect(lines[13].contains("│ 1 ↑2  0 Staff engineer"))
        #expect(lines[14].contains("│ 2 ↓1  3 Kubernetes operator"))
        // By hand: A = 7/log2(2) + 3/log2(3) over the same ideal → 1.00; B = 7/log2(3) + 3/log2(4) → 0.67.
        let footer = lines[35]
        #expect(footer.hasPrefix("│ nDCG@10 1.00 · P@10 0.20 · plan HNSW a…│nDCG@10 0.67 · P@10 0.20 · plan HNSW ar…"))
    }
}
