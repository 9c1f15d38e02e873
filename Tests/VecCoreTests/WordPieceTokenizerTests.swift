import Foundation
import Testing

@testable import VecCore

/// Pure tokenizer behaviour on a small hand-made vocabulary (no model files needed). The real vocabulary
/// is checked token for token against the reference in MiniLMTests.
@Suite struct WordPieceTokenizerTests {
    static let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
        "a", "##a", "ab", "b", "c", "d", "e", "f", "g", "h", "i", "j", "abc", "cafe", "nandu", "hello", "world",
        "un", "##aff", "##able", "pad", "[", "]", ",", "!", "$", "+", "<", "=", ">", "^", "`", "|", "~",
        "—", "«", "»", "中", "文", "क", "##क", "##ा", "한", "ᄒ", "##ᅡ", "##ᆫ", "istanbul", "i̇stanbul",
    ]

    let tokenizer: WordPieceTokenizer

    init() throws {
        tokenizer = try WordPieceTokenizer(vocabulary: Self.vocabulary)
    }

    /// The word pieces of `text` as strings, `[UNK]` included.
    func pieces(_ text: String) -> [String] {
        tokenizer.tokenize(text).map { tokenizer.vocabulary[$0] }
    }

    @Test func greedyLongestMatchWithContinuations() {
        #expect(pieces("unaffable") == ["un", "##aff", "##able"])
        #expect(pieces("aaa") == ["a", "##a", "##a"])
        #expect(pieces("abc ab") == ["abc", "ab"])
    }

    @Test func anUnmatchedPieceMakesTheWholeWordOneUnknown() {
        #expect(pieces("aaz") == ["[UNK]"])
        #expect(pieces("hello aaz world") == ["hello", "[UNK]", "world"])
    }

    @Test func accentsAreStrippedAndTextLowercased() {
        #expect(pieces("Café NANDÚ") == ["cafe", "nandu"])
        #expect(pieces("cafe\u{301}") == ["cafe"])  // decomposed and precomposed agree
        #expect(pieces("HÉLLO WÖRLD") == ["hello", "world"])
    }

    @Test func lowercasingFollowsAccentStripping() {
        // İ decomposes to I + U+0307, the dot is stripped, then I lowercases to i.
        #expect(pieces("İSTANBUL") == ["istanbul"])
    }

    @Test func cjkIdeographsAreSpacedOutButKanaAndHangulAreNot() {
        #expect(pieces("中文abc") == ["中", "文", "abc"])
        #expect(pieces("ひらがな") == ["[UNK]"])  // one word, not four
        // Hangul is decomposed to jamo (NFD); the precomposed vocabulary entry must not match.
        #expect(pieces("한") == ["ᄒ", "##ᅡ", "##ᆫ"])
    }

    @Test func everyAsciiSymbolIsPunctuation() {
        #expect(
            pieces("a$b+c<d=e>f^g`h|i~j") == [
                "a", "$", "b", "+", "c", "<", "d", "=", "e", ">", "f", "^", "g", "`", "h", "|", "i", "~", "j",
            ])
        #expect(pieces("hello,world!") == ["hello", ",", "world", "!"])
    }

    @Test func unicodePunctuationSplits() {
        #expect(pieces("a—b«c»") == ["a", "—", "b", "«", "c", "»"])
    }

    @Test func specialTokensMatchOnlyInExactCase() {
        #expect(tokenizer.encode("[PAD]") == [tokenizer.classifierID, 0, tokenizer.separatorID])
        #expect(pieces("a[MASK]b") == ["a", "[MASK]", "b"])
        #expect(pieces("[pad]") == ["[", "pad", "]"])
        #expect(pieces("[CLS][SEP][UNK]") == ["[CLS]", "[SEP]", "[UNK]"])
    }

    @Test func tabNewlineAndReturnSeparateWords() {
        #expect(pieces("a\tb\nc\rd") == ["a", "b", "c", "d"])
    }

    @Test(arguments: [
        "\u{0B}", "\u{0C}", "\u{85}", "\u{200B}", "\u{200D}", "\u{AD}", "\u{FEFF}", "\u{0}", "\u{FFFD}", "\u{7F}",
        "\u{E000}",
    ])
    func controlFormatAndPrivateUseCharactersVanish(_ character: String) {
        #expect(pieces("a\(character)b") == ["ab"])
    }

    @Test(arguments: ["\u{A0}", "\u{2028}", "\u{2029}", "\u{3000}", "\u{202F}", "\u{2003}"])
    func unicodeWhitespaceSeparatesWords(_ character: String) {
        #expect(pieces("a\(character)b") == ["a", "b"])
    }

    @Test func wordsOfMoreThan100ScalarsBecomeOneUnknown() {
        let hundred = String(repeating: "a", count: 100)
        #expect(pieces(hundred) == ["a"] + Array(repeating: "##a", count: 99))
        #expect(pieces(hundred + "a") == ["[UNK]"])
        // The limit counts scalars of the normalised word, not Characters: "का" is one Character, two scalars.
        #expect(pieces(String(repeating: "का", count: 50)).count == 100)
        #expect(pieces(String(repeating: "का", count: 51)) == ["[UNK]"])
        // Stripped accents do not count: 100 decomposed "á" are 200 scalars in the text, 100 after normalising.
        #expect(pieces(String(repeating: "a\u{301}", count: 100)).count == 100)
    }

    @Test func wordPieceStepsBackOneScalarNotOneCharacter() {
        // "का" is one grapheme cluster of two scalars (क + the spacing vowel sign ा, which is kept).
        #expect(pieces("का") == ["क", "##ा"])
    }

    @Test func encodeAddsClsAndSepAndTruncatesTo256() {
        let text = Array(repeating: "a", count: 300).joined(separator: " ")
        let ids = tokenizer.encode(text)
        #expect(ids.count == 256)
        #expect(ids.first == tokenizer.classifierID)
        #expect(ids.last == tokenizer.separatorID)
        #expect(tokenizer.tokenize(text).count == 300)
        #expect(tokenizer.countTokens(text) == 302)
        #expect(tokenizer.encode("") == [tokenizer.classifierID, tokenizer.separatorID])
        #expect(tokenizer.countTokens("") == 2)
    }

    @Test func maxSequenceLengthIsConfigurable() throws {
        let short = try WordPieceTokenizer(vocabulary: Self.vocabulary, maxSequenceLength: 4)
        #expect(short.encode("a b c d e").map { short.vocabulary[$0] } == ["[CLS]", "a", "b", "[SEP]"])
    }

    @Test func piecesMapBackToTheOriginalText() {
        let text = "Hello, wörld! unaffable"
        let spans = tokenizer.pieceRanges(of: text)
        #expect(spans.map { String(text[$0.range]) } == ["Hello", ",", "wörld", "!", "un", "aff", "able"])
        #expect(spans.map(\.continuesWord) == [false, false, false, false, false, true, true])
        #expect(tokenizer.pieces(of: "[MASK] x").first?.scalarRange == 0..<6)
    }

    @Test func vocabularyFileIsSplitOnNewlinesOnly() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nx\r\ny\n".utf8).write(to: url)
        let fromFile = try WordPieceTokenizer(vocabularyFile: url)
        #expect(fromFile.vocabulary == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "x\r", "y"])
        #expect(fromFile.tokenize("y x") == [6, 1])
    }

    @Test func aVocabularyWithoutSpecialTokensIsRejected() {
        #expect(throws: WordPieceTokenizerError.missingSpecialToken("[CLS]")) {
            try WordPieceTokenizer(vocabulary: ["[PAD]", "[UNK]", "a"])
        }
    }
}
