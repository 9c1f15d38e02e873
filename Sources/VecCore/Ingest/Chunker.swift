import Foundation

/// Splits long text into overlapping windows that fit the local model's token limit; the same windows serve
/// every model (artifact_chunks is shared), so they are measured with MiniLM's WordPiece tokenizer when it is
/// installed and with a conservative estimate otherwise.
public struct Chunker: Sendable {
    /// Content tokens per chunk: MiniLM's 256 minus [CLS], [SEP] and a margin.
    public var maxTokens: Int
    /// Tokens repeated at the start of the next chunk, so a sentence across a boundary is whole in one of them.
    public var overlapTokens: Int
    private let countWordTokens: @Sendable (Substring) -> Int

    public init(
        maxTokens: Int = 240, overlapTokens: Int = 40,
        countWordTokens: @escaping @Sendable (Substring) -> Int = Chunker.estimatedTokens
    ) {
        precondition(maxTokens > overlapTokens && overlapTokens >= 0, "chunk window must exceed its overlap")
        self.maxTokens = maxTokens
        self.overlapTokens = overlapTokens
        self.countWordTokens = countWordTokens
    }

    /// Measures with MiniLM's tokenizer from VECSCOPE_HOME when present.
    public static func standard(home: VecscopeHome = .resolve()) -> Chunker {
        let vocabulary = home.miniLMModel.appendingPathComponent("vocab.txt")
        guard let tokenizer = try? WordPieceTokenizer(vocabularyFile: vocabulary) else { return Chunker() }
        let specials = tokenizer.countTokens("")
        return Chunker(countWordTokens: { max(1, tokenizer.countTokens(String($0)) - specials) })
    }

    /// A safe over-estimate for any tokenizer: one token per 3 bytes, at least one per word.
    @Sendable public static func estimatedTokens(_ word: Substring) -> Int { max(1, (word.utf8.count + 2) / 3) }

    /// At least one chunk for any non-empty text; a window ends after a sentence when one ends near its end.
    public func chunks(_ text: String) -> [String] {
        var words: [Substring] = []
        var costs: [Int] = []
        for word in text.split(whereSeparator: { $0.isWhitespace }) {
            // A "word" longer than a window (unspaced CJK text, a URL) is cut into pieces that fit.
            var rest = word
            while !rest.isEmpty {
                var piece = rest
                while countWordTokens(piece) > maxTokens / 2 && piece.count > 1 {
                    piece = piece.prefix(piece.count / 2)
                }
                words.append(piece)
                costs.append(countWordTokens(piece))
                rest = rest.dropFirst(piece.count)
            }
        }
        guard !words.isEmpty else { return [] }
        if costs.reduce(0, +) <= maxTokens { return [words.joined(separator: " ")] }
        var result: [String] = []
        var start = 0
        while start < words.count {
            var end = start
            var used = 0
            while end < words.count, used + costs[end] <= maxTokens {
                used += costs[end]
                end += 1
            }
            end = max(end, start + 1)
            if end < words.count {
                let earliest = start + (end - start) * 4 / 5
                if let sentenceEnd = (earliest..<end).last(where: {
                    words[$0].last.map { ".!?。".contains($0) } ?? false
                }) {
                    end = sentenceEnd + 1
                }
            }
            result.append(words[start..<end].joined(separator: " "))
            if end >= words.count { break }
            // Step back over overlapTokens worth of words.
            var back = end
            var overlap = 0
            while back > start + 1, overlap + costs[back - 1] <= overlapTokens {
                back -= 1
                overlap += costs[back]
            }
            start = back
        }
        return result
    }
}
