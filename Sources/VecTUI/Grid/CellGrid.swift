/// A column/row position on the screen, 0-based from the top-left corner.
public struct Point: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}

/// A terminal size in columns and rows.
public struct Size: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)×\(height)" }
}

/// A rectangle of cells. Empty when either side is zero or negative; every helper clamps rather than traps.
public struct Rect: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public static let zero = Rect(x: 0, y: 0, width: 0, height: 0)

    public var isEmpty: Bool { width <= 0 || height <= 0 }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }

    public func contains(_ point: Point) -> Bool {
        point.x >= x && point.x < maxX && point.y >= y && point.y < maxY
    }

    /// The overlap of two rectangles (empty when they do not meet).
    public func intersection(_ other: Rect) -> Rect {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(maxX, other.maxX), bottom = min(maxY, other.maxY)
        return Rect(x: left, y: top, width: right - left, height: bottom - top)
    }

    /// The rectangle shrunk by `dx` columns on each side and `dy` rows on top and bottom.
    public func inset(dx: Int, dy: Int) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }

    /// The top `rows` rows (clamped) and what remains below them.
    public func splitTop(_ rows: Int) -> (top: Rect, rest: Rect) {
        let n = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: n), Rect(x: x, y: y + n, width: width, height: height - n))
    }

    /// The bottom `rows` rows (clamped) and what remains above them.
    public func splitBottom(_ rows: Int) -> (rest: Rect, bottom: Rect) {
        let n = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: height - n), Rect(x: x, y: maxY - n, width: width, height: n))
    }

    /// The left `columns` columns (clamped) and what remains to their right.
    public func splitLeft(_ columns: Int) -> (left: Rect, rest: Rect) {
        let n = min(max(0, columns), width)
        return (Rect(x: x, y: y, width: n, height: height), Rect(x: x + n, y: y, width: width - n, height: height))
    }

    /// The right `columns` columns (clamped) and what remains to their left.
    public func splitRight(_ columns: Int) -> (rest: Rect, right: Rect) {
        let n = min(max(0, columns), width)
        return (Rect(x: x, y: y, width: width - n, height: height), Rect(x: maxX - n, y: y, width: n, height: height))
    }

    /// A `width`×`height` rectangle centred in this one (clamped to it).
    public func centered(width w: Int, height h: Int) -> Rect {
        let cw = min(max(0, w), width), ch = min(max(0, h), height)
        return Rect(x: x + (width - cw) / 2, y: y + (height - ch) / 2, width: cw, height: ch)
    }

    /// One row of the rectangle (empty when outside it).
    public func row(_ index: Int) -> Rect {
        guard index >= 0, index < height else { return Rect(x: x, y: y, width: 0, height: 0) }
        return Rect(x: x, y: y + index, width: width, height: 1)
    }
}

/// What a colour means, not which colour it is: the terminal maps roles to colours (or to nothing under `NO_COLOR`).
public enum ColorRole: UInt8, CaseIterable, Hashable, Sendable {
    /// The terminal's own foreground or background.
    case normal
    /// Secondary text: labels, units, hints.
    case muted
    /// Values and keys the eye should find.
    case accent
    /// Pane titles.
    case title
    /// Borders of panes without focus.
    case border
    /// The border and title of the focused pane.
    case focus
    /// Good news: rank up, high similarity, high recall.
    case good
    /// Caution: stale results, rows returned below the limit.
    case warn
    /// Errors and bad news: rank down, database down.
    case bad
    /// Matched query terms in text.
    case highlight
    /// The selected row's background.
    case selection
}

/// How one cell is drawn: colour roles plus text attributes.
public struct CellStyle: Hashable, Sendable {
    public var foreground: ColorRole
    public var background: ColorRole
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool
    public var dim: Bool

    public init(
        foreground: ColorRole = .normal, background: ColorRole = .normal, bold: Bool = false,
        reverse: Bool = false, underline: Bool = false, dim: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
        self.dim = dim
    }

    public static let plain = CellStyle()
    public static func fg(_ role: ColorRole) -> CellStyle { CellStyle(foreground: role) }

    public var bolded: CellStyle { var s = self; s.bold = true; return s }
    public var reversed: CellStyle { var s = self; s.reverse = true; return s }
    public var underlined: CellStyle { var s = self; s.underline = true; return s }
    public var dimmed: CellStyle { var s = self; s.dim = true; return s }
    public func on(_ background: ColorRole) -> CellStyle { var s = self; s.background = background; return s }
}

/// One screen cell: a grapheme and its style. A wide grapheme occupies its cell and the next, which is a
/// continuation cell (`width == 0`) that the terminal never draws.
public struct Cell: Hashable, Sendable {
    public var character: Character
    /// 1 for an ordinary cell, 2 for the first half of a wide grapheme, 0 for the second half.
    public var width: UInt8
    public var style: CellStyle

    public init(_ character: Character = " ", width: UInt8 = 1, style: CellStyle = .plain) {
        self.character = character
        self.width = width
        self.style = style
    }

    public static let blank = Cell()
    public var isContinuation: Bool { width == 0 }
}

/// A width×height buffer of cells that views draw into and the terminal flushes (ratatui's `Buffer`).
///
/// Every drawing call clips to the grid, so drawing into 0×0 or 1×1 areas, or outside the grid, is safe.
public struct CellGrid: Equatable, Sendable, CustomStringConvertible {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// Where the terminal should park its visible cursor (the editor's caret); nil hides it.
    public var cursor: Point?

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public init(size: Size) { self.init(width: size.width, height: size.height) }

    public var size: Size { Size(width: width, height: height) }
    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// The cell at (x, y); a blank cell outside the grid.
    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < width, y < height else { return .blank }
        return cells[y * width + x]
    }

    /// Blanks every cell and hides the cursor.
    public mutating func clear() {
        for i in cells.indices { cells[i] = .blank }
        cursor = nil
    }

    /// Writes one grapheme at (x, y) if it fits inside `clip` and the grid; returns the columns it took (0 if none).
    ///
    /// A wide grapheme that would straddle the clip's right edge is drawn as a space instead. Writing over half of
    /// an existing wide grapheme blanks its other half, so no orphaned halves remain.
    @discardableResult
    public mutating func put(
        _ character: Character, x: Int, y: Int, style: CellStyle = .plain, clip: Rect? = nil
    ) -> Int {
        let area = (clip ?? bounds).intersection(bounds)
        guard area.contains(Point(x: x, y: y)) else { return 0 }
        var glyph = character
        var w = DisplayWidth.of(glyph)
        if w == 0 {
            guard character.unicodeScalars.allSatisfy({ $0.properties.generalCategory != .control }) else { return 0 }
            // A lone combining mark or format character: show a placeholder rather than lose the column count.
            glyph = " "
            w = 1
        }
        if w == 2 && x + 1 >= area.maxX {
            glyph = " "
            w = 1
        }
        release(x: x, y: y)
        if w == 2 { release(x: x + 1, y: y) }
        cells[y * width + x] = Cell(glyph, width: UInt8(w), style: style)
        if w == 2 { cells[y * width + x + 1] = Cell(" ", width: 0, style: style) }
        return w
    }

    /// Before (x, y) is overwritten: blank the other half of any wide grapheme that cell belongs to.
    private mutating func release(x: Int, y: Int) {
        let cell = self[x, y]
        if cell.width == 2, x + 1 < width {
            cells[y * width + x + 1] = Cell(" ", style: cell.style)
        } else if cell.width == 0, x > 0 {
            cells[y * width + x - 1] = Cell(" ", style: self[x - 1, y].style)
        }
    }

    /// Fills a rectangle with one character and style.
    public mutating func fill(_ rect: Rect, with character: Character = " ", style: CellStyle = .plain) {
        let area = rect.intersection(bounds)
        guard !area.isEmpty else { return }
        for y in area.y..<area.maxY {
            var x = area.x
            while x < area.maxX {
                x += max(1, put(character, x: x, y: y, style: style, clip: area))
            }
        }
    }

    /// Changes the style of every cell in a rectangle, keeping the characters (e.g. to highlight a selected row).
    public mutating func restyle(_ rect: Rect, _ change: (inout CellStyle) -> Void) {
        let area = rect.intersection(bounds)
        guard !area.isEmpty else { return }
        for y in area.y..<area.maxY {
            for x in area.x..<area.maxX { change(&cells[y * width + x].style) }
        }
    }

    /// Row `y` as text: each grapheme once (continuation cells skipped), trailing spaces kept.
    public func line(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var text = ""
        for x in 0..<width {
            let cell = cells[y * width + x]
            if !cell.isContinuation { text.append(cell.character) }
        }
        return text
    }

    /// Every row as text, top to bottom (what a test or `tmux capture-pane` would read).
    public func lines() -> [String] { (0..<height).map(line) }

    /// The rows as text (what test failures print).
    public var description: String { "\n" + text }

    /// The rows joined with newlines, trailing spaces removed from each: handy in failure messages.
    public var text: String {
        lines().map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }.joined(separator: "\n")
    }
}
