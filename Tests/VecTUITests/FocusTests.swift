import Testing

@testable import VecCore
@testable import VecTUI

private let job = JobEntry(id: "j01", title: "Senior Go Engineer", text: "Go, Kubernetes and Postgres on call")

/// Issue 16, items 1 and 2: focus never eats a key, Enter runs.
@Suite("Focus and the query editor")
struct FocusTests {
    @Test func theAppStartsOnResultsWithCommandKeysActive() {
        var state = AppState()
        #expect(state.focus == .results)
        #expect(!state.isTyping)
        press(&state, .char("?"))
        #expect(state.overlay == .help)
        #expect(state.editor.text.isEmpty)
    }

    @Test func slashEntersTheEditorAndEscLeavesIt() {
        var state = AppState()
        press(&state, .char("/"))
        #expect(state.focus == .query && state.isEditing && state.isTyping)
        typeKeys(&state, "q?p")
        #expect(state.editor.text == "q?p")
        #expect(!state.isQuitting && state.overlay == nil)
        press(&state, .escape)
        #expect(!state.isEditing && !state.isTyping)
        press(&state, .char("p"))
        #expect(state.focus == .parameters)
        #expect(state.editor.text == "q?p")
    }

    @Test func enterOnTheQueryPaneEntersTheEditor() {
        var state = AppState()
        press(&state, .backTab)
        #expect(state.focus == .query && !state.isEditing)
        press(&state, .char("c"))  // a command, not text
        #expect(state.editor.text.isEmpty)
        press(&state, .char("c"))
        press(&state, .enter)
        #expect(state.isEditing)
    }

    @Test func enterRunsTheQueryAndLeavesTheEditor() {
        var state = AppState()
        press(&state, .char("/"))
        typeKeys(&state, "rust engineer")
        let effects = press(&state, .enter)
        #expect(
            effects.contains {
                if case .runSearch(.a, _, "rust engineer", _) = $0 { return true } else { return false }
            })
        #expect(state.focus == .results && !state.isEditing)
        #expect(state.editor.text == "rust engineer")
        // After the search the single keys act: s opens the sweep, c compare, ? help, q quits.
        press(&state, .char("c"))
        #expect(state.compare != nil)
        press(&state, .char("c"), .char("?"))
        #expect(state.overlay == .help)
        press(&state, .escape, .char("q"))
        #expect(state.isQuitting)
    }

    @Test func altEnterAndCtrlJInsertNewLines() {
        var state = AppState()
        press(&state, .char("/"))
        typeKeys(&state, "a")
        press(&state, Key(.enter, .alt))
        typeKeys(&state, "b")
        press(&state, .ctrl("j"))
        typeKeys(&state, "c")
        #expect(state.editor.lines == ["a", "b", "c"])
        #expect(state.isEditing)
    }

    @Test func aBracketedPasteKeepsItsNewLinesAndEntersTheEditor() {
        var state = Fixture.searched()
        #expect(state.focus == .results)
        _ = reduce(&state, .paste("one\ntwo"))
        #expect(state.isEditing)
        #expect(state.editor.text.hasSuffix("one\ntwo"))
    }

    @Test func aJobFromTheCommandLineIsSearchedAtStart() {
        var state = AppState()
        _ = reduce(&state, .loadJob(job))
        #expect(state.focus == .results && !state.isEditing)
        let effects = reduce(&state, .started)
        #expect(effects.contains { if case .runSearch(.a, _, job.text, _) = $0 { return true } else { return false } })
    }

    @Test func pickingAJobLoadsAndSearchesIt() {
        var state = AppState()
        state.jobs = [job]
        press(&state, .char("/"))
        typeKeys(&state, "draft")
        press(&state, .ctrl("t"))
        #expect(state.overlay == .jobs)
        let effects = press(&state, .enter)
        #expect(effects.contains { if case .runSearch(.a, _, job.text, _) = $0 { return true } else { return false } })
        #expect(state.loadedJob == job)
        #expect(state.focus == .results && !state.isEditing && state.overlay == nil)
    }

    @Test func aLoadedFileIsSearched() {
        var state = AppState()
        press(&state, .char("/"))
        let effects = reduce(&state, .queryFileRead(path: "/tmp/job.txt", .success("Kafka streaming")))
        #expect(
            effects.contains {
                if case .runSearch(.a, _, "Kafka streaming", _) = $0 { return true } else { return false }
            })
        #expect(!state.isEditing && state.focus == .results)
    }

    @Test func theEndOfTheFirstRunSearchesTheFirstJob() {
        var state = AppState()
        state.jobs = [job]
        state.setup = SetupModel(
            plan: DemoSetup.Plan(loadsFixtures: true, artifactsToEmbed: 252, model: "all-MiniLM-L6-v2"))
        let effects = reduce(&state, .setupFinished(.success("252 artifacts")))
        #expect(state.setup == nil)
        #expect(state.loadedJob == job)
        #expect(effects.contains { if case .runSearch = $0 { return true } else { return false } })
    }

    @Test func theQueryTitleNamesTheJobAndHowManyResultsAreGraded() {
        var state = AppState(size: Size(width: 100, height: 30))
        state.jobs = [job]
        state.database = .connected
        _ = reduce(&state, .loadJob(job))
        let effects = reduce(&state, .started)
        guard case .runSearch(.a, let generation, _, _)? = effects.first else {
            Issue.record("no search started")
            return
        }
        _ = reduce(&state, .searchFinished(.a, generation: generation, .success(Fixture.response(ids: Array(1...10)))))
        _ = reduce(&state, .judgmentsLoaded(queryText: job.text, .success([1: 3, 2: 0, 99: 1])))
        let title = render(state).lines()[0]
        #expect(title.contains("j01 Senior Go Engineer"))
        // 2 of the 10 shown are graded; the job has 3 graded results in all (artifact 99 is not on screen).
        #expect(title.contains("· 2/10 graded · 3 in all"))
        // At 80 columns a long job title gives way, the counts stay.
        state.size = Size(width: 80, height: 24)
        state.loadedJob = JobEntry(
            id: "j01", title: "Senior Machine Learning Engineer – Search Relevance and Ranking", text: job.text)
        let narrow = render(state).lines()[0]
        #expect(narrow.contains("j01 Senior Machine Learni… · 2/10 graded · 3 in all"))
        press(&state, .char("/"))
        typeKeys(&state, " extra")
        #expect(state.loadedJobIsEdited)
        #expect(render(state).lines()[0].contains("EDITING · Esc to leave"))
    }

    @Test func helpListsOnlyKeysThatWorkWhileEditingAsEverywhere() {
        let sections = Keymap.helpSections(for: .results)
        let everywhere = sections.first { $0.title == "Everywhere" }?.bindings ?? []
        #expect(!everywhere.isEmpty)
        #expect(everywhere.allSatisfy { $0.keys.contains { $0.typedCharacter == nil } })
        // Every listed "everywhere" key does the same in the editor as on the results.
        for binding in everywhere {
            guard let key = binding.keys.first(where: { $0.typedCharacter == nil }) else { continue }
            var editing = AppState()
            editing.enterEditor()
            let found = Keymap.binding(for: key, in: editing)
            #expect(found != nil, "\(key) does nothing in the editor")
        }
    }
}

/// Issue 16, item 9: keys that arrive together.
@Suite("Input bursts")
struct InputBurstTests {
    private func drain(_ actions: [Action], typing: (Int) -> Bool) -> [Action] {
        var pending = actions[...]
        var out: [Action] = []
        while let next = InputBurst.next(&pending, typing: typing(out.count)) { out.append(next) }
        return out
    }

    private func keys(_ text: String) -> [Action] {
        text.map { $0 == "\n" ? .key(.enter) : .key(.char($0)) }
    }

    @Test func aLongUnbracketedPasteOutsideTheEditorIsOnePaste() {
        let text = String(repeating: "sentence ", count: 1_200)  // 10,800 characters
        let out = drain(keys(text), typing: { _ in false })
        #expect(out == [.paste(text)])
    }

    @Test func lineBreaksInsideAPasteAreText() {
        let out = drain(keys("first line\nsecond line\n"), typing: { _ in true })
        #expect(out == [.paste("first line\nsecond line"), .key(.enter)])
    }

    @Test func typingThenEnterStillRuns() {
        let out = drain(keys("go\n"), typing: { _ in true })
        #expect(out == [.paste("go"), .key(.enter)])
    }

    @Test func fewKeysOutsideTheEditorStayCommands() {
        let out = drain(keys("jjk3q"), typing: { _ in false })
        #expect(out == keys("jjk3q"))
    }

    @Test func slashThenTextEntersTheEditorFirst() {
        let text = "/platform engineer with Kubernetes\n"
        // The slash is a command; the editor is open after it.
        let out = drain(keys(text), typing: { $0 > 0 })
        #expect(out == [.key(.char("/")), .paste("platform engineer with Kubernetes"), .key(.enter)])
    }

    /// The whole path through the reducer: 10,000 characters typed as keys arrive whole.
    @Test func tenThousandKeysArriveWhole() {
        var state = AppState()
        let text = (0..<10_000).map { i in Character(Unicode.Scalar(UInt8(97 + i % 26))) }
        var pending = text.map { Action.key(.char($0)) }[...]
        while let next = InputBurst.next(&pending, typing: state.isTyping) { _ = reduce(&state, next) }
        #expect(state.editor.text == String(text))
        #expect(state.editor.text.count == 10_000)
    }
}
