/// The tunable parameters: one row per knob, the selected one explained underneath.
enum ParametersView {
    static let labelWidth = 15

    static func draw(_ state: AppState, in rect: Rect, into grid: inout CellGrid) {
        let focused = state.focus == .parameters && state.overlay == nil
        let styles = borderStyle(focused: focused)
        let params = state.editedParams
        var title = "Parameters"
        if state.compare != nil { title += " · " + state.editedSide.name }
        let inner = grid.box(
            rect, title: title, style: styles.border, titleStyle: styles.title,
            rightTitle: state.compare == nil ? [] : [Span(" b: A/B ", .fg(.muted))])
        guard !inner.isEmpty else { return }
        let area = inner.inset(dx: 1, dy: 0)
        guard !area.isEmpty else { return }
        let (listArea, helpArea) = area.splitBottom(min(area.height - 1, Layout.parameterHelpRows + 1))
        let all = state.visibleParameters
        let top = Reducer.scroll(
            state.parameterScroll, selected: state.parameterSelection, visible: listArea.height,
            count: all.count)
        for (index, parameter) in all.enumerated().dropFirst(top).prefix(listArea.height) {
            let row = listArea.row(index - top)
            let relevant = parameter.isRelevant(to: params)
            let changed = parameter.value(in: params) != parameter.value(in: state.defaults)
            let differs = state.otherParams.map { parameter.value(in: $0) != parameter.value(in: params) } ?? false
            var labelStyle = CellStyle.fg(.muted)
            var valueStyle = changed ? CellStyle(foreground: .accent, bold: true) : .plain
            if !relevant {
                labelStyle.dim = true
                valueStyle.dim = true
            }
            let label = DisplayWidth.pad(parameter.label, to: min(labelWidth, max(0, row.width - 4)))
            let x = row.x + grid.text(label + " ", at: Point(x: row.x, y: row.y), style: labelStyle, clip: row)
            let valueWidth = max(0, row.maxX - x - (differs ? 2 : 0))
            var value = parameter.value(in: params)
            if let note = state.tuningNote(for: parameter), let tuning = state.indexTuning {
                value += note.inEffect ? " tuned" : " (tuned \(tuning.value))"
                if note.inEffect, relevant { valueStyle = CellStyle(foreground: .good, bold: true) }
            }
            grid.text(
                DisplayWidth.truncate(value, to: valueWidth), at: Point(x: x, y: row.y), style: valueStyle, clip: row)
            if differs {
                grid.text(
                    "≠", at: Point(x: row.maxX - 1, y: row.y), style: CellStyle(foreground: .highlight, bold: true),
                    clip: row)
            }
            if index == state.parameterSelection {
                grid.restyle(row) { style in
                    if focused { style.reverse = true } else { style.bold = true }
                }
            }
        }
        if all.count > listArea.height {
            let label = " \(top + 1)–\(min(all.count, top + listArea.height)) of \(all.count) "
            grid.text(
                label, in: Rect(x: rect.x, y: rect.maxY - 1, width: rect.width - 2, height: 1),
                style: .fg(.muted), alignment: .right)
        }
        guard helpArea.height >= 2 else { return }
        grid.fill(helpArea.row(0), with: "─", style: .fg(.border))
        let parameter = state.selectedParameter
        var help = parameter.help
        if let note = state.tuningNote(for: parameter) {
            help = note.text
        } else if let reason = parameter.disabledReason(choices: state.choices) {
            help = reason
        } else if !parameter.isRelevant(to: params) {
            help = "(not used by \(params.method.rawValue)) " + help
        }
        let lines = TextWrap.wrap(help, width: helpArea.width)
        for (index, line) in lines.prefix(helpArea.height - 1).enumerated() {
            grid.text(line, in: helpArea.row(index + 1), style: .fg(.muted))
        }
    }
}
