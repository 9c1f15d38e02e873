/// Previously run queries, browsed like a shell's history: older with Ctrl-P, newer with Ctrl-N, and the text being
/// written before browsing comes back after the newest entry.
public struct QueryHistory: Equatable, Sendable {
    /// Oldest first.
    public private(set) var entries: [String]
    /// The entry shown while browsing; nil when not browsing.
    public private(set) var index: Int?
    /// What the editor held when browsing started.
    public private(set) var draft: String?
    public let capacity: Int

    public init(entries: [String] = [], capacity: Int = 200) {
        self.capacity = max(1, capacity)
        self.entries = Array(entries.suffix(self.capacity))
    }

    /// Records a query that was run; a repeat of the newest entry is not stored twice. Ends browsing.
    public mutating func record(_ query: String) {
        let text = query.trimmingWhitespace()
        index = nil
        draft = nil
        guard !text.isEmpty else { return }
        entries.removeAll { $0 == text }
        entries.append(text)
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }

    /// The next older entry, remembering `current` as the draft when browsing starts; nil when there is none.
    public mutating func older(current: String) -> String? {
        guard !entries.isEmpty else { return nil }
        if let index {
            guard index > 0 else { return nil }
            self.index = index - 1
        } else {
            draft = current
            index = entries.count - 1
        }
        return index.map { entries[$0] }
    }

    /// The next newer entry, or the draft after the newest; nil when not browsing.
    public mutating func newer() -> String? {
        guard let index else { return nil }
        if index + 1 < entries.count {
            self.index = index + 1
            return entries[index + 1]
        }
        let text = draft ?? ""
        self.index = nil
        draft = nil
        return text
    }

    /// Stops browsing (the user edited the recalled text, which becomes the new draft).
    public mutating func stopBrowsing() {
        index = nil
        draft = nil
    }
}
