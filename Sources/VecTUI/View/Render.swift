/// Draws the whole screen for a state into a grid (resized to `state.size` if it differs). Pure: the same state
/// always gives the same cells, which is what the renderer tests assert on.
public func render(_ state: AppState, into grid: inout CellGrid) {
    if grid.size != state.size { grid = CellGrid(size: state.size) } else { grid.clear() }
    guard !state.isTooSmall else {
        TooSmallView.draw(state, into: &grid)
        return
    }
    if let setup = state.setup {
        SetupView.draw(state, setup, into: &grid)
        return
    }
    let layout = Layout(for: state)
    QueryView.draw(state, in: layout.query, into: &grid)
    if state.focus == .detail {
        DetailView.draw(state, in: layout.detail, into: &grid)
    } else {
        if state.compare != nil {
            CompareView.draw(state, in: layout.results, into: &grid)
        } else {
            ResultsView.draw(state, in: layout.results, into: &grid)
        }
        if state.showsParameters { ParametersView.draw(state, in: layout.parameters, into: &grid) }
    }
    StatusView.draw(state, in: layout.status, into: &grid)
    MessageView.draw(state, in: layout.message, into: &grid)
    if state.overlay != nil { grid.cursor = nil }
    switch state.overlay {
    case .help: HelpView.draw(state, in: grid.bounds, into: &grid)
    case .jobs: JobPickerView.draw(state, in: grid.bounds, into: &grid)
    case .openFile, .valuePrompt: PromptView.draw(state, in: grid.bounds, into: &grid)
    case .sweep: SweepView.draw(state, in: layout.detail, into: &grid)
    case .indexes: IndexView.draw(state, in: layout.detail, into: &grid)
    case .health: HealthView.draw(state, in: layout.detail, into: &grid)
    case nil: break
    }
}

/// Convenience for tests and one-off drawing: a new grid of the state's size with the screen drawn in it.
public func render(_ state: AppState) -> CellGrid {
    var grid = CellGrid(size: state.size)
    render(state, into: &grid)
    return grid
}

/// The border style of a pane: highlighted while it has focus.
func borderStyle(focused: Bool) -> (border: CellStyle, title: CellStyle) {
    focused
        ? (CellStyle(foreground: .focus, bold: true), CellStyle(foreground: .focus, bold: true))
        : (.fg(.border), CellStyle(foreground: .title, bold: true))
}

/// Shown instead of the panes when the terminal is below 80×24.
enum TooSmallView {
    static func draw(_ state: AppState, into grid: inout CellGrid) {
        let need = AppState.minimumSize
        let lines = [
            "terminal too small — need \(need.width)×\(need.height), have \(state.size.width)×\(state.size.height)",
            "enlarge the window, or press q to quit",
        ]
        let bounds = grid.bounds
        guard !bounds.isEmpty else { return }
        // Wrap to the width so the message survives very narrow terminals.
        let wrapped = lines.flatMap { TextWrap.wrap($0, width: bounds.width) }
        let top = max(0, (bounds.height - wrapped.count) / 2)
        for (index, line) in wrapped.enumerated() {
            let style = index == 0 ? CellStyle(foreground: .warn, bold: true) : .fg(.muted)
            grid.text(line, in: bounds.row(top + index), style: style, alignment: .center)
        }
    }
}

/// The multi-line query editor with soft-wrapped lines and the caret.
enum QueryView {
    /// One screen row of the editor: characters `start..<end` of logical line `line`.
    struct VisualRow: Equatable {
        var line: Int
        var start: Int
        var end: Int
    }

    static func draw(_ state: AppState, in rect: Rect, into grid: inout CellGrid) {
        let focused = state.focus == .query && state.overlay == nil
        let editing = focused && state.isEditing
        let styles = borderStyle(focused: focused)
        var extra: [Span] = []
        if let index = state.history.index {
            extra = [Span(" history \(index + 1)/\(state.history.entries.count) ", .fg(.accent))]
        } else if editing {
            extra = [Span(" EDITING · Esc to leave ", CellStyle(foreground: .warn, bold: true, reverse: true))]
            if rect.width >= 110 { extra.append(Span(" Enter run · Alt-Enter new line ", .fg(.muted))) }
        } else if focused {
            extra = [Span(" Enter or / to edit ", .fg(.muted))]
        }
        let inner = grid.box(
            rect, title: title(state, width: rect.width - extra.reduce(0) { $0 + $1.width } - 10),
            style: styles.border, titleStyle: styles.title, rightTitle: extra)
        guard !inner.isEmpty else { return }
        let text = inner.inset(dx: 1, dy: 0)
        guard !text.isEmpty else { return }

        if state.editor.isEmpty {
            grid.text(
                editing
                    ? "Type or paste a job description, then Enter to search."
                    : "Press / to type a job description (Ctrl-T picks a fixture job).",
                in: text.row(0), style: .fg(.muted))
            if focused { grid.cursor = Point(x: text.x, y: text.y) }
            return
        }
        let rows = visualRows(state.editor.lines, width: text.width)
        let caret = caretRow(rows, cursor: state.editor.cursor)
        let top = focused ? max(0, caret - text.height + 1) : 0
        for (offset, row) in rows.dropFirst(top).prefix(text.height).enumerated() {
            let line = Array(state.editor.lines[row.line])
            let slice = String(line[row.start..<row.end])
            grid.text(slice, at: Point(x: text.x, y: text.y + offset), clip: text)
        }
        if rows.count > text.height {
            let more = "\(min(rows.count, top + text.height))/\(rows.count)"
            grid.text(
                " \(more) ", in: Rect(x: rect.x, y: rect.maxY - 1, width: rect.width - 2, height: 1),
                style: .fg(.muted), alignment: .right)
        }
        if focused, caret >= top, caret < top + text.height {
            let row = rows[caret]
            let line = Array(state.editor.lines[row.line])
            let column = min(max(state.editor.cursor.column, row.start), row.end)
            let x = DisplayWidth.of(String(line[row.start..<column]))
            grid.cursor = Point(x: text.x + min(x, text.width - 1), y: text.y + caret - top)
        }
    }

    /// "vecscope — Query · j01 Senior Go Engineer · 4/10 graded · 37 in all": the loaded fixture job, how many of
    /// the results on screen are graded and how many of the query's results are graded in all (shown or not; an
    /// edited job says its grades no longer apply), cut to `width` — the job's title gives way first, so the counts
    /// stay on an 80-column screen.
    static func title(_ state: AppState, width: Int) -> String {
        let head = "vecscope — Query"
        var job = "", tail = ""
        if let loaded = state.loadedJob {
            job = " · \(loaded.id) \(loaded.title)"
            if state.loadedJobIsEdited { tail += " (edited: grades no longer apply)" }
        }
        if let graded = state.gradedResultCount {
            tail += " · \(graded)/\(state.sideA.results.items.count) graded"
            if state.grades.count > graded { tail += " · \(state.grades.count) in all" }
        }
        let width = max(16, width)
        let room = width - DisplayWidth.of(head + tail)
        guard room >= 8 || job.isEmpty else { return DisplayWidth.truncate(head + job + tail, to: width) }
        return DisplayWidth.truncate(head + DisplayWidth.truncate(job, to: max(0, room)) + tail, to: width)
    }

    /// Soft-wraps lines to `width` columns, at spaces where possible, leaving the last column free for the caret.
    static func visualRows(_ lines: [String], width: Int) -> [VisualRow] {
        let limit = max(1, width - 1)
        var rows: [VisualRow] = []
        for (index, text) in lines.enumerated() {
            let characters = Array(text)
            if characters.isEmpty {
                rows.append(VisualRow(line: index, start: 0, end: 0))
                continue
            }
            var start = 0
            while start < characters.count {
                var end = start
                var used = 0
                while end < characters.count {
                    let w = DisplayWidth.of(characters[end])
                    if used + w > limit && end > start { break }
                    used += w
                    end += 1
                }
                if end < characters.count, let space = characters[start..<end].lastIndex(of: " "), space + 1 > start,
                    space + 1 < end
                {
                    end = space + 1
                }
                rows.append(VisualRow(line: index, start: start, end: end))
                start = end
            }
        }
        return rows
    }

    /// The visual row holding the caret.
    static func caretRow(_ rows: [VisualRow], cursor: TextPosition) -> Int {
        var candidate = 0
        for (index, row) in rows.enumerated() where row.line == cursor.line {
            candidate = index
            if cursor.column < row.end { return index }
        }
        return candidate
    }
}

/// The message line under the status bar: an error, a note, a database banner, or key hints. An error or the
/// banner wraps onto up to three rows (`rows`) rather than being cut.
enum MessageView {
    /// The text shown instead of the hints, and its style; nil when the hints show.
    static func text(_ state: AppState) -> (String, CellStyle)? {
        if case .down(let reason) = state.database {
            return (
                "✖ database unreachable — \(reason) — retrying; results shown are from before",
                CellStyle(foreground: .bad, bold: true)
            )
        }
        guard let message = state.message else { return nil }
        let style = message.kind == .error ? CellStyle(foreground: .bad, bold: true) : .fg(.accent)
        let icon = message.kind == .error ? "✖ " : "› "
        return (icon + message.text.split(whereSeparator: \.isNewline).joined(separator: " "), style)
    }

    /// Rows the message needs at the state's width: errors and the banner up to three, anything else one.
    static func rows(_ state: AppState) -> Int {
        guard let (text, style) = text(state), style.foreground == .bad else { return 1 }
        return min(3, max(1, TextWrap.wrap(text, width: max(1, state.size.width - 2)).count))
    }

    static func draw(_ state: AppState, in rect: Rect, into grid: inout CellGrid) {
        guard !rect.isEmpty else { return }
        if let (text, style) = text(state) {
            let area = rect.inset(dx: 1, dy: 0)
            let lines = style.foreground == .bad ? TextWrap.wrap(text, width: max(1, area.width)) : [text]
            for (index, line) in lines.prefix(rect.height).enumerated() {
                let last = index == rect.height - 1 && lines.count > rect.height
                grid.text(
                    last ? DisplayWidth.truncate(line + " …", to: area.width) : line, in: area.row(index), style: style)
            }
            return
        }
        let warnings = state.planWarnings(state.selectedSide)
        if !warnings.isEmpty {
            grid.text(
                "⚠ " + warnings.joined(separator: " · "), in: rect.inset(dx: 1, dy: 0),
                style: CellStyle(foreground: .warn, bold: true))
            return
        }
        var spans: [Span] = []
        for binding in Keymap.hints(for: state) {
            guard let hint = binding.hint else { continue }
            let key = binding.label.map { $0.contains("–") ? $0 : nil } ?? nil
            let shown = key ?? binding.keys.first(where: { !(state.isTyping && $0.typedCharacter != nil) })?.description
            guard let shown else { continue }
            if !spans.isEmpty { spans.append(Span("  ")) }
            spans.append(Span(shown, CellStyle(foreground: .accent, bold: true)))
            spans.append(Span(" " + hint, .fg(.muted)))
        }
        grid.spans(spans, at: Point(x: rect.x + 1, y: rect.y), clip: rect)
    }
}
