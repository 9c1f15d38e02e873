import Testing

@testable import VecCore
@testable import VecTUI

/// Issue 16, item 11: the `:` prompt, the user match, the mouse.
@Suite("Conventions: value prompt and mouse")
struct ConventionTests {
    private let choices = ParameterChoices(
        users: ["u01", "u07", "u12"], models: ["all-MiniLM-L6-v2", "synthetic-64"],
        userNames: ["u01": "Ada Lovelace", "u07": "Grace Hopper", "u12": "Alan Turing"])

    @Test func colonEfSetsTheValueAndSearchesAgain() {
        var state = Fixture.searched()
        press(&state, .char(":"))
        #expect(state.overlay == .valuePrompt && state.isTyping)
        typeKeys(&state, "ef 64")
        press(&state, .enter)
        #expect(state.overlay == nil)
        #expect(state.sideA.params.efSearch == 64)
        #expect(state.sideA.status.requestParams?.efSearch == 64)  // the results refresh at once
    }

    @Test func colonLimitAndKAreIndependent() {
        var state = Fixture.searched()
        press(&state, .char(":"))
        typeKeys(&state, "limit 30")
        press(&state, .enter)
        press(&state, .char(":"))
        typeKeys(&state, "k 5")
        let effects = press(&state, .enter)
        #expect(state.sideA.params.limit == 30)
        #expect(state.ndcgK == 5)
        #expect(effects.contains { if case .scoreRanking(_, _, _, 5) = $0 { return true } else { return false } })
    }

    @Test func aBadValueSaysWhyAndKeepsThePromptOpen() {
        var state = Fixture.searched()
        press(&state, .char(":"))
        typeKeys(&state, "ef lots")
        press(&state, .enter)
        #expect(state.overlay == .valuePrompt)
        #expect(state.message?.kind == .error)
        #expect(state.message?.text.contains("ef_search takes a number") == true)
        press(&state, .escape)
        #expect(state.overlay == nil)
    }

    @Test func usersMatchByIdOrNameFuzzily() {
        let params = AppState.defaultParams
        #expect(
            ValueCommand.parse("user u07", params: params, choices: choices).map(\.userScope) == .success(.user("u07")))
        #expect(
            ValueCommand.parse("user grace", params: params, choices: choices).map(\.userScope)
                == .success(.user("u07")))
        #expect(ValueCommand.parse("user all", params: params, choices: choices).map(\.userScope) == .success(.all))
        // "a" is in every name: several matches are listed, nothing is chosen.
        guard case .failure(let error) = ValueCommand.parse("user a", params: params, choices: choices) else {
            Issue.record("an ambiguous user was accepted")
            return
        }
        #expect(error.message.contains("matches 3 users"))
        #expect(UserMatch.candidates("tur", in: choices) == ["u12"])
    }

    @Test func theUserPromptListsMatchesWithNames() {
        var state = Fixture.searched()
        state.choices = choices
        press(&state, .char(":"))
        typeKeys(&state, "user ho")
        #expect(render(state).contains("1 match: u07 Grace Hopper"))
    }

    @Test func aClickSelectsTheResultUnderItAndFocusesResults() {
        var state = Fixture.searched()
        state.focus = .parameters
        let layout = Layout(for: state)
        _ = reduce(&state, .mouse(.click, at: Point(x: layout.results.x + 5, y: layout.results.y + 2 + 4)))
        #expect(state.focus == .results)
        #expect(state.sideA.results.selected == 4)
    }

    @Test func aClickOnTheQueryEntersTheEditorAndOnAParameterSelectsIt() {
        var state = Fixture.searched()
        let layout = Layout(for: state)
        _ = reduce(&state, .mouse(.click, at: Point(x: layout.query.x + 3, y: layout.query.y + 1)))
        #expect(state.isEditing)
        _ = reduce(&state, .mouse(.click, at: Point(x: layout.parameters.x + 3, y: layout.parameters.y + 3)))
        #expect(state.focus == .parameters && !state.isEditing)
        #expect(state.parameterSelection == 2)
    }

    @Test func theWheelScrollsThePaneUnderIt() {
        var state = Fixture.searched()
        let layout = Layout(for: state)
        _ = reduce(&state, .mouse(.wheelDown, at: Point(x: layout.results.x + 3, y: layout.results.y + 3)))
        #expect(state.sideA.results.selected == Reducer.wheelStep)
        _ = reduce(&state, .mouse(.wheelUp, at: Point(x: layout.results.x + 3, y: layout.results.y + 3)))
        #expect(state.sideA.results.selected == 0)
    }
}

extension ValueCommand {
    fileprivate var userScope: UserScope? {
        if case .params(let params, _) = self { return params.userScope }
        return nil
    }
}
