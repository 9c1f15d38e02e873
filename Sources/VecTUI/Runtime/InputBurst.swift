/// Input that arrived together — an unbracketed paste, a script, a fast typist — read as one burst before the
/// next frame. A terminal without bracketed paste delivers a paste as keys, where Enter would run the search and
/// `q` quit; the burst tells such a paste from typing.
enum InputBurst {
    /// Printable keys in one burst from which, outside the editor, the burst is a paste and not commands: nobody
    /// types this many keys within one frame.
    static let pasteThreshold = 16

    /// Takes the next action to dispatch from the front of `pending`.
    ///
    /// A run of printable keys (with the Enter and Tab keys between them) becomes one `.paste`: in the editor
    /// whenever the run holds two keys or more (so a pasted line break is a new line, not a search, and a long
    /// paste is inserted in one step), outside it from `pasteThreshold` printable keys. An Enter or Tab at the end
    /// of a run stays a key: "type a query, press Enter" in one burst still searches. `/` first enters the editor.
    static func next(_ pending: inout ArraySlice<Action>, typing: Bool) -> Action? {
        guard let first = pending.first else { return nil }
        let run = textRun(pending)
        let printable = run.filter { $0.typedCharacter != nil }.count
        let isPaste: Bool
        if typing {
            isPaste = run.count >= 2
        } else {
            isPaste = printable >= pasteThreshold && run.first != .char("/")
        }
        guard isPaste else {
            pending.removeFirst()
            return first
        }
        pending.removeFirst(run.count)
        return .paste(String(run.map(text(of:))))
    }

    /// The keys at the front that are text, without trailing Enter/Tab keys.
    private static func textRun(_ pending: ArraySlice<Action>) -> [Key] {
        var run: [Key] = []
        for action in pending {
            guard case .key(let key) = action, key.typedCharacter != nil || isBreak(key) else { break }
            run.append(key)
        }
        while let last = run.last, isBreak(last) { run.removeLast() }
        return run
    }

    static func isBreak(_ key: Key) -> Bool { key == .enter || key == .tab || key == .ctrl("j") }

    private static func text(of key: Key) -> Character {
        if let character = key.typedCharacter { return character }
        return key == .tab ? "\t" : "\n"
    }
}
