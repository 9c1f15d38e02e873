import Foundation
import TestSupport
import Testing

@testable import VecCore

/// Wraps the real MiniLM and fails on chosen batches, to see what a failing provider or a crash leaves behind.
final class FlakyEmbedder: Embedder, @unchecked Sendable {
    let inner: MiniLM
    var failOnBatches: Set<Int>
    var wrongDimensionsOnBatches: Set<Int> = []
    /// Batches whose first vector comes back all zeros.
    var zeroVectorOnBatches: Set<Int> = []
    private(set) var batches = 0
    private(set) var textsEmbedded = 0

    init(_ inner: MiniLM, failOnBatches: Set<Int> = []) {
        self.inner = inner
        self.failOnBatches = failOnBatches
    }

    var modelName: String { inner.modelName }
    var dimensions: Int { inner.dimensions }
    var maxInputTokens: Int { inner.maxInputTokens }
    func countTokens(_ text: String) -> Int { inner.countTokens(text) }

    func embed(_ texts: [String]) throws -> [[Float]] {
        batches += 1
        if failOnBatches.contains(batches) { throw VecscopeError(what: "provider failed on batch \(batches)") }
        textsEmbedded += texts.count
        if wrongDimensionsOnBatches.contains(batches) { return texts.map { _ in [1, 2, 3] } }
        var vectors = try inner.embed(texts)
        if zeroVectorOnBatches.contains(batches), !vectors.isEmpty { vectors[0] = vectors[0].map { _ in 0 } }
        return vectors
    }
}

@Suite struct EmbeddingPipelineTests {
    let connection: Connection
    let model: EmbeddingModel
    let directory: URL

    init() throws {
        connection = try TestDatabase.fresh().connection
        model = try EmbeddingModelRegistry(connection: connection).model(named: "all-MiniLM-L6-v2")
        directory = try TestDatabase.scratchDirectory("pipeline")
        // A slice of the fixtures: 12 artifacts, a few of them long enough to chunk.
        let lines = try String(contentsOf: FixturePaths.file("artifacts.jsonl"), encoding: .utf8).split(separator: "\n")
        let slice = Array(lines.prefix(12)).joined(separator: "\n")
        try slice.write(to: directory.appendingPathComponent("slice.jsonl"), atomically: true, encoding: .utf8)
        _ = try ArtifactLoader(connection: connection).load(file: directory.appendingPathComponent("slice.jsonl"))
    }

    private func counts() throws -> (full: Int, summary: Int, chunks: Int, chunkVectors: Int) {
        let row = try connection.query(
            """
            SELECT (SELECT count(*) FROM artifact_embeddings WHERE content_type = 'full'),
                   (SELECT count(*) FROM artifact_embeddings WHERE content_type = 'summary'),
                   (SELECT count(*) FROM artifact_chunks), (SELECT count(*) FROM chunk_embeddings)
            """
        ).row(0)
        return (try row.decode(0), try row.decode(1), try row.decode(2), try row.decode(3))
    }

    @Test func embedsEverythingOnceThenNothing() throws {
        let embedder = FlakyEmbedder(try FixtureDatabase.model())
        let pipeline = try EmbeddingPipeline(connection: connection, embedder: embedder, model: model)
        var progress: [(Int, Int)] = []
        let first = try pipeline.run { progress.append(($0, $1)) }
        let stored = try counts()
        #expect(stored.full == 12 && stored.summary == 12)
        #expect(stored.chunks > 12)  // long artifacts have several chunks
        #expect(stored.chunkVectors == stored.chunks)
        #expect(first.embedded[.full] == 12 && first.embedded[.chunk] == stored.chunks)
        #expect(progress.last.map { $0.0 == $0.1 } == true)
        #expect(Set(first.createdIndexes) == ["ae_hnsw_cosine_all_minilm_l6_v2", "ce_hnsw_cosine_all_minilm_l6_v2"])
        let dims = try connection.query("SELECT DISTINCT vector_dims(embedding_vector) FROM artifact_embeddings")
            .scalar(Int.self)
        #expect(dims == 384)

        let again = try pipeline.run()
        #expect(again.embeddedCount == 0)
        #expect(again.skipped == 24 + stored.chunks)
        #expect(embedder.textsEmbedded == first.embeddedCount)
    }

    @Test func editingOneArtifactReembedsOnlyIt() throws {
        let embedder = FlakyEmbedder(try FixtureDatabase.model())
        let pipeline = try EmbeddingPipeline(connection: connection, embedder: embedder, model: model)
        _ = try pipeline.run()
        let before = embedder.textsEmbedded
        // Change one short artifact's content and reload the file.
        var lines = try String(contentsOf: directory.appendingPathComponent("slice.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        var object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        object["content"] = (object["content"] as? String ?? "") + " Also mentored two junior engineers."
        lines[0] = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        try lines.joined(separator: "\n").write(
            to: directory.appendingPathComponent("slice.jsonl"), atomically: true, encoding: .utf8)
        let load = try ArtifactLoader(connection: connection).load(
            file: directory.appendingPathComponent("slice.jsonl"))
        #expect(load.updated == 1 && load.markedStale == 1)
        let rerun = try pipeline.run()
        // Its full text and its chunk(s) changed; its summary (title + description) did not, so it is skipped.
        #expect(rerun.embedded[.full] == 1)
        #expect(rerun.embedded[.summary] == 1)  // stale-marked summary is re-embedded (its hash is the same)
        #expect((rerun.embedded[.chunk] ?? 0) >= 1)
        #expect(embedder.textsEmbedded - before == rerun.embeddedCount)
        #expect(try connection.query("SELECT count(*) FROM artifact_embeddings WHERE stale").scalar(Int.self) == 0)
    }

    @Test func aFailedBatchIsReportedAndTheRestIsStoredThenResumed() throws {
        let embedder = FlakyEmbedder(try FixtureDatabase.model(), failOnBatches: [2])
        embedder.wrongDimensionsOnBatches = [3]
        let pipeline = try EmbeddingPipeline(connection: connection, embedder: embedder, model: model)
        var options = EmbeddingPipeline.Options()
        options.batchSize = 4
        options.contentTypes = [.full, .summary]
        let first = try pipeline.run(options)
        #expect(first.failedBatches == 2)
        #expect(first.failedItems == 8)
        #expect(first.embeddedCount == 24 - 8)
        #expect(first.failures.first?.contains("provider failed on batch 2") == true)
        #expect(first.failures.last?.contains("384") == true)
        // A second run picks up exactly what is missing.
        embedder.failOnBatches = []
        embedder.wrongDimensionsOnBatches = []
        let second = try pipeline.run(options)
        #expect(second.embeddedCount == 8)
        #expect(second.failedItems == 0)
        #expect(try counts().full == 12)
    }

    /// Issue 15 #6: with a server that is down every batch failed (each after its whole retry cycle) and the run went
    /// on to the next. Now it stops after N failed batches in a row, with one message, keeping what was stored.
    @Test func aRunStopsAfterConsecutiveFailedBatchesKeepingFinishedOnes() throws {
        let embedder = FlakyEmbedder(try FixtureDatabase.model(), failOnBatches: [3, 4, 5, 6])
        let pipeline = try EmbeddingPipeline(connection: connection, embedder: embedder, model: model)
        var options = EmbeddingPipeline.Options()
        options.batchSize = 2
        options.contentTypes = [.full]
        let error = #expect(throws: VecscopeError.self) { try pipeline.run(options) }
        #expect(error?.what == "embedding with all-MiniLM-L6-v2 stopped: 3 batches in a row failed")
        #expect(error?.why?.contains("provider failed on batch 5") == true)
        #expect(error?.fix?.hasPrefix("4 texts embedded before are stored.") == true)
        #expect(embedder.batches == 5)  // the sixth was never tried
        #expect(try counts().full == 4)
        // Failures that are not consecutive do not stop a run.
        embedder.failOnBatches = [7, 9]
        let second = try pipeline.run(options)
        #expect(second.failedBatches == 2 && second.embedded[.full] == 4)
    }

    @Test func forceReembedsEverything() throws {
        let pipeline = try EmbeddingPipeline(
            connection: connection, embedder: try FixtureDatabase.model(), model: model)
        var options = EmbeddingPipeline.Options()
        options.contentTypes = [.summary]
        _ = try pipeline.run(options)
        options.force = true
        #expect(try pipeline.run(options).embedded[.summary] == 12)
        #expect(try pipeline.plan(options).items == 12)
    }

    @Test func everyFixtureChunkFitsTheModelsTokenLimit() throws {
        let miniLM = try FixtureDatabase.model()
        let chunker = Chunker.standard()
        let lines = try String(contentsOf: FixturePaths.file("artifacts.jsonl"), encoding: .utf8).split(separator: "\n")
        var longest = 0
        var chunked = 0
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let text = EmbeddingText.full(
                title: object["title"] as? String ?? "", description: object["description"] as? String ?? "",
                content: object["content"] as? String ?? "", skills: object["skills"] as? [String] ?? [])
            let chunks = chunker.chunks(text)
            if chunks.count > 1 { chunked += 1 }
            for chunk in chunks { longest = max(longest, miniLM.countTokens(chunk)) }
        }
        #expect(longest <= miniLM.maxInputTokens, "a chunk has \(longest) tokens")
        #expect(chunked >= 36)
    }

    @Test func chunkerOverlapsAndCoversTheText() {
        let words = (1...400).map { "w\($0)" + ($0 % 17 == 0 ? "." : "") }
        let chunker = Chunker(maxTokens: 100, overlapTokens: 20, countWordTokens: { _ in 1 })
        let chunks = chunker.chunks(words.joined(separator: " "))
        #expect(chunks.count >= 5)
        #expect(chunks.allSatisfy { $0.split(separator: " ").count <= 100 })
        #expect(chunks.first?.hasPrefix("w1 ") == true)
        #expect(chunks.last?.hasSuffix("w400") == true)
        // Consecutive chunks share up to 20 words, and every word is in some chunk.
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            let tail = a.split(separator: " ").suffix(20).map(String.init)
            let head = b.split(separator: " ").prefix(20).map(String.init)
            #expect(!Set(tail).intersection(head).isEmpty)
        }
        let covered = Set(chunks.flatMap { $0.split(separator: " ").map(String.init) })
        #expect(covered == Set(words))
        #expect(Chunker().chunks("   ").isEmpty)
        #expect(Chunker().chunks("short text") == ["short text"])
        // An unspaced run longer than a window is cut, not emitted whole.
        let cjk = String(repeating: "田中愛子", count: 200)
        #expect(
            Chunker(maxTokens: 100, overlapTokens: 10, countWordTokens: { $0.count }).chunks(cjk).allSatisfy {
                $0.filter { $0 != " " }.count <= 100
            })
    }
}
