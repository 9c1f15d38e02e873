/// What a key does, independent of which key does it. The reducer performs commands; the help lists them.
public enum Command: Equatable, Sendable {
    case quit, toggleHelp, back, nextPane, previousPane, focus(Pane), runSearch
    /// Give the query editor the keys (`/`, or Enter on the query pane).
    case editQuery
    /// Fold the parameters pane away (the results take its width) or unfold it.
    case toggleParameters
    /// Lists and scrolling panes (results, parameters, detail, help).
    case moveUp, moveDown, pageUp, pageDown, moveToTop, moveToBottom
    case openDetail, previousResult, nextResult
    /// More like this: the selected result's stored vector becomes the query (`@user/id`), searched at once.
    case moreLikeThis
    /// Judging: grade 0…3 the selected result for the current query, or remove its grade; jump to the next or
    /// previous result without a grade; export the query's grades to a TSV file.
    case grade(Int), clearGrade, nextUngraded(Int), exportGrades, toggleUngradedOnly
    /// The job picker's filter: delete its last character.
    case deleteFilterCharacter
    /// Parameters: step the selected knob (−1/+1, `large` with Shift) or reset it.
    case adjust(direction: Int, large: Bool), resetParameter
    case edit(EditorCommand)
    case historyOlder, historyNewer
    /// Compare mode: open/close it, and choose the side (A/B) the parameter keys edit.
    case toggleCompare, switchCompareSide
    /// Fixture jobs and files as the query.
    case openJobPicker, loadSelectedJob, openFilePrompt, submitPrompt
    /// The `:` prompt: a knob and its value typed at once.
    case openValuePrompt
    /// The sweep view: open it (starting a sweep when needed), run again, stop, pick a point, apply it.
    case openSweep, rerunSweep, cancelSweep, selectSweepPoint(Int), applySweepPoint
    /// The index view: open it, refresh the list, open the create form, rebuild or drop the selected index (drop asks
    /// first), confirm the drop, stop the running job; in the form, move between fields, step a value, build.
    case openIndexes, refreshIndexes, newIndex, reindexSelected, dropSelected, confirmDrop, cancelIndexJob
    case indexFormField(Int), indexFormAdjust(direction: Int, large: Bool), indexFormRecommended, submitIndexForm
    /// The health view: open it (reading the report), read the report again.
    case openHealth, refreshHealth
    /// The set-up screen: start (or retry) it, or skip it and go to the panes.
    case startSetup, skipSetup
    /// Compare mode: the results keys act on this side's ranking.
    case selectCompareSide(Side)
}

/// Editing commands of the query editor.
public enum EditorCommand: Equatable, Sendable {
    case left, right, up, down, wordLeft, wordRight, lineStart, lineEnd, textStart, textEnd
    case newline, deleteBackward, deleteForward, deleteWordBackward, deleteToLineEnd, deleteToLineStart, clear
}

/// Where a binding applies.
public enum BindingScope: Equatable, Sendable {
    /// Everywhere (printable keys excepted while typing in the editor).
    case global
    /// Only while this pane has focus (for the query pane: while its editor is not entered).
    case pane(Pane)
    /// Only while the query editor has the keys (printable keys are typed into it).
    case editor
    /// Only while the help overlay is open.
    case help
    /// Only while the job picker is open.
    case jobs
    /// Only while the file-path prompt is open (printable keys are typed into it).
    case prompt
    /// Only while the sweep view is open.
    case sweep
    /// Only while the index view is open (and neither its form nor a drop confirmation is).
    case indexes
    /// Only while the health view is open.
    case health
    /// Only while the index view's create form is open.
    case indexForm
    /// Only while the index view asks to confirm a drop.
    case confirmDrop
    /// Only while the set-up screen is shown (it replaces the panes, so nothing else applies).
    case setup
}

/// One key binding as data (lazygit's `Binding`): the keys, what they do, where, and why they may be unavailable.
/// The same table drives the reducer, the help overlay and the hint line, so they cannot disagree. A binding with
/// an empty description is the second half of a listed pair (→ of "←/→") and is not listed on its own.
public struct Keybinding: Sendable {
    public var keys: [Key]
    /// How the keys are written in help; nil joins the keys' own names with "/".
    public var label: String?
    public var description: String
    public var scope: BindingScope
    public var command: Command
    /// A word or two for the one-line hints under the status bar (nil: not hinted).
    public var hint: String?
    /// Why the binding does nothing right now (shown in the message line and greyed in help), or nil.
    public var disabledReason: @Sendable (AppState) -> String?

    public init(
        _ keys: [Key], _ description: String, scope: BindingScope, command: Command, label: String? = nil,
        hint: String? = nil, disabledReason: @escaping @Sendable (AppState) -> String? = { _ in nil }
    ) {
        self.keys = keys
        self.label = label
        self.description = description
        self.scope = scope
        self.command = command
        self.hint = hint
        self.disabledReason = disabledReason
    }

    /// The keys as written in help: "↑/k", "Ctrl-R/F5".
    public var keyLabel: String { label ?? keys.map(\.description).joined(separator: "/") }
}

/// The TUI's key bindings, and how a key press is resolved to one of them.
public enum Keymap {
    /// Every binding, pane scopes first, then help, then global.
    public static let bindings: [Keybinding] =
        query + editor + results + parameters + detail + help + jobs + prompt + sweep
        + indexes + indexForm + confirmDrop + health + setup + global

    private static let needsQuery: @Sendable (AppState) -> String? = { state in
        if state.editor.trimmedText.isEmpty { return "type a query first" }
        if case .down = state.database { return "the database is unreachable — reconnecting" }
        return nil
    }
    private static let needsSelection: @Sendable (AppState) -> String? = { state in
        state.activeResults.selectedResult == nil ? "no result selected — run a search first" : nil
    }
    private static let canGrade: @Sendable (AppState) -> String? = { state in
        if state.activeResults.selectedResult == nil { return "no result to grade — run a search first" }
        if state.gradesQuery != state.sideA.results.queryText {
            return "stored grades for this query are still loading"
        }
        return nil
    }
    private static let canAdjust: @Sendable (AppState) -> String? = { state in
        state.selectedParameter.disabledReason(choices: state.choices)
    }

    private static let needsCompare: @Sendable (AppState) -> String? = { state in
        state.compare == nil ? "not comparing — press c to open compare mode first" : nil
    }
    private static let canSweep: @Sendable (AppState) -> String? = { state in
        if state.editor.trimmedText.isEmpty { return "type a query first" }
        if case .down = state.database { return "the database is unreachable — reconnecting" }
        if !state.sideA.params.method.recallScope.isApplicable {
            return "a sweep measures the vector index; method is keyword"
        }
        return nil
    }

    static let global: [Keybinding] = [
        Keybinding(
            [.char("q"), .ctrl("c")], "quit (q from the main screen; in a view q closes it)", scope: .global,
            command: .quit, label: "q/Ctrl-C", hint: "quit"),
        Keybinding(
            [.char("?"), Key(.function(1))], "show or hide this help", scope: .global, command: .toggleHelp,
            label: "?/F1", hint: "help"),
        Keybinding([.tab], "next pane", scope: .global, command: .nextPane, hint: "pane"),
        Keybinding([.backTab], "previous pane", scope: .global, command: .previousPane),
        Keybinding(
            [.escape], "back out: close help or detail, leave the editor, dismiss a message", scope: .global,
            command: .back),
        Keybinding(
            [.ctrl("r"), Key(.function(5))], "run the search now (Enter in the editor does too)", scope: .global,
            command: .runSearch, label: "Ctrl-R/F5", hint: "run", disabledReason: needsQuery),
        Keybinding(
            [.char("/")], "edit the query (Esc leaves the editor)", scope: .global, command: .editQuery,
            hint: "edit"),
        Keybinding([.char("p")], "go to parameters", scope: .global, command: .focus(.parameters)),
        Keybinding(
            [.char("P")], "fold the parameters pane away (the results get its width) or unfold it", scope: .global,
            command: .toggleParameters),
        Keybinding(
            [.char("c")], "compare mode (A/B): B starts as a copy of these parameters; both rankings side by side",
            scope: .global, command: .toggleCompare),
        Keybinding(
            [.char("b")], "compare: switch the side (A or B) the parameter keys edit", scope: .global,
            command: .switchCompareSide, disabledReason: needsCompare),
        Keybinding(
            [.ctrl("t"), Key(.function(2))], "pick a fixture job (Fixtures/jobs.jsonl) as the query",
            scope: .global, command: .openJobPicker, label: "Ctrl-T/F2",
            disabledReason: { $0.jobs.isEmpty ? "no fixture jobs were loaded" : nil }),
        Keybinding(
            [.ctrl("o"), Key(.function(3))], "load the query from a file (type its path)", scope: .global,
            command: .openFilePrompt, label: "Ctrl-O/F3"),
        Keybinding(
            [.char(":")], "type a value: ef 64, probes 4, limit 30, k 20 (nDCG@k), user u07 or a name, model, method",
            scope: .global, command: .openValuePrompt),
        Keybinding(
            [.char("E")], "export the grades of the current query (job or free text) to a TSV file here",
            scope: .global, command: .exportGrades, disabledReason: canExport),
        Keybinding(
            [.char("s")], "sweep the index knob for this query (ef_search for HNSW, probes for IVFFlat): recall vs p95",
            scope: .global,
            command: .openSweep, disabledReason: canSweep),
        Keybinding(
            [.char("i"), Key(.function(4))], "vector indexes: list, create, rebuild, drop (with build progress)",
            scope: .global, command: .openIndexes, label: "i/F4", disabledReason: needsDatabase),
        Keybinding(
            [.char("h")], "embedding health (vecscope stats): coverage, drift, query cache, queue, indexes, tables",
            scope: .global, command: .openHealth, hint: "stats", disabledReason: needsDatabase),
    ]

    private static let needsDatabase: @Sendable (AppState) -> String? = { state in
        if case .down = state.database { return "the database is unreachable — reconnecting" }
        return nil
    }
    private static let noIndexJob: @Sendable (AppState) -> String? = { state in
        if let job = state.indexView.job { return "wait: \(job.title) is running (x stops it)" }
        return needsDatabase(state)
    }
    private static let needsIndex: @Sendable (AppState) -> String? = { state in
        if state.indexView.selectedIndex == nil { return "no index selected — n creates one" }
        return noIndexJob(state)
    }

    static let setup: [Keybinding] = [
        Keybinding(
            [.enter], "embed now (or retry after a failure)", scope: .setup, command: .startSetup, hint: "embed",
            disabledReason: { $0.setup?.phase == .running ? "already running" : nil }),
        Keybinding(
            [.escape], "skip: search what is embedded already (`vecscope embed` finishes it later)", scope: .setup,
            command: .skipSetup, hint: "skip",
            disabledReason: { $0.setup?.phase == .running ? "running — q quits; what is done is kept" : nil }),
        Keybinding(
            [.char("q"), .ctrl("c")], "quit (embedded texts are kept; the next start carries on)", scope: .setup,
            command: .quit, label: "q/Ctrl-C", hint: "quit"),
    ]

    static let indexes: [Keybinding] = [
        Keybinding([.up, .char("k")], "previous index", scope: .indexes, command: .moveUp, label: "↑/k"),
        Keybinding([.down, .char("j")], "next index", scope: .indexes, command: .moveDown, label: "↓/j"),
        Keybinding(
            [.char("n")], "new index: choose model, type, metric and parameters", scope: .indexes,
            command: .newIndex, hint: "new", disabledReason: noIndexJob),
        Keybinding(
            [.char("r")], "rebuild the selected index (REINDEX, with progress)", scope: .indexes,
            command: .reindexSelected, hint: "rebuild", disabledReason: needsIndex),
        Keybinding(
            [.char("D"), .delete], "drop the selected index (asks first)", scope: .indexes,
            command: .dropSelected, label: "D/Del", hint: "drop", disabledReason: needsIndex),
        Keybinding(
            [.char("x")], "stop the build running now", scope: .indexes, command: .cancelIndexJob, hint: "stop",
            disabledReason: { $0.indexView.job == nil ? "no index job is running" : nil }),
        Keybinding(
            [Key(.function(5)), .ctrl("r"), .char("g")], "refresh the list (sizes, rows, scans)", scope: .indexes,
            command: .refreshIndexes, label: "F5/g", disabledReason: noIndexJob),
        Keybinding(
            [.escape, .char("q"), .char("i"), Key(.function(4))], "close the view (a running build carries on)",
            scope: .indexes, command: .back, label: "Esc/q/i", hint: "close"),
    ]

    static let health: [Keybinding] = [
        Keybinding([.up, .char("k")], "scroll up", scope: .health, command: .moveUp, label: "↑/k"),
        Keybinding([.down, .char("j")], "scroll down", scope: .health, command: .moveDown, label: "↓/j"),
        Keybinding(
            [.char("r"), Key(.function(5)), .ctrl("r")], "read the report again", scope: .health,
            command: .refreshHealth, label: "r/F5", hint: "reload", disabledReason: needsDatabase),
        Keybinding(
            [.escape, .char("q"), .char("h")], "close the view", scope: .health, command: .back, label: "Esc/q/h",
            hint: "close"),
    ]

    static let indexForm: [Keybinding] = [
        Keybinding([.up, .char("k")], "previous field", scope: .indexForm, command: .indexFormField(-1), label: "↑/k"),
        Keybinding(
            [.down, .char("j"), .tab], "next field", scope: .indexForm, command: .indexFormField(1), label: "↓/j"),
        Keybinding(
            [.left, .char("-"), .char("h")], "previous value / decrease", scope: .indexForm,
            command: .indexFormAdjust(direction: -1, large: false), label: "←/-"),
        Keybinding(
            [.right, .char("+"), .char("="), .char("l")], "next value / increase", scope: .indexForm,
            command: .indexFormAdjust(direction: 1, large: false), label: "→/+"),
        Keybinding(
            [Key(.left, .shift), .char("<"), .char("H")], "decrease by a large step", scope: .indexForm,
            command: .indexFormAdjust(direction: -1, large: true), label: "Shift-←/<"),
        Keybinding(
            [Key(.right, .shift), .char(">"), .char("L")], "increase by a large step", scope: .indexForm,
            command: .indexFormAdjust(direction: 1, large: true), label: "Shift-→/>"),
        Keybinding(
            [.char("a")], "use the recommended parameters for the model's row count", scope: .indexForm,
            command: .indexFormRecommended, hint: "advice"),
        Keybinding(
            [.enter], "build the index (progress shows in the view)", scope: .indexForm,
            command: .submitIndexForm, hint: "build", disabledReason: noIndexJob),
        Keybinding([.escape], "cancel", scope: .indexForm, command: .back, hint: "cancel"),
    ]

    static let confirmDrop: [Keybinding] = [
        Keybinding([.char("y")], "yes, drop it", scope: .confirmDrop, command: .confirmDrop, hint: "drop"),
        Keybinding(
            [.char("n"), .escape], "no, keep it", scope: .confirmDrop, command: .back, label: "n/Esc",
            hint: "keep"),
    ]

    static let jobs: [Keybinding] = [
        Keybinding([.up], "previous job (type to filter by id or title)", scope: .jobs, command: .moveUp),
        Keybinding([.down], "next job", scope: .jobs, command: .moveDown),
        Keybinding([.pageUp], "page up / down", scope: .jobs, command: .pageUp, label: "PgUp/PgDn"),
        Keybinding([.pageDown], "", scope: .jobs, command: .pageDown),
        Keybinding([.home], "first job", scope: .jobs, command: .moveToTop),
        Keybinding([.end], "last job", scope: .jobs, command: .moveToBottom),
        Keybinding(
            [.backspace], "delete the last character of the filter", scope: .jobs,
            command: .deleteFilterCharacter),
        Keybinding(
            [.enter], "load the job as the query and search it", scope: .jobs,
            command: .loadSelectedJob, hint: "load"),
        Keybinding(
            [.escape, .ctrl("t"), Key(.function(2))], "close the job list", scope: .jobs,
            command: .back, label: "Esc", hint: "close"),
    ]

    static let prompt: [Keybinding] = [
        Keybinding(
            [.enter], "read the file (its text becomes the query and is searched) / set the value", scope: .prompt,
            command: .submitPrompt,
            hint: "load", disabledReason: { $0.prompt.trimmedText.isEmpty ? "type a file path first" : nil }),
        Keybinding([.escape], "cancel", scope: .prompt, command: .back, hint: "cancel"),
        Keybinding([.left], "move the cursor", scope: .prompt, command: .edit(.left), label: "←/→"),
        Keybinding([.right], "", scope: .prompt, command: .edit(.right)),
        Keybinding([.home, .ctrl("a")], "start of the path", scope: .prompt, command: .edit(.lineStart)),
        Keybinding([.end, .ctrl("e")], "end of the path", scope: .prompt, command: .edit(.lineEnd)),
        Keybinding([.backspace], "delete before the cursor", scope: .prompt, command: .edit(.deleteBackward)),
        Keybinding([.delete, .ctrl("d")], "delete under the cursor", scope: .prompt, command: .edit(.deleteForward)),
        Keybinding([.ctrl("w")], "delete the previous word", scope: .prompt, command: .edit(.deleteWordBackward)),
        Keybinding(
            [.ctrl("u"), .ctrl("x")], "clear the path", scope: .prompt, command: .edit(.clear), label: "Ctrl-U"),
    ]

    static let sweep: [Keybinding] = [
        Keybinding(
            [.left, .char("h")], "previous point (lower value)", scope: .sweep,
            command: .selectSweepPoint(-1), label: "←/h"),
        Keybinding(
            [.right, .char("l")], "next point (higher value)", scope: .sweep, command: .selectSweepPoint(1),
            label: "→/l"),
        Keybinding(
            [.enter], "use the selected point's value (results refresh)", scope: .sweep,
            command: .applySweepPoint, hint: "apply",
            disabledReason: { ($0.sweep?.points.isEmpty ?? true) ? "no point measured yet" : nil }),
        Keybinding(
            [.char("r")], "run the sweep again (current query and parameters)", scope: .sweep,
            command: .rerunSweep, hint: "rerun", disabledReason: canSweep),
        Keybinding(
            [.char("x")], "stop the sweep", scope: .sweep, command: .cancelSweep, hint: "stop",
            disabledReason: { $0.sweep?.isRunning == true ? nil : "no sweep is running" }),
        Keybinding(
            [.escape, .char("q"), .char("s")], "close the view (a running sweep carries on)", scope: .sweep,
            command: .back, label: "Esc/q/s", hint: "close"),
    ]

    static let query: [Keybinding] = [
        Keybinding([.enter], "edit the query", scope: .pane(.query), command: .editQuery, hint: "edit")
    ]

    static let editor: [Keybinding] = [
        Keybinding(
            [.enter], "run the search (leaves the editor)", scope: .editor, command: .runSearch, hint: "run",
            disabledReason: needsQuery),
        Keybinding(
            [Key(.enter, .alt), .ctrl("j")], "new line", scope: .editor, command: .edit(.newline),
            label: "Alt-Enter/Ctrl-J", hint: "new line"),
        Keybinding([.escape], "leave the editor (the keys act on the panes again)", scope: .editor, command: .back),
        Keybinding([.left], "move the cursor", scope: .editor, command: .edit(.left), label: "←/→"),
        Keybinding([.right], "", scope: .editor, command: .edit(.right)),
        Keybinding([.up], "line up (history at the first line)", scope: .editor, command: .edit(.up)),
        Keybinding([.down], "line down", scope: .editor, command: .edit(.down)),
        Keybinding(
            [Key(.left, .control), .alt("b")], "previous word", scope: .editor, command: .edit(.wordLeft),
            label: "Ctrl-←/Alt-B"),
        Keybinding(
            [Key(.right, .control), .alt("f")], "next word", scope: .editor, command: .edit(.wordRight),
            label: "Ctrl-→/Alt-F"),
        Keybinding([.home, .ctrl("a")], "start of line", scope: .editor, command: .edit(.lineStart)),
        Keybinding([.end, .ctrl("e")], "end of line", scope: .editor, command: .edit(.lineEnd)),
        Keybinding([Key(.home, .control)], "start of text", scope: .editor, command: .edit(.textStart)),
        Keybinding([Key(.end, .control)], "end of text", scope: .editor, command: .edit(.textEnd)),
        Keybinding([.backspace], "delete before the cursor", scope: .editor, command: .edit(.deleteBackward)),
        Keybinding(
            [.delete, .ctrl("d")], "delete under the cursor", scope: .editor, command: .edit(.deleteForward)),
        Keybinding(
            [.ctrl("w"), Key(.backspace, .alt)], "delete the previous word", scope: .editor,
            command: .edit(.deleteWordBackward), label: "Ctrl-W/Alt-Backspace"),
        Keybinding([.ctrl("k")], "delete to end of line", scope: .editor, command: .edit(.deleteToLineEnd)),
        Keybinding([.ctrl("u")], "delete to start of line", scope: .editor, command: .edit(.deleteToLineStart)),
        Keybinding([.ctrl("x")], "clear the query", scope: .editor, command: .edit(.clear)),
        Keybinding(
            [.ctrl("p"), Key(.up, .alt)], "previous query from history", scope: .editor,
            command: .historyOlder, disabledReason: { $0.history.entries.isEmpty ? "no earlier queries" : nil }),
        Keybinding(
            [.ctrl("n"), Key(.down, .alt)], "next query from history", scope: .editor,
            command: .historyNewer),
    ]

    static let results: [Keybinding] =
        [
            Keybinding([.up, .char("k")], "previous result", scope: .pane(.results), command: .moveUp, label: "↑/k"),
            Keybinding([.down, .char("j")], "next result", scope: .pane(.results), command: .moveDown, label: "↓/j"),
            Keybinding([.pageUp], "page up / down", scope: .pane(.results), command: .pageUp, label: "PgUp/PgDn"),
            Keybinding([.pageDown], "", scope: .pane(.results), command: .pageDown),
            Keybinding([.home, .char("g")], "first result", scope: .pane(.results), command: .moveToTop),
            Keybinding([.end, .char("G")], "last result", scope: .pane(.results), command: .moveToBottom),
            Keybinding(
                [.enter, .char("l")], "open the detail: full content, matched terms, explanation",
                scope: .pane(.results), command: .openDetail, hint: "detail", disabledReason: needsSelection),
            Keybinding(
                [.left], "compare: select in A's ranking / B's ranking (detail and grades follow)",
                scope: .pane(.results), command: .selectCompareSide(.a), label: "←/→", disabledReason: needsCompare),
            Keybinding(
                [.right], "", scope: .pane(.results), command: .selectCompareSide(.b), disabledReason: needsCompare),
        ] + gradeBindings(.results) + [
            Keybinding(
                [.char("r")], "run the search again", scope: .pane(.results), command: .runSearch,
                disabledReason: needsQuery),
            Keybinding(
                [.char("m")], "more like this: search with the selected result's stored vector (@user/id)",
                scope: .pane(.results), command: .moreLikeThis, disabledReason: needsSelection),
            Keybinding(
                [.char("u")], "list only the results without a grade (toggle)", scope: .pane(.results),
                command: .toggleUngradedOnly),
        ] + ungradedBindings(.results)

    static let parameters: [Keybinding] = [
        Keybinding([.up, .char("k")], "previous parameter", scope: .pane(.parameters), command: .moveUp, label: "↑/k"),
        Keybinding([.down, .char("j")], "next parameter", scope: .pane(.parameters), command: .moveDown, label: "↓/j"),
        Keybinding(
            [.left, .char("-"), .char("h")], "decrease / previous value (results refresh)", scope: .pane(.parameters),
            command: .adjust(direction: -1, large: false), label: "←/-", hint: "less", disabledReason: canAdjust),
        Keybinding(
            [.right, .char("+"), .char("="), .char("l")], "increase / next value (results refresh)",
            scope: .pane(.parameters), command: .adjust(direction: 1, large: false), label: "→/+", hint: "more",
            disabledReason: canAdjust),
        Keybinding(
            [Key(.left, .shift), .char("<"), .char("H")], "decrease by a large step", scope: .pane(.parameters),
            command: .adjust(direction: -1, large: true), label: "Shift-←/<", disabledReason: canAdjust),
        Keybinding(
            [Key(.right, .shift), .char(">"), .char("L")], "increase by a large step", scope: .pane(.parameters),
            command: .adjust(direction: 1, large: true), label: "Shift-→/>", disabledReason: canAdjust),
        Keybinding(
            [.char("d"), .backspace], "reset to the default", scope: .pane(.parameters), command: .resetParameter,
            label: "d"),
        Keybinding(
            [.enter, .char("r")], "run the search now", scope: .pane(.parameters), command: .runSearch,
            disabledReason: needsQuery),
    ]

    static let detail: [Keybinding] =
        [
            Keybinding([.up, .char("k")], "scroll up", scope: .pane(.detail), command: .moveUp, label: "↑/k"),
            Keybinding([.down, .char("j")], "scroll down", scope: .pane(.detail), command: .moveDown, label: "↓/j"),
            Keybinding([.pageUp], "page up / down", scope: .pane(.detail), command: .pageUp, label: "PgUp/PgDn"),
            Keybinding([.pageDown, .char(" ")], "", scope: .pane(.detail), command: .pageDown),
            Keybinding(
                [.left, .char("[")], "previous result", scope: .pane(.detail), command: .previousResult,
                label: "←/["),
            Keybinding([.right, .char("]")], "next result", scope: .pane(.detail), command: .nextResult, label: "→/]"),
            Keybinding(
                [.char("q"), .escape], "back to the results (q quits only from the main screen)",
                scope: .pane(.detail), command: .back, label: "q/Esc", hint: "back"),
            Keybinding(
                [.char("m")], "more like this: search with this result's stored vector (@user/id)",
                scope: .pane(.detail), command: .moreLikeThis),
        ] + gradeBindings(.detail) + ungradedBindings(.detail)

    static let help: [Keybinding] = [
        Keybinding([.up, .char("k")], "scroll up", scope: .help, command: .moveUp, label: "↑/k"),
        Keybinding([.down, .char("j")], "scroll down", scope: .help, command: .moveDown, label: "↓/j"),
        Keybinding(
            [.escape, .char("q"), .char("?"), Key(.function(1))], "close help", scope: .help,
            command: .toggleHelp, label: "Esc/q/?"),
    ]

    private static func ungradedBindings(_ pane: Pane) -> [Keybinding] {
        [
            Keybinding(
                [.char("n")], "next result without a grade", scope: .pane(pane), command: .nextUngraded(1),
                disabledReason: canGrade),
            Keybinding(
                [.char("N")], "previous result without a grade", scope: .pane(pane), command: .nextUngraded(-1),
                disabledReason: canGrade),
        ]
    }

    private static let canExport: @Sendable (AppState) -> String? = { state in
        if state.sideA.results.response == nil { return "nothing to export — run a search first" }
        if state.gradesQuery != state.sideA.results.queryText {
            return "stored grades for this query are still loading"
        }
        return nil
    }

    private static func gradeBindings(_ pane: Pane) -> [Keybinding] {
        (0...3).map { grade in
            Keybinding(
                [.char(Character(String(grade)))],
                grade == 0 ? "judge: grade 0–3 (0 irrelevant … 3 perfect); stored for this query" : "",
                scope: .pane(pane), command: .grade(grade), label: "0–3", hint: grade == 0 ? "grade" : nil,
                disabledReason: canGrade)
        } + [
            Keybinding(
                [.char("x")], "remove the grade", scope: .pane(pane), command: .clearGrade,
                disabledReason: canGrade)
        ]
    }

    /// The binding a key press triggers in this state, or nil (for the editor: nil means "type it").
    public static func binding(for key: Key, in state: AppState) -> Keybinding? {
        if state.setup != nil { return bindings.first { $0.scope == .setup && $0.keys.contains(key) } }
        let own = scope(of: state.overlay, in: state)
        // The index view's form and drop question take every key: nothing global may fire behind them.
        let scopes: [BindingScope] = own == .indexForm || own == .confirmDrop ? [own] : [own, .global]
        for scope in scopes {
            for binding in bindings where binding.scope == scope && binding.keys.contains(key) {
                // While typing, printable keys are text: `q` types a q, it does not quit.
                if scope == .global && state.isTyping && key.typedCharacter != nil { continue }
                return binding
            }
        }
        return nil
    }

    /// The bindings the help overlay lists for a pane: that pane's first (the query pane's editor keys with it),
    /// then the global ones: "Everywhere" only for keys that also work while editing, the single-key commands
    /// (typed as text in the editor) apart (entries with an empty description are second keys of a listed entry
    /// and are not repeated).
    public static func helpSections(for pane: Pane) -> [(title: String, bindings: [Keybinding])] {
        let own = bindings.filter { $0.scope == .pane(pane) && !$0.description.isEmpty }
        let shared = bindings.filter { $0.scope == .global && !$0.description.isEmpty }
        let everywhere = shared.filter { worksWhileEditing($0) }
        let outside = shared.filter { !worksWhileEditing($0) }
        var sections = [(pane.title, own)]
        if pane == .query {
            sections.append(
                ("Query editor (/ or Enter)", bindings.filter { $0.scope == .editor && !$0.description.isEmpty }))
        }
        return sections + [("Everywhere", everywhere), ("Outside the editor", outside)]
    }

    /// A global binding reaches the editor when one of its keys is not a printable character.
    static func worksWhileEditing(_ binding: Keybinding) -> Bool {
        binding.keys.contains { $0.typedCharacter == nil }
    }

    /// The help overlay's sections for a state: the pane's and the global keys, then those of the job list, the
    /// file prompt and the sweep view, so every key is listed somewhere.
    public static func helpSections(for state: AppState) -> [(title: String, bindings: [Keybinding])] {
        func section(
            _ title: String, _ scope: BindingScope
        ) -> (scope: BindingScope, title: String, bindings: [Keybinding]) {
            (scope, title, bindings.filter { $0.scope == scope && !$0.description.isEmpty })
        }
        let views = [
            section("Job list (Ctrl-T)", .jobs), section("File and value prompts (Ctrl-O, :)", .prompt),
            section("Sweep view (s)", .sweep),
            section("Index view (i)", .indexes), section("New index form (n in the index view)", .indexForm),
            section("Drop confirmation", .confirmDrop), section("Health view (h)", .health),
            section("Set-up screen (first run)", .setup),
        ]
        // Opened from a view over the panes: that view's keys come first.
        let underneath = state.overlayUnderHelp.map { scope(of: $0, in: state) }
        let first = views.filter { $0.scope == underneath }.map { ($0.title, $0.bindings) }
        return first + helpSections(for: state.focus)
            + views.filter { $0.scope != underneath }.map { ($0.title, $0.bindings) }
    }

    /// Whose keys apply: the view's over the panes (the index view's form or drop question while open), else the
    /// focused pane's.
    static func scope(of overlay: Overlay?, in state: AppState) -> BindingScope {
        switch overlay {
        case .help: return .help
        case .jobs: return .jobs
        case .openFile, .valuePrompt: return .prompt
        case .sweep: return .sweep
        case .indexes: return indexScope(state)
        case .health: return .health
        case nil: return state.focus == .query && state.isEditing ? .editor : .pane(state.focus)
        }
    }

    /// The index view's keys: the form's while it is open, the drop confirmation's while it asks, else the list's.
    static func indexScope(_ state: AppState) -> BindingScope {
        if state.indexView.form != nil { return .indexForm }
        if state.indexView.pendingDrop != nil { return .confirmDrop }
        return .indexes
    }

    /// The short hints for the message line when there is no message: the focused pane's, then global ones.
    public static func hints(for state: AppState) -> [Keybinding] {
        if state.setup != nil {
            return bindings.filter { $0.scope == .setup && $0.hint != nil && $0.disabledReason(state) == nil }
        }
        let scope = scope(of: state.overlay, in: state)
        // In a view over the panes, a hint for something that cannot happen now ("x stop" with nothing running)
        // only misleads; the panes keep theirs, whose reasons the message line explains.
        let own = bindings.filter {
            $0.scope == scope && $0.hint != nil && (state.overlay == nil || $0.disabledReason(state) == nil)
        }
        // A global key the view or pane uses itself (h steps a parameter) would be hinted for what it does not do.
        let taken = Set(bindings.filter { $0.scope == scope }.flatMap(\.keys))
        return own + bindings.filter { $0.scope == .global && $0.hint != nil && !$0.keys.allSatisfy(taken.contains) }
    }
}
