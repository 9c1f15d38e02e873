import Foundation

/// Throughput of the local model on a fixed batch, measured like `bench.py` of the numpy reference:
/// tokenize + forward + pool for the whole batch at once, one warm-up run, then the median of the timed runs.
public struct MiniLMBenchmark: Sendable {
    public struct Measurement: Sendable, Equatable {
        public let sentences: Int
        /// Model tokens in the batch, `[CLS]` and `[SEP]` included.
        public let tokens: Int
        /// Wall time of each timed run.
        public let runSeconds: [Double]
        /// Sentences per second at the median run.
        public let sentencesPerSecond: Double
        /// The process's peak resident set size after the runs.
        public let peakRSSBytes: Int
    }

    public let model: MiniLM

    public init(model: MiniLM) { self.model = model }

    public func run(sentences: [String], iterations: Int = 5) throws -> Measurement {
        precondition(!sentences.isEmpty && iterations > 0, "a benchmark needs sentences and at least one run")
        let tokens = sentences.reduce(0) { $0 + model.tokenizer.encode($1).count }
        _ = try model.embed(sentences)  // warm-up: page in the weights, size the allocator
        var runs: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try model.embed(sentences)
            runs.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let sorted = runs.sorted()
        let median =
            sorted.count % 2 == 1
            ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        return Measurement(
            sentences: sentences.count, tokens: tokens, runSeconds: runs,
            sentencesPerSecond: Double(sentences.count) / median, peakRSSBytes: Self.peakResidentBytes())
    }

    /// A batch like bench.py's: `count` job-ad sentences of about `targetTokens` tokens each, from the same
    /// word list and punctuation, drawn with a fixed seed (the same seed gives the same batch).
    public static func sampleSentences(
        count: Int = 64, targetTokens: Int = 100, seed: UInt64 = 0, tokenizer: WordPieceTokenizer
    ) -> [String] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            var words: [String] = []
            func length() -> Int { tokenizer.encode(words.joined(separator: " ")).count }
            while length() < targetTokens {
                var word = benchmarkWords[Int(generator.next() % UInt64(benchmarkWords.count))]
                if generator.next() % 10 == 0 { word += [",", ".", ";"][Int(generator.next() % 3)] }
                words.append(word)
            }
            while length() > targetTokens { words.removeLast() }
            return words.joined(separator: " ")
        }
    }

    static let benchmarkWords = """
        experienced senior software engineer designing building operating distributed systems kubernetes \
        postgresql kafka microservices observability mentoring team leadership product managers customers \
        reliability latency throughput payments data pipelines machine learning python golang java typescript \
        react cloud aws terraform security compliance hiring onboarding documentation on-call incidents berlin \
        remote hybrid salary benefits visa relocation startup enterprise
        """.split(separator: " ").map(String.init)

    static func peakResidentBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return usage.ru_maxrss * 1024  // kilobytes on Linux
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        return usage.ru_maxrss  // bytes on Darwin
        #endif
    }
}

/// A small, fast, seedable generator (Steele, Lea & Flood's SplitMix64) for reproducible sample batches.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
