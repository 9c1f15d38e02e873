import Testing

@testable import VecTUI

@Suite("Keybindings as data")
struct KeymapTests {
    @Test func noKeyIsBoundTwiceInOneScope() {
        var seen: [String: String] = [:]
        for binding in Keymap.bindings {
            for key in binding.keys {
                let id = "\(binding.scope) \(key)"
                #expect(seen[id] == nil, "\(key) is bound to both \(seen[id] ?? "") and \(binding.description)")
                seen[id] = binding.description
            }
        }
    }

    @Test func everyPaneHasHelpAndHints() {
        for pane in Pane.allCases {
            let sections = Keymap.helpSections(for: pane)
            #expect(sections.count == (pane == .query ? 4 : 3))
            #expect(!sections[0].bindings.isEmpty, "no keys listed for \(pane)")
            var state = AppState()
            state.focus = pane
            #expect(!Keymap.hints(for: state).isEmpty)
        }
    }

    @Test func theEditorHasNoPrintableBindings() {
        // Anything printable in the query editor must be typed, so no editor binding may claim one.
        for binding in Keymap.bindings where binding.scope == .editor {
            for key in binding.keys { #expect(key.typedCharacter == nil, "\(key) would never reach the editor") }
        }
    }

    @Test func lookupPrefersThePaneOverGlobal() {
        var state = Fixture.searched()
        state.focus = .results
        #expect(Keymap.binding(for: .char("r"), in: state)?.command == .runSearch)
        #expect(Keymap.binding(for: .enter, in: state)?.command == .openDetail)
        state.focus = .query
        #expect(Keymap.binding(for: .enter, in: state)?.command == .editQuery)
        #expect(Keymap.binding(for: .char("q"), in: state)?.command == .quit)
        state.enterEditor()
        #expect(Keymap.binding(for: .enter, in: state)?.command == .runSearch)
        #expect(Keymap.binding(for: Key(.enter, .alt), in: state)?.command == .edit(.newline))
        #expect(Keymap.binding(for: .char("q"), in: state) == nil)
        #expect(Keymap.binding(for: .ctrl("c"), in: state)?.command == .quit)
    }

    @Test func helpOverlayTakesItsOwnKeysFirst() {
        var state = AppState()
        state.overlay = .help
        #expect(Keymap.binding(for: .escape, in: state)?.command == .toggleHelp)
        #expect(Keymap.binding(for: .char("q"), in: state)?.command == .toggleHelp)
    }

    @Test func keysDescribeThemselvesForHelp() {
        #expect(Key.ctrl("r").description == "Ctrl-R")
        #expect(Key(.right, .shift).description == "Shift-→")
        #expect(Key.alt("b").description == "Alt-b")
        #expect(Key.char(" ").description == "Space")
        #expect(Key.backTab.description == "Shift-Tab")
    }

    @Test func rankChangeLabels() {
        #expect(RankChange.up(2).label == "↑2")
        #expect(RankChange.down(1).label == "↓1")
        #expect(RankChange.new.label == "new")
        #expect(RankChange.same.label == "")
    }
}

@Suite("Parameter help")
struct ParameterHelpTests {
    @Test(arguments: TunableParameter.allCases)
    func helpFitsTwoRowsOfTheNarrowPane(parameter: TunableParameter) {
        let width = Layout(size: Size(width: 80, height: 24)).parameters.width - 4
        #expect(TextWrap.wrap(parameter.help, width: width).count <= Layout.parameterHelpRows, "\(parameter.help)")
    }
}
