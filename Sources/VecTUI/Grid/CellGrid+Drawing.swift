/// A run of text in one style: the unit views compose lines from.
public struct Span: Hashable, Sendable {
    public var text: String
    public var style: CellStyle

    public init(_ text: String, _ style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }

    public var width: Int { DisplayWidth.of(text) }
}

/// Horizontal placement of text within a rectangle's width.
public enum Alignment: Sendable { case left, center, right }

extension CellGrid {
    /// Draws `text` on one row starting at `point`, clipped to `clip` (default: the whole grid). Newlines and other
    /// control characters are not drawn. Returns the columns drawn.
    @discardableResult
    public mutating func text(_ text: String, at point: Point, style: CellStyle = .plain, clip: Rect? = nil) -> Int {
        let area = (clip ?? bounds).intersection(bounds)
        guard !area.isEmpty, point.y >= area.y, point.y < area.maxY else { return 0 }
        var x = point.x
        for character in text {
            if x >= area.maxX { break }
            let w = DisplayWidth.of(character)
            if w == 0 { continue }
            if x < area.x {  // starts left of the clip: skip what is hidden
                x += w
                continue
            }
            x += max(1, put(character, x: x, y: point.y, style: style, clip: area))
        }
        return max(0, x - point.x)
    }

    /// Draws styled spans one after another on one row; returns the columns drawn.
    @discardableResult
    public mutating func spans(_ spans: [Span], at point: Point, clip: Rect? = nil) -> Int {
        var x = point.x
        for span in spans {
            x += text(span.text, at: Point(x: x, y: point.y), style: span.style, clip: clip)
        }
        return x - point.x
    }

    /// Draws `text` on the first row of `rect`, aligned, truncated with "…" when it does not fit.
    public mutating func text(_ text: String, in rect: Rect, style: CellStyle = .plain, alignment: Alignment = .left) {
        guard !rect.isEmpty else { return }
        let shown = DisplayWidth.truncate(text, to: rect.width)
        let w = DisplayWidth.of(shown)
        let x: Int
        switch alignment {
        case .left: x = rect.x
        case .center: x = rect.x + (rect.width - w) / 2
        case .right: x = rect.maxX - w
        }
        self.text(shown, at: Point(x: x, y: rect.y), style: style, clip: rect)
    }

    /// Draws a single-line box around `rect` with an optional title in the top border and returns the inside.
    /// Rectangles too small for a border get no border (and the whole rectangle is the inside).
    @discardableResult
    public mutating func box(
        _ rect: Rect, title: String? = nil, style: CellStyle = .fg(.border),
        titleStyle: CellStyle = CellStyle(foreground: .title, bold: true),
        rightTitle: [Span] = []
    ) -> Rect {
        let area = rect.intersection(bounds)
        guard rect.width >= 2, rect.height >= 2, !area.isEmpty else { return rect }
        let right = rect.maxX - 1, bottom = rect.maxY - 1
        for x in rect.x...right {
            let top: Character = x == rect.x ? "┌" : x == right ? "┐" : "─"
            let low: Character = x == rect.x ? "└" : x == right ? "┘" : "─"
            put(top, x: x, y: rect.y, style: style, clip: area)
            put(low, x: x, y: bottom, style: style, clip: area)
        }
        if rect.height > 2 {
            for y in (rect.y + 1)..<bottom {
                put("│", x: rect.x, y: y, style: style, clip: area)
                put("│", x: right, y: y, style: style, clip: area)
            }
        }
        let titleArea = Rect(x: rect.x + 2, y: rect.y, width: rect.width - 4, height: 1).intersection(area)
        var used = 0
        if let title, !title.isEmpty, titleArea.width >= 3 {
            let shown = DisplayWidth.truncate(title, to: titleArea.width - 2)
            used = self.text(
                " " + shown + " ", at: Point(x: titleArea.x, y: rect.y), style: titleStyle, clip: titleArea)
        }
        let extraWidth = rightTitle.reduce(0) { $0 + $1.width }
        if extraWidth > 0, titleArea.width - used >= extraWidth + 3 {
            let x = titleArea.maxX - extraWidth - 1
            spans(rightTitle, at: Point(x: x, y: rect.y), clip: titleArea)
        }
        return rect.inset(dx: 1, dy: 1)
    }

    /// Draws a horizontal bar filling `fraction` (clamped to 0…1) of `rect`'s first row, with eighth-cell precision.
    public mutating func horizontalBar(
        _ fraction: Double, in rect: Rect, style: CellStyle = .fg(.accent),
        track: Character = " ", trackStyle: CellStyle = .fg(.muted)
    ) {
        guard !rect.isEmpty else { return }
        let clamped = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let eighths = Int((clamped * Double(rect.width * 8)).rounded())
        let partials: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        for i in 0..<rect.width {
            let filled = eighths - i * 8
            let x = rect.x + i
            if filled >= 8 {
                put("█", x: x, y: rect.y, style: style, clip: rect)
            } else if filled > 0 {
                put(partials[filled - 1], x: x, y: rect.y, style: style, clip: rect)
            } else {
                put(track, x: x, y: rect.y, style: trackStyle, clip: rect)
            }
        }
    }
}

/// Word wrapping of styled text into lines of at most a given width.
public enum TextWrap {
    /// Wraps plain text; paragraphs (newlines) are kept, words longer than `width` are split.
    public static func wrap(_ text: String, width: Int) -> [String] {
        wrap([Span(text)], width: width).map { $0.map(\.text).joined() }
    }

    /// Wraps spans at spaces, keeping each piece's style; newlines start new lines.
    public static func wrap(_ spans: [Span], width: Int) -> [[Span]] {
        guard width > 0 else { return [] }
        var lines: [[Span]] = []
        var current: [Span] = []
        var currentWidth = 0

        func append(_ text: String, _ style: CellStyle) {
            if let last = current.last, last.style == style {
                current[current.count - 1].text += text
            } else {
                current.append(Span(text, style))
            }
            currentWidth += DisplayWidth.of(text)
        }
        func breakLine() {
            // Drop trailing spaces so a wrapped line never ends in a blank.
            while let last = current.last, last.text.hasSuffix(" ") {
                let trimmed = String(last.text.reversed().drop(while: { $0 == " " }).reversed())
                if trimmed.isEmpty { current.removeLast() } else { current[current.count - 1].text = trimmed; break }
            }
            lines.append(current)
            current = []
            currentWidth = 0
        }

        for span in spans {
            let paragraphs = span.text.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false)
            for (p, paragraph) in paragraphs.enumerated() {
                if p > 0 { breakLine() }
                for token in tokens(paragraph) {
                    let w = DisplayWidth.of(token)
                    if token.allSatisfy({ $0 == " " }) {
                        if currentWidth == 0 { continue }  // no leading spaces on a wrapped line
                        if currentWidth + w > width { breakLine(); continue }
                        append(String(token), span.style)
                        continue
                    }
                    if currentWidth + w > width, currentWidth > 0 { breakLine() }
                    var rest = Substring(token)
                    while DisplayWidth.of(rest) > width - currentWidth {
                        let (head, headWidth) = DisplayWidth.prefix(of: rest, fitting: width - currentWidth)
                        if headWidth == 0 {
                            if currentWidth == 0 { break }  // cannot fit even one grapheme: give up on this token
                            breakLine()
                            continue
                        }
                        append(String(head), span.style)
                        rest = rest[head.endIndex...]
                        breakLine()
                    }
                    if !rest.isEmpty { append(String(rest), span.style) }
                }
            }
        }
        if !current.isEmpty || lines.isEmpty { breakLine() }
        return lines
    }

    /// Splits into alternating runs of spaces and non-spaces.
    private static func tokens(_ text: Substring) -> [Substring] {
        var result: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let isSpace = text[index] == " "
            var end = index
            while end < text.endIndex, (text[end] == " ") == isSpace { end = text.index(after: end) }
            result.append(text[start..<end])
            start = end
            index = end
        }
        return result
    }
}

extension String {
    /// The text with CRLF and lone CR turned into LF, and tabs into four spaces.
    func replacingCRLF() -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        var previousCR = false
        for scalar in unicodeScalars {
            switch scalar {
            case "\r":
                out.append("\n")
                previousCR = true
                continue
            case "\n" where previousCR:
                break
            case "\t":
                out.append("    ")
            default:
                out.unicodeScalars.append(scalar)
            }
            previousCR = false
        }
        return out
    }
}
