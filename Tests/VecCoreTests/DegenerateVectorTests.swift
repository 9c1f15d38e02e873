import Foundation
import TestSupport
import Testing

@testable import VecCore

/// Issue 15 #7: all-zero vectors were stored by `embed` (and counted fresh by `models`); an all-zero query vector
/// gave NaN distances and was cached, so the same text kept failing after the server was fixed.
@Suite struct DegenerateVectorTests {
    let connection: Connection
    let model: EmbeddingModel

    init() throws {
        connection = try TestDatabase.fresh().connection
        model = try EmbeddingModelRegistry(connection: connection).model(named: "all-MiniLM-L6-v2")
        let lines = try String(contentsOf: FixturePaths.file("artifacts.jsonl"), encoding: .utf8).split(separator: "\n")
        let file = try TestDatabase.scratchDirectory("degenerate").appendingPathComponent("slice.jsonl")
        try lines.prefix(6).joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        _ = try ArtifactLoader(connection: connection).load(file: file)
    }

    private func zeroVectors() throws -> Int {
        try connection.query(
            """
            SELECT (SELECT count(*) FROM artifact_embeddings WHERE vector_norm(embedding_vector) = 0)
                 + (SELECT count(*) FROM job_embeddings WHERE vector_norm(embedding_vector) = 0)
            """
        ).scalar(Int.self) ?? -1
    }

    @Test func theCheckNamesWhatIsWrong() {
        #expect(VectorCheck.problem([0.6, 0.8], dimensions: 2) == nil)
        #expect(VectorCheck.problem([0, 0], dimensions: 2) == "is all zeros, which has no direction to compare")
        #expect(VectorCheck.problem([1, .nan], dimensions: 2) == "has a non-finite value (nan) at dimension 1")
        #expect(VectorCheck.problem([1], dimensions: 2) == "has 1 dimensions, expected 2")
    }

    @Test func aZeroVectorFromTheEmbedderIsNeverStoredAndTheRestOfItsBatchIs() throws {
        let embedder = FlakyEmbedder(try FixtureDatabase.model())
        embedder.zeroVectorOnBatches = [1]
        let pipeline = try EmbeddingPipeline(connection: connection, embedder: embedder, model: model)
        var options = EmbeddingPipeline.Options()
        options.contentTypes = [.full]
        options.batchSize = 3
        let first = try pipeline.run(options)
        #expect(first.embedded[.full] == 5)
        #expect(first.failedItems == 1)
        #expect(first.failures.first?.contains("is all zeros") == true)
        #expect(first.failures.first?.contains("(full) \"") == true)  // names the input
        #expect(try zeroVectors() == 0)
        let status = try ModelStatus.of(model, connection: connection)
        #expect(status.fresh == 5 && status.missing == 1)
        // The next run embeds only the one that failed.
        embedder.zeroVectorOnBatches = []
        #expect(try pipeline.run(options).embedded[.full] == 1)
    }

    @Test func aZeroVectorStoredBeforeIsNotCountedFreshAndIsEmbeddedAgain() throws {
        var options = EmbeddingPipeline.Options()
        options.contentTypes = [.full]
        let pipeline = try EmbeddingPipeline(
            connection: connection, embedder: try FixtureDatabase.model(), model: model)
        _ = try pipeline.run(options)
        try connection.execute(
            """
            UPDATE artifact_embeddings SET embedding_vector = array_fill(0, ARRAY[384])::vector
            WHERE artifact_id = (SELECT min(artifact_id) FROM artifact_embeddings)
            """)
        let status = try ModelStatus.of(model, connection: connection)
        #expect(status.fresh == 5 && status.stale == 1)
        #expect(try pipeline.run(options).embedded[.full] == 1)
        #expect(try zeroVectors() == 0)
    }

    @Test func aZeroQueryVectorIsRefusedAndNotCachedSoTheSameTextWorksOnceTheServerIsFixed() throws {
        let broken = FlakyEmbedder(try FixtureDatabase.model())
        broken.zeroVectorOnBatches = [1]
        let cache = QueryEmbeddingCache(connection: connection)
        let error = #expect(throws: VecscopeError.self) {
            try cache.vector(for: "robotics firmware", model: model, embedder: { broken })
        }
        #expect(error?.what.hasSuffix("unusable vector for the query \"robotics firmware\"") == true)
        #expect(error?.why?.hasPrefix("it is all zeros") == true)
        #expect(try connection.query("SELECT count(*) FROM job_embeddings").scalar(Int.self) == 0)
        let fixed = try cache.vector(for: "robotics firmware", model: model, embedder: { broken })
        #expect(!fixed.cached && fixed.vector.contains { $0 != 0 })
        #expect(try cache.vector(for: "robotics firmware", model: model, embedder: { broken }).cached)
        // A zero vector cached by an older vecscope is a miss: embedded again and replaced.
        try connection.execute("UPDATE job_embeddings SET embedding_vector = array_fill(0, ARRAY[384])::vector")
        #expect(try cache.storedVector(for: "robotics firmware", model: model) == nil)
        let again = try cache.vector(for: "robotics firmware", model: model, embedder: { broken })
        #expect(!again.cached && again.vector == fixed.vector)
        #expect(try zeroVectors() == 0)
        // And a search through the engine never sees it.
        let engine = SearchEngine(connection: connection, makeEmbedder: { _ in broken })
        #expect(try engine.search(text: "robotics firmware", params: SearchParams()).info.embeddingCached == true)
    }
}
