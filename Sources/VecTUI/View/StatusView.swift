/// The two status rows: where the search ran and how (connection, model, plan, rows), then how fast and how good
/// (latencies, recall@k, nDCG@k, P@k) with the busy indicator.
enum StatusView {
    static func draw(_ state: AppState, in rect: Rect, into grid: inout CellGrid) {
        guard !rect.isEmpty else { return }
        let bar = CellStyle(reverse: true)
        grid.fill(rect, style: bar)
        let rows = wrapped([firstRow(state), secondRow(state)], width: rect.width - 2, rows: rect.height)
        for (index, segments) in rows.enumerated() where index < rect.height {
            drawSegments(segments, in: rect.row(index).inset(dx: 1, dy: 0), into: &grid)
        }
        grid.restyle(rect) { $0.reverse = true }
    }

    /// The rows as drawn: each row fitted to the width; with a spare row (narrow terminals), what the first rows
    /// had to drop wraps onto it, still by priority, instead of being lost.
    static func wrapped(_ rows: [[Segment]], width: Int, rows available: Int) -> [[Segment]] {
        var shown: [[Segment]] = []
        var overflow: [Segment] = []
        for row in rows {
            let numbered = row.enumerated().map { index, segment in
                var segment = segment
                segment.order = index
                return segment
            }
            let kept = fit(numbered, width: width)
            let keptOrders = Set(kept.map(\.order))
            overflow += numbered.filter { !keptOrders.contains($0.order) }
            shown.append(kept)
        }
        if available > rows.count, !overflow.isEmpty {
            shown.append(fit(overflow.filter { !$0.flexible }, width: width))
        }
        return shown
    }

    /// A piece of a status row. When a row is too narrow, the lowest `priority` pieces are dropped first and a
    /// `flexible` piece (the plan) is shortened to what is left rather than dropped.
    struct Segment {
        var spans: [Span]
        var priority: Int
        var flexible = false
        /// Position in its row, to tell what `fit` dropped.
        var order = 0
        var width: Int { spans.reduce(0) { $0 + $1.width } }
    }

    static let separator = " │ "

    /// Lays out and draws segments separated by " │ ".
    static func drawSegments(_ segments: [Segment], in row: Rect, into grid: inout CellGrid) {
        let kept = fit(segments, width: row.width)
        var x = row.x
        for index in kept.indices {
            if index > 0 { x += grid.text(separator, at: Point(x: x, y: row.y), style: .fg(.muted), clip: row) }
            x += grid.spans(kept[index].spans, at: Point(x: x, y: row.y), clip: row)
        }
    }

    /// The segments that fit in `width`, in their original order. Pieces less important than the flexible one
    /// are dropped before it is shortened; it is shortened (to no less than 16 columns) before more important
    /// pieces go. The first piece is never dropped.
    static func fit(_ segments: [Segment], width: Int) -> [Segment] {
        func total(_ list: [Segment]) -> Int {
            list.reduce(0) { $0 + $1.width } + max(0, list.count - 1) * separator.count
        }
        var kept = segments
        let flexiblePriority = kept.first(where: \.flexible)?.priority ?? Int.max
        func dropLeastImportant(below limit: Int) -> Bool {
            let candidates = kept.indices.dropFirst().filter { !kept[$0].flexible && kept[$0].priority < limit }
            guard let victim = candidates.min(by: { kept[$0].priority < kept[$1].priority }) else { return false }
            kept.remove(at: victim)
            return true
        }
        while total(kept) > width, dropLeastImportant(below: flexiblePriority) {}
        if total(kept) > width, let index = kept.firstIndex(where: \.flexible) {
            let target = max(16, kept[index].width - (total(kept) - width))
            if target < kept[index].width { kept[index].spans = shorten(kept[index].spans, to: target) }
        }
        while total(kept) > width, dropLeastImportant(below: Int.max) {}
        return kept
    }

    /// Spans cut to `width` columns, the last one ending in "…".
    static func shorten(_ spans: [Span], to width: Int) -> [Span] {
        var out: [Span] = []
        var used = 0
        for span in spans {
            let room = width - used
            if room <= 0 { break }
            if span.width <= room {
                out.append(span)
                used += span.width
            } else {
                out.append(Span(DisplayWidth.truncate(span.text, to: room), span.style))
                break
            }
        }
        return out
    }

    static func label(_ text: String) -> Span { Span(text, .plain) }
    static func value(_ text: String, _ role: ColorRole = .normal) -> Span {
        Span(text, CellStyle(foreground: role, bold: true))
    }

    static func firstRow(_ state: AppState) -> [Segment] {
        var segments: [Segment] = []
        let target = state.connectionTarget.isEmpty ? "database" : state.connectionTarget
        switch state.database {
        case .connecting:
            segments.append(Segment(spans: [value("○ ", .warn), label(target + " (connecting)")], priority: 9))
        case .connected: segments.append(Segment(spans: [value("● ", .good), label(target)], priority: 9))
        case .down: segments.append(Segment(spans: [value("✖ ", .bad), label(target + " DOWN")], priority: 9))
        }
        let params = state.sideA.results.params ?? state.sideA.params
        let model = Segment(spans: [label("model "), value(params.model)], priority: 2)
        guard let info = state.sideA.results.response?.info else {
            return segments + [model, Segment(spans: [label("no search yet")], priority: 1)]
        }
        var plan: String
        if let index = info.indexName {
            plan = "Index Scan " + index
        } else if let text = info.plan {
            plan = text
        } else {
            plan = info.parameters.explain ? "plan unknown" : "plan: explain off"
        }
        // Plans are cached per statement shape and knob values: say how old the one shown is.
        if let age = info.planAgeSeconds {
            let seconds = Int(max(0, age + state.now - state.sideA.results.arrivedAt))
            plan += " · measured \(seconds) s ago"
        }
        let isSeqScan = plan.lowercased().contains("seq scan")
        segments.append(
            Segment(
                spans: [label("plan "), value(plan, isSeqScan ? .warn : .normal)], priority: 8,
                flexible: true))
        let short = info.rowsReturned < info.limit
        segments.append(
            Segment(
                spans: [
                    value("\(info.rowsReturned)/\(info.limit)", short ? .warn : .normal),
                    label(" rows"),
                ], priority: 10))
        segments.append(Segment(spans: [value("\(info.totalCandidates)"), label(" candidates")], priority: 1))
        segments.append(model)
        return segments
    }

    static func secondRow(_ state: AppState) -> [Segment] {
        var busy: [Span]
        if state.sideA.status.isBusy {
            busy = [value("\(Format.spinnerFrame(now: state.now)) searching", .accent)]
        } else if state.resultsAreStale(.a) {
            busy = [value("stale", .warn)]
        } else if state.sideA.results.response != nil {
            busy = [value("✓", .good)]
        } else {
            busy = [value("idle")]
        }
        var segments = [Segment(spans: busy, priority: 9)]
        guard let info = state.sideA.results.response?.info else { return segments }
        segments.append(
            Segment(spans: [label("server "), value(Format.milliseconds(info.serverExecutionMs))], priority: 6))
        segments.append(Segment(spans: [label("client "), value(Format.milliseconds(info.clientWallMs))], priority: 5))
        let k = state.ndcgK
        if let recall = RecallDisplay(state.sideA.results) {
            let role: ColorRole = recall.recall.map { $0 >= 0.95 ? .good : $0 >= 0.8 ? .normal : .warn } ?? .normal
            segments.append(
                Segment(
                    spans: [label(recall.label + " "), value(recall.value, role)],
                    priority: recall.scope.isApplicable ? 8 : 7))
        }
        let judged = state.sideA.results.items.prefix(k).filter { state.grades[$0.artifactID] != nil }.count
        if let score = state.sideA.results.score, score.judged > 0 {
            var spans = [label("nDCG@\(score.k) "), value(Format.ratio(score.ndcg))]
            if let baseline = state.sideA.results.baselineNDCG {
                spans += [label(" BM25 "), value(Format.ratio(baseline))]
            }
            segments.append(Segment(spans: spans, priority: 7))
            segments.append(
                Segment(spans: [label("P@\(score.k) "), value(Format.ratio(score.precision))], priority: 4))
        } else {
            segments.append(Segment(spans: [label("nDCG@\(k) "), value("–")], priority: 7))
        }
        segments.append(
            Segment(
                spans: [label("judged "), value("\(judged)/\(min(k, state.sideA.results.items.count))")],
                priority: 3))
        segments.append(
            Segment(
                spans: [
                    label("embed "),
                    value(info.embeddingCached ? "cached" : Format.milliseconds(info.embeddingMs)),
                ],
                priority: 1))
        return segments
    }
}
