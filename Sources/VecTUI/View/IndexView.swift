import VecCore

/// The index view (i): one row per vector index (type, parameters, size, rows, scans), the selected index's
/// details, the job running in the background with a live bar, and the create form or drop question on top.
enum IndexView {
    static func draw(_ state: AppState, in rect: Rect, into grid: inout CellGrid) {
        guard !rect.isEmpty else { return }
        grid.fill(rect)
        let focus = CellStyle(foreground: .focus, bold: true)
        let view = state.indexView
        let count = view.inventory.indexes.count
        let right = [Span(" \(count) vector index\(count == 1 ? "" : "es") · n new · Esc closes ", .fg(.muted))]
        let inner = grid.box(rect, title: "Vector indexes", style: focus, titleStyle: focus, rightTitle: right)
        let area = inner.inset(dx: 1, dy: 0)
        guard area.width >= 20, area.height >= 5 else { return }
        let (tableArea, bottom) = area.splitBottom(min(5, area.height - 2))  // 2 selected, 2 job, 1 footer
        drawTable(state, in: tableArea, into: &grid)
        drawSelected(
            state, in: Rect(x: bottom.x, y: bottom.y, width: bottom.width, height: min(2, bottom.height)), into: &grid)
        drawJob(
            state, in: Rect(x: bottom.x, y: bottom.y + 2, width: bottom.width, height: min(2, bottom.height - 2)),
            into: &grid)
        if bottom.height >= 4 { drawFooter(state, in: bottom.row(bottom.height - 1), into: &grid) }
        if let form = view.form { drawForm(state, form, in: area, into: &grid) }
        if let name = view.pendingDrop { drawDropQuestion(name, in: area, into: &grid) }
    }

    /// Column widths after the name, which takes what is left.
    private static let columns: [(title: String, width: Int)] = [
        ("type", 12), ("parameters", 13), ("size", 9), ("rows", 8), ("scans", 7),
    ]

    /// The type names the variant (issue 18): "hnsw" stores full vectors, "hnsw bit" one bit a dimension,
    /// "hnsw halfvec" half precision — beside its size, so the variants' sizes compare down the column.
    static func cells(_ info: VectorIndexInfo) -> [String] {
        let parameters =
            info.type == "hnsw" ? "m \(info.m ?? 16) ef \(info.efConstruction ?? 64)" : "lists \(info.lists ?? 100)"
        let type = info.quantization == .none ? info.type : "\(info.type) \(info.quantization.rawValue)"
        return [type, parameters, info.readableSize, "\(info.rows)", "\(info.scans)"]
    }

    static func line(_ name: String, _ cells: [String], width: Int) -> String {
        let fixed = columns.reduce(0) { $0 + $1.width + 1 }
        let nameWidth = max(8, width - fixed)
        var text = DisplayWidth.pad(DisplayWidth.truncate(name, to: nameWidth), to: nameWidth)
        for (cell, column) in zip(cells, columns) {
            text +=
                " "
                + DisplayWidth.pad(
                    DisplayWidth.truncate(cell, to: column.width), to: column.width,
                    alignRight: column.title != "type" && column.title != "parameters")
        }
        return text
    }

    static func drawTable(_ state: AppState, in rect: Rect, into grid: inout CellGrid) {
        guard !rect.isEmpty else { return }
        let view = state.indexView
        grid.text(
            line("name", columns.map(\.title), width: rect.width), at: Point(x: rect.x, y: rect.y),
            style: CellStyle(foreground: .muted, bold: true), clip: rect)
        let body = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
        guard !body.isEmpty else { return }
        if view.inventory.indexes.isEmpty {
            let text: String
            switch view.phase {
            case .loading: text = "\(Format.spinnerFrame(now: state.now)) reading the catalog…"
            case .failed(let reason): text = "could not list the indexes: " + reason
            case .loaded: text = "No vector index yet: every search is an exact scan. n creates one."
            }
            grid.text(text, in: body.row(0), style: .fg(view.phase == .loaded ? .muted : .bad))
            return
        }
        let top = Reducer.scroll(0, selected: view.selected, visible: body.height, count: view.inventory.indexes.count)
        for (index, info) in view.inventory.indexes.enumerated().dropFirst(top).prefix(body.height) {
            let row = body.row(index - top)
            let name = (info.valid ? "" : "✖ ") + info.name
            let inUse = info.model == state.sideA.params.model && info.table == "artifact_embeddings"
            let style: CellStyle = !info.valid ? .fg(.bad) : inUse ? .plain : .fg(.muted)
            grid.text(line(name, cells(info), width: row.width), at: Point(x: row.x, y: row.y), style: style, clip: row)
            if index == view.selected { grid.restyle(row) { $0.reverse = true } }
        }
    }

    /// Two lines on the selected index: what it serves, then how it was built and whether it is usable.
    static func drawSelected(_ state: AppState, in rect: Rect, into grid: inout CellGrid) {
        guard let info = state.indexView.selectedIndex, !rect.isEmpty else { return }
        let muted = CellStyle.fg(.muted)
        grid.spans(
            [
                Span("model ", muted), Span(info.model ?? "(any)", CellStyle(bold: true)),
                Span(" · \(info.table) · \(info.metricName) (\(info.opclass))", muted),
            ],
            at: Point(x: rect.x, y: rect.y), clip: rect.row(0))
        guard rect.height >= 2 else { return }
        var spans = [Span(info.name, CellStyle(bold: true))]
        // A quantized variant (issue 18) is named before the parameters, so it survives an 80-column clip.
        if info.quantization != .none { spans.append(Span(" · \(info.quantization.rawValue)", .fg(.accent))) }
        spans.append(Span(" · \(info.parameterSummary)", muted))
        if let seconds = info.buildSeconds { spans.append(Span(String(format: " · built in %.1fs", seconds), muted)) }
        spans.append(
            info.valid
                ? Span(" · valid", .fg(.good))
                : Span(" · INVALID: r rebuilds, D drops", CellStyle(foreground: .bad, bold: true)))
        grid.spans(spans, at: Point(x: rect.x, y: rect.y + 1), clip: rect.row(1))
    }

    /// The running job: title, elapsed time and, once PostgreSQL reports counts, a bar with done/total and rate.
    static func drawJob(_ state: AppState, in rect: Rect, into grid: inout CellGrid) {
        guard !rect.isEmpty else { return }
        guard let job = state.indexView.job else {
            if let outcome = state.indexView.lastOutcome {
                let style = outcome.kind == .error ? CellStyle(foreground: .bad, bold: true) : CellStyle.fg(.good)
                grid.text((outcome.kind == .error ? "✖ " : "✔ ") + outcome.text, in: rect.row(0), style: style)
            }
            return
        }
        let elapsed = max(0, state.now - job.startedAt)
        let stopping = job.cancelRequested ? " · stopping…" : " · x stops"
        grid.spans(
            [
                Span("\(Format.spinnerFrame(now: state.now)) ", CellStyle(foreground: .accent, bold: true)),
                Span(job.title, CellStyle(bold: true)),
                Span(String(format: " · %.1fs", elapsed) + stopping, .fg(.muted)),
            ],
            at: Point(x: rect.x, y: rect.y), clip: rect.row(0))
        guard rect.height >= 2 else { return }
        let row = rect.row(1)
        guard let progress = job.progress else {
            grid.text("waiting for PostgreSQL to report progress…", in: row, style: .fg(.muted))
            return
        }
        let counts = progress.counts
        let label = progress.phase + " "
        let x = row.x + grid.text(label, at: Point(x: row.x, y: row.y), style: .fg(.accent), clip: row)
        guard counts.total > 0 else { return }
        let tail = Format.progressTail(
            done: counts.done, total: counts.total, unit: counts.unit,
            seconds: state.now - job.phaseStartedAt)
        let tailWidth = DisplayWidth.of(tail)
        let barWidth = max(0, row.maxX - x - tailWidth)
        if barWidth >= 5 {
            grid.horizontalBar(
                Double(counts.done) / Double(counts.total), in: Rect(x: x, y: row.y, width: barWidth, height: 1))
        }
        grid.text(tail, at: Point(x: x + (barWidth >= 5 ? barWidth : 0), y: row.y), clip: row)
    }

    static func drawFooter(_ state: AppState, in row: Rect, into grid: inout CellGrid) {
        let text =
            "ef_search / probes are set per query in Parameters; an index serves only its model, table and metric"
        grid.text(DisplayWidth.truncate(text, to: row.width), in: row, style: .fg(.muted))
    }

    /// The create form, centred over the list.
    static func drawForm(_ state: AppState, _ form: IndexForm, in area: Rect, into grid: inout CellGrid) {
        let fields = form.fields
        let box = area.centered(width: min(64, area.width), height: min(area.height, fields.count + 5))
        guard box.height >= 4 else { return }
        grid.fill(box)
        let focus = CellStyle(foreground: .focus, bold: true)
        let inner = grid.box(
            box, title: "New index", style: focus, titleStyle: focus,
            rightTitle: [Span(" Enter builds · Esc cancels ", .fg(.muted))])
        let body = inner.inset(dx: 1, dy: 0)
        let request = form.request
        for (index, field) in fields.enumerated() where index < body.height {
            let value: String
            switch field {
            case .model: value = request.model
            case .type: value = request.type.rawValue
            case .metric: value = request.metric.rawValue
            case .quantization:
                value = request.quantization == .none ? "none (full vectors)" : request.quantization.rawValue
            case .m: value = "\(request.m)"
            case .efConstruction: value = "\(request.efConstruction)"
            case .lists: value = "\(request.lists)"
            }
            let row = body.row(index)
            let selected = field == form.field
            let x =
                row.x
                + grid.text(
                    DisplayWidth.pad(field.label, to: 16), at: Point(x: row.x, y: row.y),
                    style: .fg(.muted), clip: row)
            grid.text(
                selected ? "◀ \(value) ▶" : "  \(value)", at: Point(x: x, y: row.y),
                style: selected ? CellStyle(foreground: .accent, bold: true) : CellStyle(bold: true), clip: row)
            if selected { grid.restyle(row) { $0.reverse = true } }
        }
        let rows = state.indexView.inventory.rowsByModel[request.model] ?? 0
        let advice = IndexAdvice.advice(
            type: request.type, m: request.m, efConstruction: request.efConstruction,
            lists: request.lists, rows: rows)
        let adviceRow = fields.count + 1
        // What the engine would refuse (a variant the model cannot have) comes before any advice: Enter will not build.
        let problem = request.problem(for: state.indexView.inventory.models[request.model])
        if adviceRow < body.height {
            let text =
                problem.map { "✖ " + $0 } ?? advice.map { "advice: " + $0 }
                ?? "\(rows) vectors of this model · usual parameters for that size"
            grid.text(
                DisplayWidth.truncate(text, to: body.width), in: body.row(adviceRow),
                style: problem != nil
                    ? CellStyle(foreground: .bad, bold: true) : advice == nil ? .fg(.muted) : .fg(.warn))
        }
        if adviceRow + 1 < body.height {
            grid.text(
                "←/→ change · ↑/↓ field · a: recommended for the row count", in: body.row(adviceRow + 1),
                style: .fg(.muted))
        }
    }

    static func drawDropQuestion(_ name: String, in area: Rect, into grid: inout CellGrid) {
        let box = area.centered(width: min(70, area.width), height: 4)
        guard box.height >= 3 else { return }
        grid.fill(box)
        let warn = CellStyle(foreground: .warn, bold: true)
        let inner = grid.box(box, title: "Drop index?", style: warn, titleStyle: warn)
        let body = inner.inset(dx: 1, dy: 0)
        grid.text(
            DisplayWidth.truncate("DROP INDEX \(name)", to: body.width), in: body.row(0), style: CellStyle(bold: true))
        if body.height >= 2 {
            grid.text(
                "y drops it · n/Esc keeps it · searches it served use another index or scan", in: body.row(1),
                style: .fg(.muted))
        }
    }
}
