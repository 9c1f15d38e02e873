/// The help overlay: every key of the pane underneath and the global ones, generated from `Keymap`, with
/// unavailable keys greyed and the reason given.
enum HelpView {
    static func draw(_ state: AppState, in bounds: Rect, into grid: inout CellGrid) {
        let box = frame(state, in: bounds)
        guard !box.isEmpty else { return }
        grid.fill(box)
        let title = "Keys — \(state.overlayUnderHelp?.title ?? state.focus.title)"
        let inner = grid.box(
            box, title: title, style: CellStyle(foreground: .focus, bold: true),
            titleStyle: CellStyle(foreground: .focus, bold: true),
            rightTitle: [Span(" Esc closes ", .fg(.muted))])
        let area = inner.inset(dx: 1, dy: 0)
        guard !area.isEmpty else { return }
        let content = lines(state, width: area.width)
        let top = min(state.helpScroll, max(0, content.count - area.height))
        for (offset, line) in content.dropFirst(top).prefix(area.height).enumerated() {
            grid.spans(line, at: Point(x: area.x, y: area.y + offset), clip: area)
        }
        if content.count > area.height {
            grid.text(
                " ↑↓ \(top + 1)–\(min(content.count, top + area.height)) of \(content.count) ",
                in: Rect(x: box.x, y: box.maxY - 1, width: box.width - 2, height: 1), style: .fg(.muted),
                alignment: .right)
        }
    }

    /// The overlay's rectangle: up to 76 columns, as tall as its text allows.
    static func frame(_ state: AppState, in bounds: Rect) -> Rect {
        let width = min(76, bounds.width - 4)
        let height = min(bounds.height - 2, lines(state, width: max(1, width - 4)).count + 2)
        return bounds.centered(width: width, height: height)
    }

    static func maxScroll(_ state: AppState) -> Int {
        let bounds = Rect(x: 0, y: 0, width: state.size.width, height: state.size.height)
        let box = frame(state, in: bounds)
        let area = box.inset(dx: 2, dy: 1)
        return max(0, lines(state, width: max(1, area.width)).count - area.height)
    }

    static let keyColumn = 22

    static func lines(_ state: AppState, width: Int) -> [[Span]] {
        guard width > 0 else { return [] }
        var out: [[Span]] = []
        for (index, section) in Keymap.helpSections(for: state).enumerated() {
            if index > 0 { out.append([]) }
            out.append([Span(section.title, CellStyle(foreground: .title, bold: true))])
            for binding in section.bindings {
                let reason = binding.disabledReason(state)
                let keyStyle =
                    reason == nil
                    ? CellStyle(foreground: .accent, bold: true) : CellStyle(foreground: .muted, dim: true)
                let textStyle = reason == nil ? CellStyle.plain : CellStyle(foreground: .muted, dim: true)
                let keyWidth = min(keyColumn, max(1, width / 3))
                let descriptionWidth = max(1, width - keyWidth - 1)
                var description = binding.description
                if let reason { description += " — unavailable: \(reason)" }
                let wrapped = TextWrap.wrap(description, width: descriptionWidth)
                for (row, text) in wrapped.enumerated() {
                    let key =
                        row == 0
                        ? DisplayWidth.pad(binding.keyLabel, to: keyWidth) : String(repeating: " ", count: keyWidth)
                    out.append([Span(key, keyStyle), Span(" "), Span(text, textStyle)])
                }
            }
        }
        out.append([])
        out.append([
            Span(
                "Results: Δ rank change since the last run (↑ up, ↓ down, new) · J your grade, · not judged",
                .fg(.muted))
        ])
        return out.flatMap { line -> [[Span]] in
            // The legend may be wider than the overlay: wrap any over-long line.
            line.reduce(0) { $0 + $1.width } > width ? TextWrap.wrap(line, width: width) : [line]
        }
    }
}
