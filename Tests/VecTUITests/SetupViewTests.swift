import Foundation
import Testing

@testable import VecCore
@testable import VecTUI

private let firstRun = DemoSetup.Plan(loadsFixtures: true, artifactsToEmbed: 0, model: "all-MiniLM-L6-v2")
private let missing = DemoSetup.Plan(loadsFixtures: false, artifactsToEmbed: 3000, model: "all-MiniLM-L6-v2")

private func state(_ plan: DemoSetup.Plan, query: String = "") -> AppState {
    var state = AppState(size: Size(width: 100, height: 30), connectionTarget: "127.0.0.1:5432/vecscope")
    state.database = .connected
    if !query.isEmpty { _ = reduce(&state, .loadQuery(query)) }
    state.setup = SetupModel(plan: plan)
    _ = reduce(&state, .tick(now: 5))
    return state
}

@Suite("Set-up screen")
struct SetupViewTests {
    @Test func theFirstRunStartsOnItsOwnAndShowsEachStep() throws {
        var s = state(firstRun, query: "Senior search engineer")
        #expect(reduce(&s, .started) == [.runSetup(loadFixtures: true, embed: true)])
        #expect(reduce(&s, .started).isEmpty)  // only once
        var grid = render(s)
        #expect(grid.contains("getting the database ready"))
        #expect(grid.contains("First run: the database holds no artifacts"))
        #expect(!grid.contains("Results"))  // the panes wait
        _ = reduce(&s, .setupProgress(DemoSetup.Progress(step: .loading, done: 252, total: 252)))
        _ = reduce(&s, .setupStepDone("loaded 252 artifacts of 12 people"))
        _ = reduce(&s, .tick(now: 6))
        _ = reduce(&s, .setupProgress(DemoSetup.Progress(step: .embedding, done: 0, total: 987)))
        _ = reduce(&s, .tick(now: 16))
        _ = reduce(&s, .setupProgress(DemoSetup.Progress(step: .embedding, done: 200, total: 987)))
        grid = render(s)
        #expect(grid.contains("✔ loaded 252 artifacts of 12 people"))
        #expect(grid.contains("embedding · 11s elapsed"))
        let bar = try #require(grid.row(containing: "200/987 texts"))
        #expect(bar.contains("█") && bar.contains("20.0/s · ~39s left"))
        #expect(grid.contains("q quits at any time"))

        // Keys do not reach the hidden editor; Esc cannot skip a running set-up.
        #expect(reduce(&s, .key(.char("x"))).isEmpty)
        #expect(reduce(&s, .key(.escape)).isEmpty)
        #expect(s.editor.text == "Senior search engineer" && s.setup != nil)

        // Done: the panes appear, the choices reload, and the query from the command line runs.
        let effects = reduce(&s, .setupFinished(.success("loaded …; embedded 987 texts")))
        #expect(s.setup == nil)
        #expect(effects.first == .loadChoices)
        #expect(effects.contains { if case .runSearch(.a, _, _, _) = $0 { return true } else { return false } })
        #expect(render(s).contains("Results"))
        #expect(s.message?.text.hasPrefix("ready: ") == true)
    }

    @Test func aFewMissingVectorsAreEmbeddedWithoutAsking() {
        var s = state(DemoSetup.Plan(loadsFixtures: false, artifactsToEmbed: 252, model: "all-MiniLM-L6-v2"))
        #expect(reduce(&s, .started) == [.runSetup(loadFixtures: false, embed: true)])
        #expect(render(s).contains("so vecscope embeds them now"))
    }

    @Test func progressTailGivesRateAndTimeLeftOnceThereIsARate() {
        #expect(Format.progressTail(done: 0, total: 10, unit: "texts", seconds: 5) == " 0/10 texts")
        #expect(Format.progressTail(done: 5, total: 10, unit: "texts", seconds: 0.2) == " 5/10 texts")
        #expect(
            Format.progressTail(done: 10, total: 10_000, unit: "tuples", seconds: 1)
                == " 10/10000 tuples · 10.0/s · ~17 min left")
    }

    @Test func missingVectorsAskFirstAndEscSkips() {
        var s = state(missing)
        #expect(reduce(&s, .started).isEmpty)
        let grid = render(s)
        #expect(grid.contains("3000 artifacts have no current all-MiniLM-L6-v2 vector"))
        #expect(grid.contains("Enter embeds them now"))
        #expect(grid.row(containing: "Enter embed") != nil)  // the hint line
        _ = reduce(&s, .key(.escape))
        #expect(s.setup == nil)
        #expect(s.message?.text.contains("vecscope embed") == true)
    }

    @Test func enterStartsAFailureShowsWhyAndEnterRetries() {
        var s = state(missing)
        #expect(reduce(&s, .key(.enter)) == [.runSetup(loadFixtures: false, embed: true)])
        #expect(reduce(&s, .key(.enter)).isEmpty)
        _ = reduce(&s, .setupFinished(.failure(TUIError(message: "model weights not found in /x"))))
        let grid = render(s)
        #expect(grid.contains("✖ model weights not found in /x"))
        #expect(grid.contains("Enter retries · Esc skips"))
        #expect(reduce(&s, .key(.enter)) == [.runSetup(loadFixtures: false, embed: true)])
        #expect(reduce(&s, .key(.char("q"))).last == .quit)
    }
}

@Suite("Set-up on the runtime")
struct SetupRuntimeTests {
    @Test func theRuntimeRunsTheSetupAndOpensThePanes() {
        let backend = FakeBackend()
        var initial = AppState(connectionTarget: "test")
        initial.setup = SetupModel(plan: firstRun)
        let runtime = TUIRuntime(backend: backend, state: initial)
        runtime.dispatch(.started)
        #expect(pump(runtime) { $0.setup == nil })
        #expect(backend.setups.count == 1 && backend.setups.first?.0 == true)
    }
}
