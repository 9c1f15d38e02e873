import VecCore

/// Compare mode (A/B): the two rankings for the same query side by side, with overlap@k, rank moves, and each
/// side's parameters that differ, latency and recall.
enum CompareView {
    static func draw(_ state: AppState, in rect: Rect, into grid: inout CellGrid) {
        guard let compare = state.compare else { return }
        let focused = state.focus == .results && state.overlay == nil
        let styles = borderStyle(focused: focused)
        let inner = grid.box(
            rect, title: title(state, compare), style: styles.border, titleStyle: styles.title,
            rightTitle: badge(state, compare))
        guard !inner.isEmpty else { return }
        let area = inner.inset(dx: 1, dy: 0)
        guard area.width >= 3, area.height >= 1 else { return }
        let leftWidth = (area.width - 1) / 2
        let (left, rest) = area.splitLeft(leftWidth)
        let (divider, right) = rest.splitLeft(1)
        for y in divider.y..<divider.maxY { grid.put("│", x: divider.x, y: y, style: .fg(.border)) }
        let aIDs = state.sideA.results.items.map(\.artifactID)
        let bIDs = compare.sideB.results.items.map(\.artifactID)
        drawSide(.a, state: state, compare: compare, otherIDs: bIDs, in: left, into: &grid)
        drawSide(.b, state: state, compare: compare, otherIDs: aIDs, in: right, into: &grid)
    }

    /// "Compare A/B · overlap@10 7/10 · RBO 0.81 · 3 moved" once both sides have answered. Rank-biased overlap
    /// weighs the top more: the same ten items in another order keep overlap@10 at 10/10 but lower RBO.
    static func title(_ state: AppState, _ compare: CompareModel) -> String {
        guard let summary = summary(state, compare) else { return "Compare A/B" }
        let rbo = RankingMetrics.rankBiasedOverlap(
            state.sideA.results.items.map(\.artifactID), compare.sideB.results.items.map(\.artifactID),
            depth: summary.k)
        return "Compare A/B · overlap@\(summary.k) \(summary.overlap)/\(summary.k) · RBO "
            + String(format: "%.2f", rbo) + " · \(summary.moved) moved"
    }

    /// Overlap of the two top-k lists and how many shared results sit at different ranks.
    static func summary(_ state: AppState, _ compare: CompareModel) -> (k: Int, overlap: Int, moved: Int)? {
        let sideA = state.sideA.results, sideB = compare.sideB.results
        guard sideA.response != nil, sideB.response != nil else { return nil }
        let a = sideA.items.map(\.artifactID), b = sideB.items.map(\.artifactID)
        let k = max(1, min(sideA.params?.limit ?? a.count, sideB.params?.limit ?? b.count))
        let moved = RankChange.changes(from: a, to: b).values.filter {
            if case .up = $0 { return true }
            if case .down = $0 { return true }
            return false
        }.count
        return (k, CompareModel.overlap(a, b, k: k), moved)
    }

    static func badge(_ state: AppState, _ compare: CompareModel) -> [Span] {
        let statuses = [state.sideA.status, compare.sideB.status]
        if statuses.contains(where: \.isBusy) {
            return [
                Span(" \(Format.spinnerFrame(now: state.now)) searching ", CellStyle(foreground: .accent, bold: true))
            ]
        }
        if state.resultsAreStale(.a) || state.resultsAreStale(.b) {
            return [Span(" stale · Ctrl-R ", CellStyle(foreground: .warn, bold: true))]
        }
        return [Span(" ←/→ side · c closes ", .fg(.muted))]
    }

    /// A side's columns for its width, by the results table's rule: the title keeps a usable width and the columns
    /// another one implies go first. Below `Layout.wideWidth` columns side B drops its rank (its rows stand beside
    /// A's rows of the same rank), then both sides drop the score (the detail pane shows it), before the title
    /// would shrink under 26 characters; the grade and the rank change are what compare is for and stay.
    static func columns(
        width: Int, side: Side, method: RankingMethod, rankDigits: Int, narrow: Bool
    )
        -> [ResultsView.Column]
    {
        typealias Column = ResultsView.Column
        let rank = Column(id: .rank, header: "#", width: max(2, rankDigits), alignRight: true)
        let change = Column(id: .change, header: "Δ", width: max(3, rankDigits + 1), alignRight: false)
        let grade = Column(id: .grade, header: "J", width: 1, alignRight: false)
        let score =
            method == .semantic
            ? Column(id: .similarity, header: "sim", width: 5, alignRight: true)
            : Column(id: .relevance, header: "rel", width: 6, alignRight: true)
        // Side A's width decides the score for both sides, so the two tables keep the same columns.
        let sideAWidth = side == .a ? width : width - 1
        let leading = (narrow && side == .b) ? [change, grade] : [rank, change, grade]
        let aLeading = rank.width + change.width + grade.width + 3
        // The wider score ("rel") decides, so a semantic side and a hybrid one keep or drop it together.
        let showsScore = !narrow || sideAWidth - aLeading - 7 >= 26
        let used = leading.reduce(0) { $0 + $1.width + 1 } + (showsScore ? score.width + 1 : 0)
        let title = Column(id: .title, header: "title", width: max(1, width - used), alignRight: false)
        return leading + [title] + (showsScore ? [score] : [])
    }

    static func drawSide(
        _ side: Side, state: AppState, compare: CompareModel, otherIDs: [Int], in rect: Rect,
        into grid: inout CellGrid
    ) {
        guard !rect.isEmpty else { return }
        let search = side == .a ? state.sideA : compare.sideB
        let model = search.results
        let editing = side == compare.editing

        // Row 0: the side's name and what differs from the other side.
        var header = [Span(side.name, CellStyle(foreground: editing ? .focus : .title, bold: true, reverse: editing))]
        let differences = CompareModel.differences(state.sideA.params, compare.sideB.params)
        if differences.isEmpty {
            header.append(Span(" same parameters as \(side == .a ? Side.b.name : Side.a.name)", .fg(.muted)))
        } else {
            for (index, difference) in differences.enumerated() {
                header.append(Span(index == 0 ? " " : " · ", .fg(.muted)))
                header.append(Span(difference.parameter.label + " ", .fg(.muted)))
                header.append(
                    Span(side == .a ? difference.a : difference.b, CellStyle(foreground: .accent, bold: true)))
            }
        }
        grid.spans(header, at: Point(x: rect.x, y: rect.y), clip: rect.row(0))
        guard rect.height >= 3 else { return }

        guard let response = model.response else {
            let text = search.status.isBusy ? "Searching…" : "No search yet — / then Enter."
            grid.text(text, in: rect.row(2), style: .fg(.muted))
            return
        }
        let method = model.params?.method ?? response.info.method
        let columns = Self.columns(
            width: rect.width, side: side, method: method, rankDigits: String(response.results.count).count,
            narrow: state.size.width < Layout.wideWidth)
        ResultsView.drawHeader(columns, in: rect.row(1), into: &grid)

        if response.results.isEmpty {
            let text =
                "No artifacts returned (0/\(response.info.limit) rows) — the index scan found nothing; "
                + "raise ef_search or turn on iterative_scan."
            for (index, line) in TextWrap.wrap(text, width: rect.width).prefix(max(0, rect.height - 3)).enumerated() {
                grid.text(line, in: rect.row(2 + index), style: .fg(.warn))
            }
        }
        let footerRows = 2
        let visible = max(0, rect.height - 2 - footerRows)
        let moves = side == .b ? RankChange.changes(from: otherIDs, to: model.items.map(\.artifactID)) : [:]
        let otherSet = Set(otherIDs)
        let stale = state.resultsAreStale(side)
        // Both sides scroll together, following the selection on the side the results keys act on.
        let active = state.activeResults
        let top = Reducer.scroll(
            active.scroll, selected: active.selected, visible: visible,
            count: max(state.sideA.results.items.count, model.items.count))
        let selectedID = active.selectedResult?.artifactID
        let focused = state.focus == .results && state.overlay == nil
        let isActiveSide = side == compare.selecting
        for (index, result) in response.results.enumerated().dropFirst(top).prefix(visible) {
            let y = rect.y + 2 + index - top
            var changeText = "", changeStyle = CellStyle.plain
            if side == .b {
                let change = moves[result.artifactID] ?? .same
                changeText = change.label
                switch change {
                case .up: changeStyle = .fg(.good)
                case .down: changeStyle = .fg(.bad)
                case .new: changeStyle = .fg(.accent)
                case .same: break
                }
            } else if !otherSet.isEmpty && !otherSet.contains(result.artifactID) {
                changeText = "out"
                changeStyle = .fg(.bad)
            }
            var x = rect.x
            for column in columns {
                var (text, style): (String, CellStyle)
                switch column.id {
                case .change: (text, style) = (changeText, changeStyle)
                case .grade: (text, style) = ResultsView.gradeMark(state.grades[result.artifactID])
                default: (text, style) = ResultsView.cell(column.id, result, state)
                }
                if stale { style.dim = true }
                grid.text(
                    DisplayWidth.pad(text, to: column.width, alignRight: column.alignRight), at: Point(x: x, y: y),
                    style: style, clip: rect)
                x += column.width + 1
            }
            if result.artifactID == selectedID {
                grid.restyle(Rect(x: rect.x, y: y, width: rect.width, height: 1)) { style in
                    if focused && isActiveSide {
                        style.reverse = true
                    } else {
                        style.bold = true; style.underline = !isActiveSide
                    }
                }
            }
        }
        grid.spans(
            footer(model, width: rect.width, indexSize: indexSize(model, choices: state.choices)),
            at: Point(x: rect.x, y: rect.maxY - 2), clip: rect)
        grid.spans(
            relevanceFooter(model, grades: state.grades, choices: state.choices, width: rect.width),
            at: Point(x: rect.x, y: rect.maxY - 1), clip: rect)
    }

    /// The side's ranking quality against the grades (nDCG@k and P@k at its limit, as the status bar computes
    /// them) and the plan its semantic signal ran with: the same fields on both sides.
    static func relevanceFooter(
        _ model: ResultsModel, grades: [Int: Int], choices: ParameterChoices, width: Int
    ) -> [Span] {
        guard let info = model.response?.info else { return [] }
        let ids = model.items.map(\.artifactID)
        let k = model.params?.limit ?? info.limit
        let graded = !grades.isEmpty
        let ndcg = graded ? Format.ratio(RankingMetrics.ndcg(ranking: ids, grades: grades, k: k)) : "–"
        let precision = graded ? Format.ratio(RankingMetrics.precision(ranking: ids, grades: grades, k: k)) : "–"
        let value = { (text: String) in Span(text, CellStyle(bold: true)) }
        let muted = { (text: String) in Span(text, .fg(.muted)) }
        var spans = [muted("nDCG@\(k) "), value(ndcg), muted(" · P@\(k) "), value(precision)]
        let scan = ScanKind(info, indexType: { choices.index(named: $0)?.type })
        let plan = scan.label ?? info.plan ?? (info.parameters.explain ? "plan unknown" : "explain off")
        let used = spans.reduce(0) { $0 + $1.width } + 8
        if width - used >= 4 {
            spans += [muted(" · plan "), value(DisplayWidth.truncate(plan, to: width - used))]
        }
        return spans
    }

    /// The on-disk size of the index the side searched through ("9.6 MB"): the one its plan named, else the one it
    /// pinned; nil for an exact scan or a plan not read.
    static func indexSize(_ model: ResultsModel, choices: ParameterChoices) -> String? {
        guard let name = model.response?.info.indexName ?? model.params?.plan.indexName,
            let bytes = choices.indexSizes[name]
        else { return nil }
        return ByteSize.readable(bytes)
    }

    /// The side's recall, latency and index size in as many words as fit.
    static func footer(_ model: ResultsModel, width: Int, indexSize: String? = nil) -> [Span] {
        guard let info = model.response?.info, let display = RecallDisplay(model) else { return [] }
        let recall = display.value, long = display.label + " ", short = display.shortLabel + " "
        let client = Format.milliseconds(info.clientWallMs), server = Format.milliseconds(info.serverExecutionMs)
        let value = { (text: String) in Span(text, CellStyle(bold: true)) }
        let muted = { (text: String) in Span(text, .fg(.muted)) }
        let isShort = info.rowsReturned < info.limit
        let rows = Span(
            "\(info.rowsReturned)/\(info.limit) rows",
            CellStyle(foreground: isShort ? .warn : .muted, bold: isShort))
        // The long label first; the short one only once no long form fits. Hybrid's long label says what its recall
        // is of, which matters more than the latency.
        let alone: [[Span]] = display.scope == .semanticCandidates ? [[muted(long), value(recall)]] : []
        let candidates: [[Span]] =
            [
                [
                    muted(long), value(recall), muted(" · client "), value(client), muted(" · server "), value(server),
                    muted(" · "), rows,
                ],
                [muted(long), value(recall), muted(" · client "), value(client), muted(" · server "), value(server)],
                [muted(long), value(recall), muted(" · client "), value(client), muted(" · "), rows],
                [muted(long), value(recall), muted(" · client "), value(client)],
                [muted(long), value(recall), muted(" · "), value(client)],
            ] + alone + [
                [muted(short), value(recall), muted(" · client "), value(client), muted(" · server "), value(server)],
                [muted(short), value(recall), muted(" · client "), value(client)],
                [muted(short), value(recall), muted(" · "), value(client)],
            ]
        if let indexSize, !isShort {
            // Compare across index variants (full vectors, halfvec, bit): what each side's recall and latency cost
            // in index size, in the same row.
            let sized: [[Span]] = [
                [
                    muted(long), value(recall), muted(" · client "), value(client), muted(" · server "), value(server),
                    muted(" · index "), value(indexSize),
                ],
                [muted(long), value(recall), muted(" · client "), value(client), muted(" · index "), value(indexSize)],
                [muted(long), value(recall), muted(" · "), value(client), muted(" · index "), value(indexSize)],
                [muted(short), value(recall), muted(" · "), value(client), muted(" · index "), value(indexSize)],
                [muted(short), value(recall), muted(" · "), value(client), muted(" · "), value(indexSize)],
            ]
            if let fit = sized.first(where: { $0.reduce(0) { $0 + $1.width } <= width }) { return fit }
        }
        if isShort {
            // A short side says so even when narrow: rows missing is the news.
            let narrow = [muted(short), value(recall), muted(" · "), rows]
            if let fit = candidates.dropLast().first(where: {
                $0.contains(rows) && $0.reduce(0) { $0 + $1.width } <= width
            }) {
                return fit
            }
            return narrow
        }
        return candidates.first { $0.reduce(0) { $0 + $1.width } <= width } ?? candidates[candidates.count - 1]
    }
}
