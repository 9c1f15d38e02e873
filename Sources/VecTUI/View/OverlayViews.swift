import VecCore

/// The fixture job picker: a centred list of Fixtures/jobs.jsonl titles with how many grades each has, filtered by
/// what is typed; Enter loads one into the query pane and searches it.
enum JobPickerView {
    static func frame(_ state: AppState, in bounds: Rect) -> Rect {
        bounds.centered(width: min(90, bounds.width - 4), height: min(bounds.height - 4, max(3, state.jobs.count + 2)))
    }

    /// Job rows visible at once at the state's size.
    static func visibleRows(_ state: AppState) -> Int {
        let bounds = Rect(x: 0, y: 0, width: state.size.width, height: state.size.height)
        return max(1, frame(state, in: bounds).height - 2)
    }

    static func draw(_ state: AppState, in bounds: Rect, into grid: inout CellGrid) {
        let box = frame(state, in: bounds)
        guard !box.isEmpty else { return }
        grid.fill(box)
        let focus = CellStyle(foreground: .focus, bold: true)
        let title = state.jobFilter.isEmpty ? "Fixture jobs · type to filter" : "Fixture jobs · \(state.jobFilter)▏"
        let inner = grid.box(
            box, title: title, style: focus, titleStyle: focus,
            rightTitle: [Span(" Enter loads · Esc closes ", .fg(.muted))])
        let area = inner.inset(dx: 1, dy: 0)
        guard !area.isEmpty else { return }
        let jobs = state.filteredJobs
        guard !jobs.isEmpty else {
            let text = state.jobs.isEmpty ? "No fixture jobs loaded." : "No job matches “\(state.jobFilter)”."
            grid.text(text, in: area.row(0), style: .fg(.muted))
            return
        }
        let idWidth = min(8, state.jobs.map { DisplayWidth.of($0.id) }.max() ?? 3)
        let gradedWidth = 10
        let top = Reducer.scroll(
            state.jobPicker.scroll, selected: state.jobPicker.selected, visible: area.height,
            count: jobs.count)
        for (index, job) in jobs.enumerated().dropFirst(top).prefix(area.height) {
            let row = area.row(index - top)
            let x =
                row.x
                + grid.text(
                    DisplayWidth.pad(job.id, to: idWidth) + "  ", at: Point(x: row.x, y: row.y),
                    style: .fg(.muted), clip: row)
            let titleWidth = max(0, row.maxX - x - gradedWidth - 1)
            grid.text(DisplayWidth.truncate(job.title, to: titleWidth), at: Point(x: x, y: row.y), clip: row)
            if let graded = state.jobGradeCounts[job.id], graded > 0 {
                grid.text(
                    DisplayWidth.pad("\(graded) graded", to: gradedWidth, alignRight: true),
                    at: Point(x: row.maxX - gradedWidth, y: row.y), style: .fg(.good), clip: row)
            }
            if index == state.jobPicker.selected { grid.restyle(row) { $0.reverse = true } }
        }
        if jobs.count > area.height {
            grid.text(
                " \(top + 1)–\(min(jobs.count, top + area.height)) of \(jobs.count) ",
                in: Rect(x: box.x, y: box.maxY - 1, width: box.width - 2, height: 1), style: .fg(.muted),
                alignment: .right)
        }
    }
}

/// The one-line file-path prompt (Ctrl-O): the file's text becomes the query.
enum PromptView {
    static func draw(_ state: AppState, in bounds: Rect, into grid: inout CellGrid) {
        let box = bounds.centered(width: min(72, bounds.width - 4), height: 4)
        guard !box.isEmpty else { return }
        grid.fill(box)
        let focus = CellStyle(foreground: .focus, bold: true)
        let value = state.overlay == .valuePrompt
        let inner = grid.box(
            box, title: value ? "Set a value" : "Load the query from a file", style: focus, titleStyle: focus,
            rightTitle: [Span(value ? " Enter sets · Esc cancels " : " Enter reads · Esc cancels ", .fg(.muted))])
        let area = inner.inset(dx: 1, dy: 0)
        guard !area.isEmpty else { return }
        let label = value ? ":" : "path "
        let x = area.x + grid.text(label, at: Point(x: area.x, y: area.y), style: .fg(.muted), clip: area)
        let field = Rect(x: x, y: area.y, width: max(1, area.maxX - x), height: 1)
        // Keep the caret in view: show the end of a long path.
        let text = state.prompt.lines[0]
        let before = String(text.prefix(state.prompt.cursor.column))
        let shift = max(0, DisplayWidth.of(before) - (field.width - 1))
        let shown = String(text.dropFirst(shift))
        grid.text(shown, at: Point(x: field.x, y: field.y), style: CellStyle(bold: true), clip: field)
        grid.cursor = Point(x: field.x + min(field.width - 1, DisplayWidth.of(before) - shift), y: field.y)
        guard area.height >= 2 else { return }
        if value {
            // The users matching what is typed after "user", with their names (a fuzzy picker in one line).
            let words = text.split(separator: " ", maxSplits: 1)
            if words.count == 2, ["user", "users"].contains(words[0].lowercased()) {
                let matches = UserMatch.candidates(String(words[1]), in: state.choices)
                let shown = matches.prefix(4).map { UserMatch.label($0, state.choices) }.joined(separator: " · ")
                grid.text(
                    matches.isEmpty ? "no user matches" : "\(matches.count) match: " + shown, in: area.row(1),
                    style: .fg(.accent))
            } else {
                grid.text(ValueCommand.usage, in: area.row(1), style: .fg(.muted))
            }
        } else {
            grid.text("a job description as plain text; ~ is your home directory", in: area.row(1), style: .fg(.muted))
        }
    }
}

/// The sweep view: recall@k against p95 latency over ef_search values for the current query, the current setting
/// marked, with the measured points listed beside the chart.
enum SweepView {
    static func draw(_ state: AppState, in rect: Rect, into grid: inout CellGrid) {
        guard !rect.isEmpty else { return }
        grid.fill(rect)
        let focus = CellStyle(foreground: .focus, bold: true)
        guard let sweep = state.sweep else {
            let inner = grid.box(rect, title: "Sweep", style: focus, titleStyle: focus)
            grid.text("No sweep yet — type a query, then s.", in: inner.inset(dx: 1, dy: 0).row(0), style: .fg(.muted))
            return
        }
        let k = sweep.params.limit
        var title = "Sweep ef_search · recall@\(k) vs p95 latency"
        if sweep.params.method == .hybrid { title += " (semantic side)" }
        // The index swept, where the title has room beside the phase.
        let plan = sweep.params.plan.indexName.map { " · pinned \($0)" } ?? " · planner's choice (no HNSW index)"
        var phaseSpans = phase(sweep, now: state.now)
        if !sweep.isRunning, (state.choices.indexes[sweep.params.model] ?? []).map(\.name) != sweep.indexes {
            phaseSpans = [Span(" stale: the indexes changed · r reruns ", CellStyle(foreground: .warn, bold: true))]
        }
        if DisplayWidth.of(title + plan) + phaseSpans.reduce(0, { $0 + $1.width }) + 8 <= rect.width { title += plan }
        let inner = grid.box(
            rect, title: title, style: focus, titleStyle: focus, rightTitle: phaseSpans)
        let area = inner.inset(dx: 1, dy: 0)
        guard area.width >= 10, area.height >= 3 else { return }
        let (body, footer) = area.splitBottom(1)
        let tableWidth = area.width >= 70 ? 28 : 0
        let (chartArea, tableArea) = body.splitRight(tableWidth)
        let points = sweep.sortedPoints
        let marked = points.firstIndex { $0.efSearch == state.sideA.params.efSearch }
        let chart = Chart(
            points: points.map { Chart.Point(x: $0.p95Ms, y: $0.recall, label: "ef=\($0.efSearch)") },
            marked: marked, xLabel: "p95 ms (\(SweepModel.repetitions) runs each)", yLabel: "",
            yRange: yRange(points), connect: false)
        if points.isEmpty {
            let text = sweep.isRunning ? "measuring ef_search \(sweep.values.first ?? 0)…" : "no points measured"
            grid.text(text, in: chartArea.row(chartArea.height / 2), style: .fg(.muted), alignment: .center)
        } else {
            grid.chart(chart, in: chartArea.inset(dx: 0, dy: 0))
        }
        if tableWidth > 0 {
            let table = Rect(x: tableArea.x + 2, y: tableArea.y, width: tableArea.width - 2, height: tableArea.height)
            drawTable(state, sweep, points, in: table, into: &grid)
        }
        grid.spans(footerLine(state, sweep, points), at: Point(x: footer.x, y: footer.y), clip: footer)
    }

    static func yRange(_ points: [SweepPoint]) -> ClosedRange<Double> {
        let low = points.map(\.recall).min() ?? 0
        let floor = (min(low, 0.95) * 20).rounded(.down) / 20
        return max(0, floor)...1
    }

    static func phase(_ sweep: SweepModel, now: Double) -> [Span] {
        switch sweep.phase {
        case .running:
            return [
                Span(
                    " \(Format.spinnerFrame(now: now)) \(sweep.points.count)/\(sweep.values.count) · x stops ",
                    CellStyle(foreground: .accent, bold: true))
            ]
        case .finished: return [Span(" done · r reruns · Esc closes ", .fg(.muted))]
        case .cancelled:
            return [Span(" stopped at \(sweep.points.count)/\(sweep.values.count) · r reruns ", .fg(.warn))]
        case .failed: return [Span(" failed · r reruns ", CellStyle(foreground: .bad, bold: true))]
        }
    }

    static func drawTable(
        _ state: AppState, _ sweep: SweepModel, _ points: [SweepPoint], in rect: Rect,
        into grid: inout CellGrid
    ) {
        guard !rect.isEmpty else { return }
        func line(_ mark: String, _ ef: String, _ recall: String, _ p50: String, _ p95: String) -> String {
            DisplayWidth.pad(mark, to: 1) + DisplayWidth.pad(ef, to: 4, alignRight: true) + " "
                + DisplayWidth.pad(recall, to: 6, alignRight: true) + " "
                + DisplayWidth.pad(p50, to: 6, alignRight: true)
                + " " + DisplayWidth.pad(p95, to: 6, alignRight: true)
        }
        grid.text(
            line(" ", "ef", "recall", "p50", "p95"), at: Point(x: rect.x, y: rect.y),
            style: CellStyle(foreground: .muted, bold: true), clip: rect)
        for (index, point) in points.enumerated().prefix(max(0, rect.height - 1)) {
            let current = point.efSearch == state.sideA.params.efSearch
            let text = line(
                current ? "◆" : " ", "\(point.efSearch)", Format.ratio(point.recall),
                String(format: "%.2f", point.p50Ms), String(format: "%.2f", point.p95Ms))
            let row = Rect(x: rect.x, y: rect.y + 1 + index, width: rect.width, height: 1)
            grid.text(
                text, at: Point(x: row.x, y: row.y), style: current ? CellStyle(foreground: .good, bold: true) : .plain,
                clip: row)
            if index == sweep.selected { grid.restyle(row) { $0.reverse = true } }
        }
    }

    static func footerLine(_ state: AppState, _ sweep: SweepModel, _ points: [SweepPoint]) -> [Span] {
        if case .failed(let reason) = sweep.phase {
            return [Span("✖ " + reason, CellStyle(foreground: .bad, bold: true))]
        }
        let muted = CellStyle.fg(.muted)
        var spans = [
            Span("◆ ", CellStyle(foreground: .good, bold: true)), Span("current ef_search ", muted),
            Span("\(state.sideA.params.efSearch)", CellStyle(bold: true)),
        ]
        if points.indices.contains(sweep.selected) {
            let point = points[sweep.selected]
            spans += [
                Span(" · selected ef \(point.efSearch): recall ", muted),
                Span(Format.ratio(point.recall), CellStyle(bold: true)),
                Span(" p95 ", muted), Span(Format.milliseconds(point.p95Ms), CellStyle(bold: true)),
                Span(" · Enter applies", muted),
            ]
        }
        return spans
    }
}
