import Foundation

/// The BERT uncased WordPiece tokenizer of all-MiniLM-L6-v2, token for token what HuggingFace `tokenizers`
/// produces (BertNormalizer + BertPreTokenizer + WordPiece, `[CLS] … [SEP]`, max_seq_length 256).
///
/// The rules mirror the test oracle `reference.py` (see `WordPieceTokenizer+Unicode.swift` for the
/// character classes). Everything works on Unicode scalars, never on Swift `Character`s, and the vocabulary
/// is keyed by scalar values: Swift `String` equality is canonical equivalence, under which a decomposed
/// Hangul syllable would wrongly match its precomposed vocabulary entry.
public struct WordPieceTokenizer: Sendable {
    /// A word piece and where it came from, for chunking text on token boundaries.
    public struct Piece: Sendable, Equatable {
        public let id: Int
        /// The original text the piece was made from, in Unicode scalar offsets into the input.
        public let scalarRange: Range<Int>
        /// True for a `##` piece that continues the previous word rather than starting one.
        public let continuesWord: Bool
    }

    /// Special tokens that are matched verbatim (case-sensitive) in the raw text before normalisation.
    public static let specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    /// The longest encoded sequence, `[CLS]` and `[SEP]` included.
    public let maxSequenceLength: Int
    /// A word with more scalars than this becomes one `[UNK]`.
    public let maxScalarsPerWord: Int
    public let paddingID: Int
    public let unknownID: Int
    public let classifierID: Int
    public let separatorID: Int
    /// The vocabulary in id order.
    public let vocabulary: [String]

    private typealias Key = ArraySlice<UInt32>
    /// Every vocabulary entry, for the piece that starts a word.
    private let wordStarts: [Key: Int]
    /// Entries beginning with `##`, keyed without the `##`, for the pieces that continue a word.
    private let continuations: [Key: Int]
    private let longestWordStart: Int
    private let longestContinuation: Int
    /// The special tokens as scalar values, with their ids.
    private let specials: [(scalars: [UInt32], id: Int)]

    /// Reads `vocab.txt`: one token a line, split on `\n` only (a `\r` stays part of the token).
    public init(vocabularyFile url: URL, maxSequenceLength: Int = 256, maxScalarsPerWord: Int = 100) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw WordPieceTokenizerError.unreadableVocabulary(path: url.path, reason: error.localizedDescription)
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" { lines.removeLast() }
        try self.init(vocabulary: lines, maxSequenceLength: maxSequenceLength, maxScalarsPerWord: maxScalarsPerWord)
    }

    /// A tokenizer over `vocabulary` (token `i` has id `i`); it must contain the five special tokens.
    public init(vocabulary: [String], maxSequenceLength: Int = 256, maxScalarsPerWord: Int = 100) throws {
        guard maxSequenceLength >= 2 else { throw WordPieceTokenizerError.sequenceTooShort(maxSequenceLength) }
        var wordStarts: [Key: Int] = [:]
        var continuations: [Key: Int] = [:]
        var longestWordStart = 0
        var longestContinuation = 0
        let hashes: [UInt32] = [0x23, 0x23]
        for (id, token) in vocabulary.enumerated() {
            let scalars = token.unicodeScalars.map(\.value)
            // A later duplicate wins, as in a Python dict built from the file.
            wordStarts[Key(scalars)] = id
            longestWordStart = max(longestWordStart, scalars.count)
            if scalars.count >= 2, scalars.starts(with: hashes) {
                continuations[Key(scalars.dropFirst(2))] = id
                longestContinuation = max(longestContinuation, scalars.count - 2)
            }
        }
        func id(of token: String) throws -> Int {
            guard let id = wordStarts[Key(token.unicodeScalars.map(\.value))] else {
                throw WordPieceTokenizerError.missingSpecialToken(token)
            }
            return id
        }
        self.paddingID = try id(of: "[PAD]")
        self.unknownID = try id(of: "[UNK]")
        self.classifierID = try id(of: "[CLS]")
        self.separatorID = try id(of: "[SEP]")
        self.specials = try Self.specialTokens.map { (Array($0.unicodeScalars.map(\.value)), try id(of: $0)) }
        self.vocabulary = vocabulary
        self.wordStarts = wordStarts
        self.continuations = continuations
        self.longestWordStart = longestWordStart
        self.longestContinuation = longestContinuation
        self.maxSequenceLength = maxSequenceLength
        self.maxScalarsPerWord = maxScalarsPerWord
    }

    // MARK: - Encoding

    /// The model input: `[CLS]`, the word pieces cut to `maxSequenceLength - 2`, `[SEP]`.
    public func encode(_ text: String) -> [Int] {
        let ids = tokenize(text)
        return [classifierID] + ids.prefix(maxSequenceLength - 2) + [separatorID]
    }

    /// The word-piece ids of `text`: no `[CLS]`/`[SEP]`, no truncation.
    public func tokenize(_ text: String) -> [Int] {
        pieces(of: text).map(\.id)
    }

    /// How many tokens `text` encodes to before truncation, `[CLS]` and `[SEP]` included; the text is
    /// embedded whole when this is at most `maxSequenceLength`.
    public func countTokens(_ text: String) -> Int {
        pieces(of: text).count + 2
    }

    /// The word pieces of `text` (no `[CLS]`/`[SEP]`, no truncation), each with the scalar range it came from.
    public func pieces(of text: String) -> [Piece] {
        let scalars = text.unicodeScalars.map(\.value)
        var pieces: [Piece] = []
        pieces.reserveCapacity(scalars.count / 3 + 4)
        var normalized = NormalizedText()
        var segmentStart = 0
        var index = 0
        while index < scalars.count {
            if scalars[index] == 0x5B, let special = special(at: index, in: scalars) {
                appendPieces(ofSegment: segmentStart..<index, of: scalars, using: &normalized, to: &pieces)
                let end = index + special.length
                pieces.append(Piece(id: special.id, scalarRange: index..<end, continuesWord: false))
                index = end
                segmentStart = end
            } else {
                index += 1
            }
        }
        appendPieces(ofSegment: segmentStart..<scalars.count, of: scalars, using: &normalized, to: &pieces)
        return pieces
    }

    /// The pieces with their text as `String.Index` ranges of `text`.
    public func pieceRanges(of text: String) -> [(id: Int, range: Range<String.Index>, continuesWord: Bool)] {
        let found = pieces(of: text)
        var indices = Array(text.unicodeScalars.indices)
        indices.append(text.unicodeScalars.endIndex)
        return found.map { piece in
            (
                piece.id, indices[piece.scalarRange.lowerBound]..<indices[piece.scalarRange.upperBound],
                piece.continuesWord
            )
        }
    }

    private func special(at index: Int, in scalars: [UInt32]) -> (length: Int, id: Int)? {
        for special in specials where index + special.scalars.count <= scalars.count {
            if scalars[index..<index + special.scalars.count].elementsEqual(special.scalars) {
                return (special.scalars.count, special.id)
            }
        }
        return nil
    }

    /// Normalises one segment between special tokens, splits it into words and appends their pieces.
    private func appendPieces(
        ofSegment segment: Range<Int>, of scalars: [UInt32], using normalized: inout NormalizedText,
        to pieces: inout [Piece]
    ) {
        guard !segment.isEmpty else { return }
        normalized.removeAll()
        Self.normalize(scalars[segment], firstOffset: segment.lowerBound, into: &normalized)
        // BertPreTokenizer: whitespace ends a word and is dropped; punctuation is a word of its own.
        var wordStart = 0
        let count = normalized.scalars.count
        for position in 0..<count {
            let scalar = normalized.scalars[position]
            if Self.isWhitespace(scalar) {
                appendWordPieces(normalized, wordStart..<position, to: &pieces)
                wordStart = position + 1
            } else if Self.isPunctuation(scalar) {
                appendWordPieces(normalized, wordStart..<position, to: &pieces)
                appendWordPieces(normalized, position..<position + 1, to: &pieces)
                wordStart = position + 1
            }
        }
        appendWordPieces(normalized, wordStart..<count, to: &pieces)
    }

    /// Greedy longest-match-first WordPiece on one word; an unmatched remainder makes the whole word `[UNK]`.
    private func appendWordPieces(_ text: NormalizedText, _ word: Range<Int>, to pieces: inout [Piece]) {
        guard !word.isEmpty else { return }
        let origins = text.origins
        func sourceRange(_ range: Range<Int>) -> Range<Int> {
            var low = Int.max, high = Int.min
            for position in range {
                low = min(low, origins[position])
                high = max(high, origins[position])
            }
            return low..<(high + 1)
        }
        if word.count > maxScalarsPerWord {
            pieces.append(Piece(id: unknownID, scalarRange: sourceRange(word), continuesWord: false))
            return
        }
        let firstPiece = pieces.count
        var start = word.lowerBound
        while start < word.upperBound {
            let isFirst = start == word.lowerBound
            let table = isFirst ? wordStarts : continuations
            var end = min(word.upperBound, start + (isFirst ? longestWordStart : longestContinuation))
            var found: Int?
            while start < end {
                if let id = table[text.scalars[start..<end]] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                pieces.removeSubrange(firstPiece...)
                pieces.append(Piece(id: unknownID, scalarRange: sourceRange(word), continuesWord: false))
                return
            }
            pieces.append(Piece(id: id, scalarRange: sourceRange(start..<end), continuesWord: !isFirst))
            start = end
        }
    }
}

/// The normalised scalars of a segment, each with the offset of the input scalar it came from.
struct NormalizedText {
    var scalars: [UInt32] = []
    var origins: [Int] = []

    mutating func append(_ scalar: UInt32, origin: Int) {
        scalars.append(scalar)
        origins.append(origin)
    }

    mutating func removeAll() {
        scalars.removeAll(keepingCapacity: true)
        origins.removeAll(keepingCapacity: true)
    }
}

public enum WordPieceTokenizerError: Error, Equatable, CustomStringConvertible {
    case unreadableVocabulary(path: String, reason: String)
    case missingSpecialToken(String)
    case sequenceTooShort(Int)

    public var description: String {
        switch self {
        case let .unreadableVocabulary(path, reason):
            return "cannot read the WordPiece vocabulary \(path): \(reason)"
        case let .missingSpecialToken(token):
            return "the WordPiece vocabulary has no \(token) token"
        case let .sequenceTooShort(length):
            return "a maximum sequence length of \(length) leaves no room for [CLS] and [SEP]"
        }
    }
}

extension WordPieceTokenizerError: ReportableError {
    public var report: ErrorReport {
        switch self {
        case let .unreadableVocabulary(path, reason):
            return ErrorReport(
                what: "cannot read the WordPiece vocabulary \(path)", why: reason,
                fix: "Run `make setup` to install the model's vocab.txt.")
        case let .missingSpecialToken(token):
            return ErrorReport(
                what: "the WordPiece vocabulary has no \(token) token",
                why: "the tokenizer needs " + WordPieceTokenizer.specialTokens.joined(separator: ", "),
                fix: "Use the vocab.txt that came with the model (`make setup` installs it).")
        case let .sequenceTooShort(length):
            return ErrorReport(
                what: "a maximum sequence length of \(length) is too short",
                why: "[CLS] and [SEP] take two tokens",
                fix: "Use a maximum sequence length of at least 2.")
        }
    }
}
