import VecCore

/// The ranked results table. Columns are chosen by priority to fit the width; the detail pane shows everything.
enum ResultsView {
    /// A column of the table: header, width, alignment and how a row fills it.
    struct Column {
        enum ID: CaseIterable {
            case rank, change, grade, title, exactRank, type, owner, similarity, cosine, l2, inner, keyword, relevance
        }
        var id: ID
        var header: String
        var width: Int
        var alignRight: Bool
    }

    /// The columns for a width and method, in display order. The title keeps at least a quarter of the width and,
    /// on a `narrow` terminal, 30 columns; the keyword column appears only when some result has a keyword score,
    /// the exact rank column ("ex": the row's rank in exact search, `>k` beyond the exact top k) only where recall
    /// applies. On a `narrow` terminal the columns another one implies go first: cosine distance (1 − similarity),
    /// L2 (√(2·cos) for unit vectors), inner product (= similarity for unit vectors) and, in semantic mode,
    /// relevance (= similarity); the detail pane still shows them all.
    static func columns(
        width: Int, method: RankingMethod, rankDigits: Int, hasKeywordScores: Bool, exactRankK: Int? = nil,
        narrow: Bool = false
    ) -> [Column] {
        let minimumTitleWidth = narrow ? max(min(30, width - 18), width / 4, 12) : max(12, width / 4)
        let fixed: [Column] = [
            Column(id: .rank, header: "#", width: max(2, rankDigits), alignRight: true),
            Column(id: .change, header: "Δ", width: 3, alignRight: false),
            Column(id: .grade, header: "J", width: 1, alignRight: false),
        ]
        let optional: [Column.ID: Column] = [
            .type: Column(id: .type, header: "type", width: 7, alignRight: false),
            .owner: Column(id: .owner, header: "owner", width: 10, alignRight: false),
            .similarity: Column(id: .similarity, header: "sim", width: 5, alignRight: true),
            .cosine: Column(id: .cosine, header: "cos", width: 5, alignRight: true),
            .l2: Column(id: .l2, header: "L2", width: 5, alignRight: true),
            .inner: Column(id: .inner, header: "IP", width: 5, alignRight: true),
            .keyword: Column(id: .keyword, header: "kw", width: 5, alignRight: true),
            .relevance: Column(id: .relevance, header: "rel", width: 6, alignRight: true),
            .exactRank: Column(
                id: .exactRank, header: "ex", width: max(3, String(exactRankK ?? 0).count + 1), alignRight: true),
        ]
        let priority: [Column.ID]
        switch (method == .semantic, narrow) {
        case (true, false):
            priority = [.similarity, .exactRank, .cosine, .l2, .inner, .type, .relevance, .keyword, .owner]
        case (false, false):
            priority = [.relevance, .exactRank, .keyword, .similarity, .cosine, .l2, .inner, .type, .owner]
        case (true, true):
            priority = [.similarity, .exactRank, .type, .keyword, .owner, .cosine, .l2, .inner, .relevance]
        case (false, true):
            priority = [.relevance, .exactRank, .keyword, .similarity, .type, .owner, .cosine, .l2, .inner]
        }
        var used = fixed.reduce(0) { $0 + $1.width + 1 } + minimumTitleWidth
        var chosen: Set<Column.ID> = []
        for id in priority where (id != .keyword || hasKeywordScores) && (id != .exactRank || exactRankK != nil) {
            guard let column = optional[id] else { continue }
            if used + column.width + 1 <= width {
                chosen.insert(id)
                used += column.width + 1
            }
        }
        let titleWidth = max(1, width - used + minimumTitleWidth)
        var result = fixed
        result.append(Column(id: .title, header: "title", width: titleWidth, alignRight: false))
        for id in Column.ID.allCases where chosen.contains(id) {
            if let column = optional[id] { result.append(column) }
        }
        return result
    }

    static func draw(_ state: AppState, in rect: Rect, into grid: inout CellGrid) {
        let focused = state.focus == .results && state.overlay == nil
        let styles = borderStyle(focused: focused)
        let count = state.sideA.results.items.count
        var title = "Results"
        if let info = state.sideA.results.response?.info {
            title += " · \(info.method.rawValue) · \(info.rowsReturned)/\(info.limit)"
        }
        if state.ungradedOnly { title += " · ungraded only" }
        let inner = grid.box(
            rect, title: title, style: styles.border, titleStyle: styles.title,
            rightTitle: statusBadge(state))
        guard !inner.isEmpty else { return }
        let table = inner.inset(dx: 1, dy: 0)
        guard !table.isEmpty else { return }

        guard let response = state.sideA.results.response else {
            let lines =
                state.sideA.status.isBusy
                ? ["Searching…"]
                : [
                    "No search yet.", "", "Press / and type a job description, then Enter to search;",
                    "Ctrl-T picks a fixture job. Tab moves between panes; ? lists every key.",
                ]
            for (index, line) in lines.enumerated() {
                grid.text(line, in: table.row(index + 1), style: .fg(.muted))
            }
            return
        }
        let method = state.sideA.results.params?.method ?? response.info.method
        let params = state.sideA.results.params ?? response.info.parameters
        let columns = columns(
            width: table.width, method: method, rankDigits: String(count).count,
            hasKeywordScores: response.results.contains { $0.keywordScore != nil },
            exactRankK: method.recallScope.isApplicable ? max(params.limit, state.sideA.results.recall?.k ?? 0) : nil,
            narrow: state.size.width < Layout.wideWidth)
        drawHeader(columns, in: table.row(0), into: &grid)
        if response.results.isEmpty {
            let hint = Self.emptyHint(response.info, params: state.sideA.results.params ?? response.info.parameters)
            for (index, line) in TextWrap.wrap(hint, width: table.width).enumerated() {
                grid.text(line, in: table.row(2 + index), style: .fg(.muted))
            }
            drawMissed(state.sideA.results, in: table, rows: max(0, table.height - 5), into: &grid)
            return
        }
        let missedRows = drawMissed(state.sideA.results, in: table, rows: max(0, table.height - 3), into: &grid)
        let visible = max(0, table.height - 1 - missedRows)
        // "Ungraded only" (u) lists the results without a grade, and the selected one; positions count shown rows.
        let shown = state.shownResultIndices
        let shownCount = shown.count
        let position = shown.firstIndex(of: state.sideA.results.selected) ?? 0
        let top = Reducer.scroll(state.sideA.results.scroll, selected: position, visible: visible, count: shownCount)
        let stale = state.resultsAreStale(.a)
        for (offset, index) in shown.enumerated().dropFirst(top).prefix(visible) {
            let result = response.results[index]
            let row = table.row(1 + offset - top)
            let selected = index == state.sideA.results.selected
            drawRow(result, columns: columns, state: state, stale: stale, in: row, into: &grid)
            if selected {
                grid.restyle(row) { style in
                    if focused {
                        style.reverse = true
                    } else {
                        style.bold = true
                    }
                }
            }
        }
        if shownCount + 4 <= visible, let result = state.sideA.results.selectedResult {
            let area = Rect(
                x: table.x, y: table.y + 2 + shownCount, width: table.width, height: visible - shownCount - 1)
            drawPreview(result, in: area, into: &grid)
        }
        if shownCount > visible {
            let label = " \(top + 1)–\(min(shownCount, top + visible)) of \(shownCount) "
            grid.text(
                label, in: Rect(x: rect.x, y: rect.maxY - 1, width: rect.width - 2, height: 1),
                style: .fg(.muted), alignment: .right)
        }
    }

    /// The selected result's explanation in the rows a short list leaves empty, so a reviewer reads why it ranks
    /// there without opening the detail.
    static func drawPreview(_ result: SearchResult, in area: Rect, into grid: inout CellGrid) {
        guard area.height >= 2, area.width >= 20 else { return }
        let heading = "why #\(result.rank) — \(result.explanation.band) "
        grid.text(
            "─ " + heading + String(repeating: "─", count: max(0, area.width - DisplayWidth.of(heading) - 2)),
            in: area.row(0), style: .fg(.muted))
        let lines = ([result.explanation.summary] + result.explanation.details.map { "· " + $0 })
            .flatMap { TextWrap.wrap($0, width: area.width) }
        for (index, line) in lines.prefix(area.height - 1).enumerated() {
            grid.text(line, in: area.row(index + 1), style: index == 0 ? .plain : .fg(.muted))
        }
    }

    /// "⠋ searching", "stale · Ctrl-R", or nothing.
    static func statusBadge(_ state: AppState) -> [Span] {
        if state.sideA.status.isBusy {
            return [
                Span(" \(Format.spinnerFrame(now: state.now)) searching ", CellStyle(foreground: .accent, bold: true))
            ]
        }
        if state.resultsAreStale(.a) { return [Span(" stale · Ctrl-R ", CellStyle(foreground: .warn, bold: true))] }
        return []
    }

    static func drawHeader(_ columns: [Column], in row: Rect, into grid: inout CellGrid) {
        var x = row.x
        for column in columns {
            let cell = DisplayWidth.pad(column.header, to: column.width, alignRight: column.alignRight)
            grid.text(cell, at: Point(x: x, y: row.y), style: CellStyle(foreground: .muted, bold: true), clip: row)
            x += column.width + 1
        }
    }

    static func drawRow(
        _ result: SearchResult, columns: [Column], state: AppState, stale: Bool, in row: Rect,
        into grid: inout CellGrid
    ) {
        var x = row.x
        for column in columns {
            var (text, style) = cell(column.id, result, state)
            if stale { style.dim = true }
            let padded = DisplayWidth.pad(text, to: column.width, alignRight: column.alignRight)
            grid.text(padded, at: Point(x: x, y: row.y), style: style, clip: row)
            x += column.width + 1
        }
    }

    static func cell(_ id: Column.ID, _ result: SearchResult, _ state: AppState) -> (String, CellStyle) {
        switch id {
        case .rank: return ("\(result.rank)", .fg(.muted))
        case .change:
            let change = state.sideA.results.rankChanges[result.artifactID] ?? .same
            switch change {
            case .up: return (change.label, .fg(.good))
            case .down: return (change.label, .fg(.bad))
            case .new: return (change.label, .fg(.accent))
            case .same: return ("", .plain)
            }
        case .grade: return gradeMark(state.grades[result.artifactID])
        case .title: return (result.title, .plain)
        case .type: return (Format.type(result.type.rawValue), .fg(.muted))
        case .owner: return (result.userName ?? result.userExternalID, .fg(.muted))
        case .similarity: return (Format.score(result.similarity), CellStyle(foreground: .accent, bold: true))
        case .cosine: return (Format.score(result.cosineDistance), .plain)
        case .l2: return (Format.score(result.l2Distance), .plain)
        case .inner: return (Format.score(result.innerProduct), .plain)
        case .keyword: return (Format.bm25(result.keywordScore), .plain)
        case .relevance: return (Format.relevance(result.relevanceScore), .plain)
        case .exactRank: return exactRankMark(result, state.sideA.results)
        }
    }

    /// The row's rank in exact search: "3" (same as shown: muted), "3" elsewhere (warn), ">10" when the exact
    /// top k lacks it, "…" while recall is being measured.
    static func exactRankMark(_ result: SearchResult, _ results: ResultsModel) -> (String, CellStyle) {
        guard let recall = results.recall else { return ("…", .fg(.muted)) }
        guard !recall.exactIDs.isEmpty else { return ("–", .fg(.muted)) }
        guard let rank = recall.exactRank(of: result.artifactID) else { return (">\(recall.k)", .fg(.bad)) }
        return ("\(rank)", rank == result.rank ? .fg(.muted) : .fg(.warn))
    }

    /// Draws the missed neighbours on the last rows of `table` (at most `rows`); returns the rows used.
    @discardableResult
    static func drawMissed(_ results: ResultsModel, in table: Rect, rows: Int, into grid: inout CellGrid) -> Int {
        let lines = missedLines(results, width: table.width).prefix(rows)
        for (index, line) in lines.enumerated() {
            grid.spans(line, at: Point(x: table.x, y: table.maxY - lines.count + index), clip: table)
        }
        return lines.count
    }

    /// The true neighbours the index missed, as "missed by the index (exact rank, id): 3 a042 Title · …", wrapped
    /// to two lines at most.
    static func missedLines(_ results: ResultsModel, width: Int) -> [[Span]] {
        guard let missed = results.recall?.missed, !missed.isEmpty, width > 20 else { return [] }
        let head = "missed by the index (exact rank, id): "
        let items = missed.map { "\($0.exactRank) \($0.externalID) \($0.title)" }.joined(separator: " · ")
        let lines = TextWrap.wrap(head + items, width: width)
        let shown = Array(lines.prefix(2))
        return shown.enumerated().map { index, line in
            var text = line
            if index == shown.count - 1, lines.count > shown.count {
                text = DisplayWidth.truncate(line, to: max(1, width - 1)) + "…"
            }
            return [Span(text, CellStyle(foreground: .warn))]
        }
    }

    /// The judgment column: the grade, or "·" for results not yet judged for this query.
    static func gradeMark(_ grade: Int?) -> (String, CellStyle) {
        guard let grade else { return ("·", .fg(.muted)) }
        let role: ColorRole = grade >= 2 ? .good : grade == 1 ? .warn : .bad
        return ("\(grade)", CellStyle(foreground: role, bold: true))
    }
}

extension ResultsView {
    /// Why a search returned nothing, and what to change. A filtered vector-index scan is the case a tuner meets
    /// most: artifacts pass the filters, but the index hands over only its nearest rows and the filter drops them.
    static func emptyHint(_ info: QueryInfo, params: SearchParams) -> String {
        let filtered = !params.artifactTypes.isEmpty || params.userScope != .all
        if let threshold = params.similarityThreshold {
            return String(format: "No artifacts matched. The similarity threshold %.2f may be too strict.", threshold)
        }
        guard filtered else { return "No artifacts matched." }
        guard params.method == .semantic, info.totalCandidates > 0, let index = info.indexName, !index.contains("gin")
        else {
            return "No artifacts matched. The user or type filter may be too narrow."
        }
        let ivfflat = index.contains("ivfflat")
        let beam = ivfflat ? ("probes", params.probes) : ("ef_search", params.efSearch)
        let start =
            "No artifacts returned, though \(info.totalCandidates) pass the filters: the index scan handed over its "
            + "nearest rows (\(beam.0) \(beam.1)) and the user or type filter dropped them all."
        if params.iterativeScan == .off { return start + " Turn on iterative_scan, or raise \(beam.0)." }
        return start
            + (ivfflat
                ? " Raise probes."
                : " The iterative scan stopped at max_scan_tuples \(params.maxScanTuples); raise it.")
    }
}
