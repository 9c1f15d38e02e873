import Foundation
import VecCore

/// The health view (h): `vecscope stats` on screen — per model coverage, refusals, nearest-neighbour similarity
/// (recent vs older), the query cache and the worker queue, then the vector indexes and tables. The ok/warn verdicts
/// and thresholds are VecCore's (`EmbeddingHealth`); this only lays them out.
enum HealthView {
    static func draw(_ state: AppState, in rect: Rect, into grid: inout CellGrid) {
        guard !rect.isEmpty else { return }
        grid.fill(rect)
        let focus = CellStyle(foreground: .focus, bold: true)
        let right = [Span(" r reload · ↑/↓ scroll · Esc closes ", .fg(.muted))]
        let inner = grid.box(rect, title: "Health", style: focus, titleStyle: focus, rightTitle: right)
        let area = inner.inset(dx: 1, dy: 0)
        guard area.width >= 20, area.height >= 1 else { return }
        let all = lines(state, width: area.width)
        let top = min(state.healthView.scroll, maxScroll(lineCount: all.count, visible: area.height))
        var shown = Array(all.dropFirst(top).prefix(area.height))
        let below = all.count - top - shown.count
        if below > 0, !shown.isEmpty {
            // The last row says what is cut off rather than showing half of it.
            let hidden = below + 1
            shown[shown.count - 1] = [Span("… \(hidden) more line\(hidden == 1 ? "" : "s") (↓ scrolls)", .fg(.muted))]
        }
        for (index, spans) in shown.enumerated() {
            let row = area.row(index)
            grid.spans(spans, at: Point(x: row.x, y: row.y), clip: row)
        }
    }

    /// How far the report scrolls in the state's health view.
    static func maxScroll(_ state: AppState) -> Int {
        let area = Layout(for: state).detail.inset(dx: 2, dy: 1)
        return maxScroll(lineCount: lines(state, width: max(1, area.width)).count, visible: area.height)
    }

    static func maxScroll(lineCount: Int, visible: Int) -> Int { max(0, lineCount - max(1, visible)) }

    static func lines(_ state: AppState, width: Int) -> [[Span]] {
        switch state.healthView.phase {
        case .loading:
            return [[Span("\(Format.spinnerFrame(now: state.now)) loading… (reading `vecscope stats`)", .fg(.muted))]]
        case .failed(let error):
            return failure(error, width: width)
        case .loaded(let body):
            return report(body, width: width)
        }
    }

    static func failure(_ error: TUIError, width: Int) -> [[Span]] {
        let report = error.report
        var out: [[Span]] = []
        func add(_ label: String, _ text: String?, _ style: CellStyle) {
            guard let text, !text.isEmpty else { return }
            for (index, line) in TextWrap.wrap(label + text, width: max(1, width)).enumerated() {
                out.append([Span(index == 0 ? line : "  " + line, style)])
            }
        }
        add("could not read the health report: ", report.what, CellStyle(foreground: .bad, bold: true))
        add("why: ", report.why, .fg(.bad))
        if let code = report.sqlState { add("SQLSTATE ", code, .fg(.muted)) }
        add("detail: ", report.detail, .fg(.muted))
        add("hint: ", report.hint, .fg(.muted))
        add("fix: ", report.fix ?? "r tries again once the database answers", .plain)
        return out
    }

    static func report(_ body: StatsBody, width: Int) -> [[Span]] {
        var out: [[Span]] = []
        let heading = CellStyle(foreground: .title, bold: true)
        if body.models.isEmpty {
            out.append([Span("No model has vectors, cached queries or a worker yet (vecscope embed).", .fg(.muted))])
        }
        for model in body.models {
            out.append([Span(model.model, heading)])
            out.append(
                [
                    Span("  coverage  "), Span("\(percent(model.coverage)) "),
                    verdict(model.coverageStatus),
                    Span(
                        " (≥ \(percent(body.thresholds.coverage))) · \(model.stale) stale, \(model.missing) missing, "
                            + "\(model.failed) failed of \(model.artifacts)", .fg(.muted)),
                ])
            out.append([
                Span("  refused   "),
                Span(
                    "\(model.refusedDocuments) document, \(model.refusedQueries) query vectors (degenerate)",
                    model.refusedDocuments + model.refusedQueries > 0 ? .fg(.warn) : .plain),
            ])
            out.append(similarity(model.similarity))
            if let note = model.similarity.note { out.append([Span("            " + note, .fg(.muted))]) }
            let cache = model.cache
            out.append([
                Span("  cache     hit rate \(percent(cache.hitRate)) "), verdict(cache.status),
                Span(
                    " (≥ \(percent(body.thresholds.cacheHitRate))) · \(cache.hits) hits, \(cache.misses) misses, "
                        + "\(cache.entries) entries", .fg(.muted)),
            ])
            for job in cache.top {
                out.append([
                    Span(
                        "            \(job.hash.prefix(12))…  \(job.accessCount) lookups, \(job.misses) misses, "
                            + "last \(job.lastAccessedAt)", .fg(.muted))
                ])
            }
            let queue = model.queue
            out.append([
                Span("  queue     "),
                Span(
                    (queue.followed ? "followed" : "no worker") + " · \(queue.pending) queued, \(queue.failed) failed"
                        + (queue.oldestSeconds.map { String(format: ", oldest %.0f s", $0) } ?? ""),
                    queue.failed > 0 ? .fg(.warn) : .plain),
            ])
            if let error = queue.lastError { out.append([Span("            last error: " + error, .fg(.bad))]) }
        }
        out.append([])
        let indexColumns = [9, 9, 8], tableColumns = [9, 16, 16]
        out.append([Span(row("index", ["size", "B/vector", "scans"], indexColumns, width: width), heading)])
        if body.indexes.isEmpty { out.append([Span("(no vector index: searches scan every vector)", .fg(.muted))]) }
        for index in body.indexes {
            out.append([
                Span(
                    row(
                        (index.valid ? "" : "✖ ") + index.name,
                        [
                            ByteSize.readable(index.sizeBytes),
                            index.bytesPerVector.map { String(format: "%.0f", $0) } ?? "–", "\(index.scans)",
                        ], indexColumns, width: width),
                    index.valid ? .plain : .fg(.bad))
            ])
        }
        out.append([])
        out.append([
            Span(row("table", ["dead", "last vacuum", "last analyze"], tableColumns, width: width), heading)
        ])
        for table in body.tables {
            out.append([
                Span(
                    row(
                        table.table, ["\(table.deadTuples)", day(table.lastVacuum), day(table.lastAnalyze)],
                        tableColumns, width: width))
            ])
        }
        return out
    }

    static func similarity(_ shift: StatsBody.SimilarityShift) -> [Span] {
        var spans = [
            Span(
                "  NN sim    p50 recent \(Format.score(shift.recent?.p50)) · older \(Format.score(shift.older?.p50))"
                    + (shift.medianShift.map { String(format: " (Δ %+.3f) ", $0) } ?? " "))
        ]
        spans.append(
            shift.shifted ? Span("warn: shifted", CellStyle(foreground: .bad, bold: true)) : Span("ok", .fg(.good)))
        if shift.recent == nil { spans[spans.count - 1] = Span("n/a", .fg(.muted)) }
        return spans
    }

    static func verdict(_ status: StatsBody.Status) -> Span {
        switch status {
        case .ok: return Span("ok", CellStyle(foreground: .good, bold: true))
        case .warn: return Span("warn", CellStyle(foreground: .bad, bold: true))
        case .notApplicable: return Span("n/a", .fg(.muted))
        }
    }

    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f %%", $0 * 100) } ?? "n/a"
    }

    /// "2026-12-03 08:00" from the report's ISO 8601 time, "never" without one.
    static func day(_ iso: String?) -> String {
        guard let iso else { return "never" }
        return String(iso.replacingOccurrences(of: "T", with: " ").prefix(16))
    }

    /// The name takes what the right-aligned columns leave of the width.
    static func row(_ name: String, _ cells: [String], _ widths: [Int], width: Int) -> String {
        let nameWidth = max(8, width - widths.reduce(0) { $0 + $1 + 1 })
        var text = DisplayWidth.pad(DisplayWidth.truncate(name, to: nameWidth), to: nameWidth)
        for (cell, cellWidth) in zip(cells, widths) {
            text += " " + DisplayWidth.pad(DisplayWidth.truncate(cell, to: cellWidth), to: cellWidth, alignRight: true)
        }
        return text
    }
}
