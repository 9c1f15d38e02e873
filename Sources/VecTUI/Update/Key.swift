/// One key press as the reducer sees it, independent of ncurses key codes.
public struct Key: Hashable, Sendable, CustomStringConvertible {
    /// Which key, without modifiers.
    public enum Code: Hashable, Sendable {
        /// A printable grapheme (letters arrive as typed: "Q" is a capital Q, not shift+q).
        case char(Character)
        case enter, tab, escape, backspace, delete, insert
        case up, down, left, right, home, end, pageUp, pageDown
        case function(Int)
    }

    /// Modifier keys held with the key (as far as the terminal reports them).
    public struct Modifiers: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let shift = Modifiers(rawValue: 1)
        public static let control = Modifiers(rawValue: 2)
        public static let alt = Modifiers(rawValue: 4)
    }

    public var code: Code
    public var modifiers: Modifiers

    public init(_ code: Code, _ modifiers: Modifiers = []) {
        self.code = code
        self.modifiers = modifiers
    }

    /// A plain printable character.
    public static func char(_ c: Character) -> Key { Key(.char(c)) }
    /// Ctrl plus a letter, e.g. `.ctrl("c")`.
    public static func ctrl(_ c: Character) -> Key { Key(.char(c), .control) }
    /// Alt (Meta) plus a character, e.g. `.alt("b")`.
    public static func alt(_ c: Character) -> Key { Key(.char(c), .alt) }

    public static let enter = Key(.enter), tab = Key(.tab), backTab = Key(.tab, .shift), escape = Key(.escape)
    public static let backspace = Key(.backspace), delete = Key(.delete)
    public static let up = Key(.up), down = Key(.down), left = Key(.left), right = Key(.right)
    public static let home = Key(.home), end = Key(.end), pageUp = Key(.pageUp), pageDown = Key(.pageDown)

    /// Typed text: a printable character with no modifier other than Shift.
    public var typedCharacter: Character? {
        if case .char(let c) = code, modifiers.subtracting(.shift).isEmpty { return c }
        return nil
    }

    /// How the key is written in help and hints: "Ctrl-R", "Shift-→", "q", "Space".
    public var description: String {
        var prefix = ""
        if modifiers.contains(.control) { prefix += "Ctrl-" }
        if modifiers.contains(.alt) { prefix += "Alt-" }
        if modifiers.contains(.shift) { prefix += "Shift-" }
        let name: String
        switch code {
        case .char(" "): name = "Space"
        case .char(let c): name = modifiers.contains(.control) ? String(c).uppercased() : String(c)
        case .enter: name = "Enter"
        case .tab: name = "Tab"
        case .escape: name = "Esc"
        case .backspace: name = "Backspace"
        case .delete: name = "Del"
        case .insert: name = "Ins"
        case .up: name = "↑"
        case .down: name = "↓"
        case .left: name = "←"
        case .right: name = "→"
        case .home: name = "Home"
        case .end: name = "End"
        case .pageUp: name = "PgUp"
        case .pageDown: name = "PgDn"
        case .function(let n): name = "F\(n)"
        }
        return prefix + name
    }
}
