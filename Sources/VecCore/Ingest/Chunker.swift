/// Splits long text into overlapping windows of words, the same for every model (chunks are shared by models).
///
/// 150 words stays under MiniLM's 256 WordPiece tokens for ordinary prose (about 1.3 tokens a word); the
/// 30-word overlap keeps a sentence that straddles a boundary whole in one of the two chunks.
public struct Chunker: Sendable {
    public var wordsPerChunk: Int
    public var overlapWords: Int

    public init(wordsPerChunk: Int = 150, overlapWords: Int = 30) {
        precondition(wordsPerChunk > overlapWords && overlapWords >= 0, "chunk window must exceed its overlap")
        self.wordsPerChunk = wordsPerChunk
        self.overlapWords = overlapWords
    }

    /// At least one chunk for any non-empty text; a window ends at a sentence end when one is near.
    public func chunks(_ text: String) -> [String] {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        guard !words.isEmpty else { return [] }
        guard words.count > wordsPerChunk else { return [words.joined(separator: " ")] }
        var result: [String] = []
        var start = 0
        while start < words.count {
            var end = min(start + wordsPerChunk, words.count)
            if end < words.count {
                // Prefer to stop after a sentence end in the last fifth of the window.
                let earliest = start + wordsPerChunk * 4 / 5
                if let sentenceEnd = (earliest..<end).last(where: { words[$0].last.map { ".!?".contains($0) } ?? false }) {
                    end = sentenceEnd + 1
                }
            }
            result.append(words[start..<end].joined(separator: " "))
            if end >= words.count { break }
            start = max(end - overlapWords, start + 1)
        }
        return result
    }
}
