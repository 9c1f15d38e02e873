/// The selected result in full: scores with bars, the explanation, the best chunk and the whole content with the
/// query's matched terms highlighted. Scrolls; ← → move between results without closing.
enum DetailView {
    static func draw(_ state: AppState, in rect: Rect, into grid: inout CellGrid) {
        let styles = borderStyle(focused: state.overlay == nil)
        let active = state.activeResults
        let side = state.compare == nil ? "" : state.selectedSide.name + " "
        let title = active.selectedResult.map { "Detail — \(side)#\($0.rank) of \(active.items.count)" } ?? "Detail"
        let inner = grid.box(
            rect, title: title, style: styles.border, titleStyle: styles.title,
            rightTitle: [Span(" Esc back · ←/→ result · 0–3 grade ", .fg(.muted))])
        guard !inner.isEmpty else { return }
        let area = inner.inset(dx: 1, dy: 0)
        guard !area.isEmpty else { return }
        let content = lines(state, width: area.width)
        let top = min(state.detailScroll, max(0, content.count - area.height))
        for (offset, line) in content.dropFirst(top).prefix(area.height).enumerated() {
            grid.spans(line, at: Point(x: area.x, y: area.y + offset), clip: area)
        }
        if content.count > area.height {
            let label = " \(top + 1)–\(min(content.count, top + area.height)) of \(content.count) lines "
            grid.text(
                label, in: Rect(x: rect.x, y: rect.maxY - 1, width: rect.width - 2, height: 1),
                style: .fg(.muted), alignment: .right)
        }
    }

    /// How far the detail text can scroll at the current size.
    static func maxScroll(_ state: AppState) -> Int {
        let layout = Layout(for: state)
        return max(0, lines(state, width: layout.detailTextWidth).count - layout.detailRows)
    }

    /// The detail text, wrapped to `width`.
    static func lines(_ state: AppState, width: Int) -> [[Span]] {
        guard width > 0 else { return [] }
        guard let result = state.activeResults.selectedResult else {
            return [[Span("No result selected.", .fg(.muted))]]
        }
        let muted = CellStyle.fg(.muted)
        let strong = CellStyle(foreground: .accent, bold: true)
        let heading = CellStyle(foreground: .title, bold: true)
        let highlight = CellStyle(foreground: .highlight, bold: true, underline: true)
        var out: [[Span]] = []
        func add(_ spans: [Span]) { out += TextWrap.wrap(spans, width: width) }
        func blank() { out.append([]) }

        add([Span(result.title, CellStyle(bold: true))])
        var meta: [Span] = [
            Span(result.type.rawValue.replacingOccurrences(of: "_", with: " "), muted),
            Span(" · ", muted),
            Span(result.userName.map { "\($0) (\(result.userExternalID))" } ?? result.userExternalID),
            Span(" · rank ", muted), Span("\(result.rank)", strong),
        ]
        if let change = state.activeResults.rankChanges[result.artifactID], change != .same {
            meta.append(Span(" (\(change.label))", .fg(.accent)))
        }
        meta.append(Span(" · ", muted))
        if let grade = state.grades[result.artifactID] {
            meta += [Span("grade ", muted), Span("\(grade)", ResultsView.gradeMark(grade).1)]
        } else {
            meta.append(Span("not judged (0–3 grades it)", muted))
        }
        add(meta)
        blank()

        let barWidth = max(0, min(20, width - 34))
        func scoreLine(_ name: String, _ value: String, fraction: Double?, note: String = "") {
            var spans = [
                Span(DisplayWidth.pad(name, to: 16), muted),
                Span(DisplayWidth.pad(value, to: 7, alignRight: true), strong),
            ]
            if let fraction, barWidth > 0 {
                spans += [Span("  "), Span(Format.bar(fraction, width: barWidth), .fg(.accent))]
            }
            if !note.isEmpty { spans.append(Span("  " + note, muted)) }
            add(spans)
        }
        scoreLine(
            "similarity", Format.score(result.similarity), fraction: result.similarity,
            note: result.explanation.band)
        scoreLine("cosine distance", Format.score(result.cosineDistance), fraction: nil, note: "<=>  1 − similarity")
        scoreLine("L2 distance", Format.score(result.l2Distance), fraction: nil, note: "<->")
        scoreLine("inner product", Format.score(result.innerProduct), fraction: nil, note: "−(<#>)")
        scoreLine(
            "keyword", Format.bm25(result.keywordScore), fraction: nil,
            note: result.keywordScore == nil ? "not computed for this method" : "Okapi BM25")
        scoreLine("relevance", Format.relevance(result.relevanceScore), fraction: nil, note: "the score ranked by")
        var ranks: [Span] = [Span(DisplayWidth.pad("signal ranks", to: 16), muted)]
        ranks.append(
            Span(
                "semantic " + (result.semanticRank.map(String.init) ?? "–") + " · keyword "
                    + (result.keywordRank.map(String.init) ?? "–") + " · matched via "
                    + result.matchedContentType.rawValue))
        add(ranks)
        blank()

        add([Span("Why", heading)])
        add([Span(result.explanation.summary)])
        for detail in result.explanation.details { add([Span("• " + detail)]) }
        if !result.matchedTerms.isEmpty {
            add(
                [Span("matched terms: ", muted)]
                    + result.matchedTerms.enumerated().flatMap { index, term in
                        [Span(index == 0 ? "" : ", ", muted), Span(term, highlight)]
                    })
        }
        if let chunk = result.bestChunk, !chunk.isEmpty {
            blank()
            add([Span("Best matching chunk", heading)])
            add(Highlighter.spans(chunk, terms: result.matchedTerms, base: .plain, highlight: highlight))
        }
        blank()
        add([Span("Content", heading)])
        if !result.description.isEmpty {
            add(
                Highlighter.spans(
                    result.description, terms: result.matchedTerms, base: CellStyle(bold: true), highlight: highlight))
            blank()
        }
        add(Highlighter.spans(result.content, terms: result.matchedTerms, base: .plain, highlight: highlight))
        return out
    }
}
