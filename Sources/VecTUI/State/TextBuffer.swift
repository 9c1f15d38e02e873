/// A position in a `TextBuffer`: a line and a column counted in grapheme clusters (never bytes).
public struct TextPosition: Hashable, Comparable, Sendable {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (a: TextPosition, b: TextPosition) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }
}

/// A multi-line text editor's content and caret, as a pure value (the query editor's model).
///
/// Columns count `Character`s, so the caret never lands inside a multi-byte or multi-scalar grapheme.
/// Pasted text is normalised: CRLF and CR become LF, tabs four spaces, other control characters are dropped.
public struct TextBuffer: Equatable, Sendable {
    /// Never empty: an empty buffer has one empty line.
    public private(set) var lines: [String]
    public private(set) var cursor: TextPosition

    public init(_ text: String = "") {
        lines = [""]
        cursor = TextPosition(line: 0, column: 0)
        insert(text)
    }

    /// The whole text, lines joined with "\n".
    public var text: String { lines.joined(separator: "\n") }
    public var isEmpty: Bool { lines.count == 1 && lines[0].isEmpty }
    /// The text without leading and trailing whitespace: what a search is run for.
    public var trimmedText: String { text.trimmingWhitespace() }

    /// Replaces everything and puts the caret at the end.
    public mutating func setText(_ text: String) {
        self = TextBuffer(text)
    }

    // MARK: Editing

    /// Inserts text at the caret (a typed character or a paste of many lines) and moves the caret after it.
    public mutating func insert(_ text: String) {
        let clean = Self.sanitize(text)
        guard !clean.isEmpty else { return }
        let line = lines[cursor.line]
        let split = line.index(line.startIndex, offsetBy: cursor.column)
        let before = String(line[..<split]), after = String(line[split...])
        var pieces = clean.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        pieces[0] = before + pieces[0]
        let lastIndex = pieces.count - 1
        // Count after joining, so a combining mark that merges with the previous character is handled.
        let column = pieces[lastIndex].count
        pieces[lastIndex] += after
        lines.replaceSubrange(cursor.line...cursor.line, with: pieces)
        cursor = TextPosition(line: cursor.line + lastIndex, column: min(column, lines[cursor.line + lastIndex].count))
    }

    /// Splits the line at the caret.
    public mutating func insertNewline() { insert("\n") }

    /// Deletes the character before the caret, joining with the previous line at a line start.
    public mutating func deleteBackward() {
        if cursor.column > 0 {
            removeCharacters(line: cursor.line, from: cursor.column - 1, to: cursor.column)
            cursor.column -= 1
        } else if cursor.line > 0 {
            let previous = lines[cursor.line - 1]
            let column = previous.count
            lines[cursor.line - 1] = previous + lines[cursor.line]
            lines.remove(at: cursor.line)
            cursor = TextPosition(line: cursor.line - 1, column: column)
        }
    }

    /// Deletes the character under the caret, joining the next line at a line end.
    public mutating func deleteForward() {
        if cursor.column < lines[cursor.line].count {
            removeCharacters(line: cursor.line, from: cursor.column, to: cursor.column + 1)
        } else if cursor.line + 1 < lines.count {
            lines[cursor.line] += lines[cursor.line + 1]
            lines.remove(at: cursor.line + 1)
        }
    }

    /// Deletes from the start of the previous word to the caret (readline's Ctrl-W / Alt-Backspace).
    public mutating func deleteWordBackward() {
        let start = position(ofFlatOffset: Self.wordStart(before: flatOffset(of: cursor), in: Array(text)))
        delete(from: start, to: cursor)
        cursor = start
    }

    /// Deletes from the caret to the end of the line, or joins the next line when already at the end (Ctrl-K).
    public mutating func deleteToLineEnd() {
        let count = lines[cursor.line].count
        if cursor.column < count {
            removeCharacters(line: cursor.line, from: cursor.column, to: count)
        } else {
            deleteForward()
        }
    }

    /// Deletes from the line start to the caret (Ctrl-U).
    public mutating func deleteToLineStart() {
        removeCharacters(line: cursor.line, from: 0, to: cursor.column)
        cursor.column = 0
    }

    // MARK: Moving

    public mutating func moveLeft() {
        if cursor.column > 0 {
            cursor.column -= 1
        } else if cursor.line > 0 {
            cursor = TextPosition(line: cursor.line - 1, column: lines[cursor.line - 1].count)
        }
    }

    public mutating func moveRight() {
        if cursor.column < lines[cursor.line].count {
            cursor.column += 1
        } else if cursor.line + 1 < lines.count {
            cursor = TextPosition(line: cursor.line + 1, column: 0)
        }
    }

    /// Up one line, keeping the column where the line is long enough; returns false on the first line.
    @discardableResult
    public mutating func moveUp() -> Bool {
        guard cursor.line > 0 else { return false }
        cursor.line -= 1
        cursor.column = min(cursor.column, lines[cursor.line].count)
        return true
    }

    /// Down one line, keeping the column where the line is long enough; returns false on the last line.
    @discardableResult
    public mutating func moveDown() -> Bool {
        guard cursor.line + 1 < lines.count else { return false }
        cursor.line += 1
        cursor.column = min(cursor.column, lines[cursor.line].count)
        return true
    }

    public mutating func moveToLineStart() { cursor.column = 0 }
    public mutating func moveToLineEnd() { cursor.column = lines[cursor.line].count }
    public mutating func moveToStart() { cursor = TextPosition(line: 0, column: 0) }
    public mutating func moveToEnd() {
        cursor = TextPosition(line: lines.count - 1, column: lines[lines.count - 1].count)
    }

    /// To the start of the previous word (across lines), like readline's Alt-B.
    public mutating func moveWordLeft() {
        cursor = position(ofFlatOffset: Self.wordStart(before: flatOffset(of: cursor), in: Array(text)))
    }

    /// To the end of the next word (across lines), like readline's Alt-F.
    public mutating func moveWordRight() {
        cursor = position(ofFlatOffset: Self.wordEnd(after: flatOffset(of: cursor), in: Array(text)))
    }

    /// Puts the caret at `position`, clamped into the text.
    public mutating func moveTo(_ position: TextPosition) {
        let line = min(max(0, position.line), lines.count - 1)
        cursor = TextPosition(line: line, column: min(max(0, position.column), lines[line].count))
    }

    // MARK: Helpers

    /// Letters, digits and underscores make words; everything else (spaces, punctuation, newlines) separates them.
    static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    static func wordStart(before offset: Int, in characters: [Character]) -> Int {
        var i = min(offset, characters.count)
        while i > 0, !isWordCharacter(characters[i - 1]) { i -= 1 }
        while i > 0, isWordCharacter(characters[i - 1]) { i -= 1 }
        return i
    }

    static func wordEnd(after offset: Int, in characters: [Character]) -> Int {
        var i = max(0, offset)
        while i < characters.count, !isWordCharacter(characters[i]) { i += 1 }
        while i < characters.count, isWordCharacter(characters[i]) { i += 1 }
        return i
    }

    /// Offset of a position in `text` counted in characters, with each line break counting one.
    func flatOffset(of position: TextPosition) -> Int {
        lines[..<position.line].reduce(0) { $0 + $1.count + 1 } + position.column
    }

    func position(ofFlatOffset offset: Int) -> TextPosition {
        var remaining = max(0, offset)
        for (index, line) in lines.enumerated() {
            if remaining <= line.count { return TextPosition(line: index, column: remaining) }
            remaining -= line.count + 1
        }
        return TextPosition(line: lines.count - 1, column: lines[lines.count - 1].count)
    }

    private mutating func removeCharacters(line: Int, from start: Int, to end: Int) {
        guard start < end else { return }
        var text = lines[line]
        let a = text.index(text.startIndex, offsetBy: start), b = text.index(text.startIndex, offsetBy: end)
        text.removeSubrange(a..<b)
        lines[line] = text
    }

    private mutating func delete(from start: TextPosition, to end: TextPosition) {
        guard start < end else { return }
        let head = String(lines[start.line].prefix(start.column))
        let tail = String(lines[end.line].dropFirst(end.column))
        lines.replaceSubrange(start.line...end.line, with: [head + tail])
    }

    /// Normalises line breaks and tabs and drops control characters (including escape sequences' ESC).
    static func sanitize(_ text: String) -> String {
        var out = ""
        for character in text.replacingCRLF() {
            if character == "\n" {
                out.append(character)
            } else if character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                continue
            } else {
                out.append(character)
            }
        }
        return out
    }
}

extension String {
    /// The string without leading or trailing whitespace and newlines.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
