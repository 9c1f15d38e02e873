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

/// The sweep view: recall@k against p95 latency (log scale) over the values of one index knob for the current
/// query — ef_search for an HNSW index, probes for an IVFFlat one — with the index named, every point labelled
/// with its value, the current setting marked and the measured points listed beside the chart.
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
        var phaseSpans = phase(sweep, now: state.now)
        if !sweep.isRunning, let reason = staleReason(state, sweep) {
            phaseSpans = [Span(" stale: \(reason) · r reruns ", CellStyle(foreground: .warn, bold: true))]
        }
        // The longest title that leaves the phase (and a stale mark) room on the border.
        let side = sweep.params.method == .hybrid ? " (semantic side)" : ""
        let titles = [
            "Sweep \(sweep.knob.rawValue) · recall@\(k) vs p95 latency\(side)",
            "Sweep \(sweep.knob.rawValue) · recall@\(k) vs p95\(side)", "Sweep \(sweep.knob.rawValue)",
        ]
        let room = rect.width - phaseSpans.reduce(0) { $0 + $1.width } - 8
        let title = titles.first { DisplayWidth.of($0) <= room } ?? titles[titles.count - 1]
        let inner = grid.box(
            rect, title: title, style: focus, titleStyle: focus, rightTitle: phaseSpans)
        let area = inner.inset(dx: 1, dy: 0)
        guard area.width >= 10, area.height >= 4 else { return }
        let (heading, rest) = area.splitTop(1)
        grid.spans(indexLine(state, sweep, width: heading.width), at: Point(x: heading.x, y: heading.y), clip: heading)
        let (body, footer) = rest.splitBottom(1)
        let tableWidth = area.width >= 70 ? 28 : 0
        let (chartArea, tableArea) = body.splitRight(tableWidth)
        let points = sweep.sortedPoints
        let current = sweep.knob.value(in: state.sideA.params)
        let marked = points.firstIndex { $0.value == current }
        let chart = Chart(
            points: points.map { Chart.Point(x: $0.p95Ms, y: $0.recall, label: "\($0.value)") },
            marked: marked, xLabel: "p95 ms, log scale · \(SweepModel.repetitions) runs each", yLabel: "",
            yRange: yRange(points), connect: false, xScale: .log)
        var unlabelled: [Int] = []
        if points.isEmpty {
            let text =
                sweep.isRunning ? "measuring \(sweep.knob.rawValue) \(sweep.values.first ?? 0)…" : "no points measured"
            grid.text(text, in: chartArea.row(chartArea.height / 2), style: .fg(.muted), alignment: .center)
        } else {
            unlabelled = grid.chart(chart, in: chartArea)
        }
        if tableWidth > 0 {
            let table = Rect(x: tableArea.x + 2, y: tableArea.y, width: tableArea.width - 2, height: tableArea.height)
            drawTable(state, sweep, points, in: table, into: &grid)
        }
        grid.spans(
            footerLine(state, sweep, points, unlabelled: unlabelled.map { points[$0].value }),
            at: Point(x: footer.x, y: footer.y), clip: footer)
    }

    /// Why a finished sweep no longer describes the database, if it does not: the model's indexes changed (one
    /// built or dropped), or its data did (artifacts or vectors loaded, edited, deleted or embedded).
    static func staleReason(_ state: AppState, _ sweep: SweepModel) -> String? {
        if (state.choices.indexes[sweep.params.model] ?? []).map(\.name) != sweep.indexes {
            return "the indexes changed"
        }
        return sweep.dataChanged ? "the data changed" : nil
    }

    /// "index ae_hnsw_… (HNSW, pinned) · 252 artifacts, 504 vectors": the index swept, then what fits of the data
    /// it was measured on.
    static func indexLine(_ state: AppState, _ sweep: SweepModel, width: Int) -> [Span] {
        let muted = CellStyle.fg(.muted), bold = CellStyle(bold: true)
        var spans: [Span]
        if let name = sweep.params.plan.indexName {
            let type = state.choices.index(named: name)?.type == .ivfflat ? "IVFFlat" : "HNSW"
            spans = [Span("index ", muted), Span(name, bold), Span(" (\(type), pinned)", muted)]
        } else {
            spans = [Span("no vector index of this model: the planner's choice", CellStyle(foreground: .warn))]
        }
        if let data = sweep.dataAtStart {
            let more = Span(" · \(data.artifacts) artifacts, \(data.vectors) vectors", muted)
            if spans.reduce(0, { $0 + $1.width }) + more.width <= width { spans.append(more) }
        }
        return spans
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
        func line(_ mark: String, _ value: String, _ recall: String, _ p50: String, _ p95: String) -> String {
            DisplayWidth.pad(mark, to: 1) + DisplayWidth.pad(value, to: 4, alignRight: true) + " "
                + DisplayWidth.pad(recall, to: 6, alignRight: true) + " "
                + DisplayWidth.pad(p50, to: 6, alignRight: true)
                + " " + DisplayWidth.pad(p95, to: 6, alignRight: true)
        }
        grid.text(
            line(" ", sweep.knob == .probes ? "prb" : "ef", "recall", "p50", "p95"), at: Point(x: rect.x, y: rect.y),
            style: CellStyle(foreground: .muted, bold: true), clip: rect)
        for (index, point) in points.enumerated().prefix(max(0, rect.height - 1)) {
            let current = point.value == sweep.knob.value(in: state.sideA.params)
            let text = line(
                current ? "◆" : " ", "\(point.value)", Format.ratio(point.recall),
                String(format: "%.2f", point.p50Ms), String(format: "%.2f", point.p95Ms))
            let row = Rect(x: rect.x, y: rect.y + 1 + index, width: rect.width, height: 1)
            grid.text(
                text, at: Point(x: row.x, y: row.y), style: current ? CellStyle(foreground: .good, bold: true) : .plain,
                clip: row)
            if index == sweep.selected { grid.restyle(row) { $0.reverse = true } }
        }
    }

    static func footerLine(
        _ state: AppState, _ sweep: SweepModel, _ points: [SweepPoint], unlabelled: [Int]
    )
        -> [Span]
    {
        if case .failed(let reason) = sweep.phase {
            return [Span("✖ " + reason, CellStyle(foreground: .bad, bold: true))]
        }
        let muted = CellStyle.fg(.muted)
        var spans = [
            Span("◆ ", CellStyle(foreground: .good, bold: true)), Span("current ", muted),
            Span("\(sweep.knob.value(in: state.sideA.params))", CellStyle(bold: true)),
        ]
        if points.indices.contains(sweep.selected) {
            let point = points[sweep.selected]
            spans += [
                Span(" · selected \(point.value): recall ", muted),
                Span(Format.ratio(point.recall), CellStyle(bold: true)),
                Span(" p95 ", muted), Span(Format.milliseconds(point.p95Ms), CellStyle(bold: true)),
                Span(" · Enter applies", muted),
            ]
        }
        // A chart too small to label every point says which ones it could not (the table lists them all).
        if !unlabelled.isEmpty {
            spans.insert(
                Span("unlabelled: " + unlabelled.map(String.init).joined(separator: ", ") + " · ", .fg(.warn)), at: 0)
        }
        return spans
    }
}
