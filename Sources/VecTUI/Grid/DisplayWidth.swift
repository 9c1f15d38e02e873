/// How many terminal columns text occupies, with `wcwidth` semantics: East Asian wide and fullwidth characters
/// and emoji take two columns, combining marks and format characters none, everything else one.
///
/// Implemented in Swift (not libc `wcwidth`) so that layout does not depend on the process locale and renders the
/// same in tests as in the terminal.
public enum DisplayWidth {
    /// Columns one grapheme cluster takes: 0, 1 or 2. Control characters count 0 (they are never drawn).
    public static func of(_ character: Character) -> Int {
        var width = 0
        for scalar in character.unicodeScalars {
            if scalar.value == 0xFE0F { return 2 }  // emoji presentation selector: the cluster is drawn as an emoji
            if width == 0 { width = of(scalar) }
        }
        return width
    }

    /// Columns a string takes when drawn on one line.
    public static func of(_ text: some StringProtocol) -> Int {
        var total = 0
        for character in text { total += of(character) }
        return total
    }

    /// Columns one scalar takes, as `wcwidth` would answer (with control characters as 0 rather than −1).
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        if value < 0x300 { return 1 }  // fast path: Latin
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0x1160...0x11FF).contains(value) { return 0 }  // Hangul medial vowels and final consonants join the syllable
        if value == 0x200B { return 0 }
        if isWide(value) || scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// The longest prefix of `text` that fits in `columns`, and the columns it takes.
    public static func prefix(of text: some StringProtocol, fitting columns: Int) -> (text: Substring, width: Int) {
        let string = Substring(text)
        var used = 0
        var end = string.startIndex
        for index in string.indices {
            let w = of(string[index])
            if used + w > columns { break }
            used += w
            end = string.index(after: index)
        }
        return (string[string.startIndex..<end], used)
    }

    /// `text` cut to `columns`, ending in "…" when it was cut.
    public static func truncate(_ text: some StringProtocol, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return String(text) }
        let (head, _) = prefix(of: text, fitting: columns - 1)
        return String(head) + "…"
    }

    /// `text` padded with spaces (or truncated) to exactly `columns`; `alignRight` pads on the left.
    public static func pad(_ text: some StringProtocol, to columns: Int, alignRight: Bool = false) -> String {
        let cut = truncate(text, to: columns)
        let gap = String(repeating: " ", count: max(0, columns - of(cut)))
        return alignRight ? gap + cut : cut + gap
    }

    /// East Asian Wide (W) and Fullwidth (F) ranges, as glibc's and Markus Kuhn's `wcwidth` treat them.
    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F,  // Hangul Jamo initial consonants
            0x231A...0x231B, 0x2329...0x232A,
            0x2E80...0x303E,  // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
            0x3041...0x33FF,  // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK compatibility
            0x3400...0x4DBF,  // CJK unified ideographs extension A
            0x4E00...0x9FFF,  // CJK unified ideographs
            0xA000...0xA4CF,  // Yi
            0xA960...0xA97F,  // Hangul Jamo extended A
            0xAC00...0xD7A3,  // Hangul syllables
            0xF900...0xFAFF,  // CJK compatibility ideographs
            0xFE10...0xFE19,  // vertical forms
            0xFE30...0xFE6F,  // CJK compatibility forms, small form variants
            0xFF00...0xFF60,  // fullwidth forms
            0xFFE0...0xFFE6,
            0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF,  // Tangut, Kana supplement
            0x1F200...0x1F2FF,  // enclosed ideographic supplement (emoji are handled by their presentation property)
            0x20000...0x2FFFD, 0x30000...0x3FFFD:  // CJK extensions B onwards
            return true
        default:
            return false
        }
    }
}
