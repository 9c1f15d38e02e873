import Foundation
import TestSupport
import Testing

@testable import VecCore

/// Issue 19, deliver 1: `vecscope stats` counts what it reports — coverage, refused vectors, cache hits and misses,
/// the nearest-neighbour similarity of recent against older vectors, the worker's queue — from the database.
@Suite struct EmbeddingHealthTests {
    @Test func statsCountCoverageRefusalsCacheAndQueue() throws {
        let (connection, _) = try TestDatabase.freshWithFixtureArtifacts(40)
        let model = try EmbeddingModelRegistry(connection: connection).model(named: SearchParams.defaultModel)
        let embedder = FlakyEmbedder(try FixtureDatabase.model())
        embedder.zeroVectorOnBatches = [1]  // the first artifact's full text comes back all zeros: refused
        var options = EmbeddingPipeline.Options()
        options.contentTypes = [.full, .summary]
        options.batchSize = 8
        _ = try EmbeddingPipeline(connection: connection, embedder: embedder, model: model).run(options)

        let cache = QueryEmbeddingCache(connection: connection)
        for text in ["kubernetes operator", "kubernetes operator", "kubernetes operator", "rust compiler"] {
            _ = try cache.vector(for: text, model: model, embedder: { embedder })
        }
        let queue = EmbeddingQueue(connection: connection, model: model.name)
        try queue.follow()
        try connection.execute(
            "UPDATE artifacts SET title = title || ' (revised)' WHERE id IN (SELECT id FROM artifacts ORDER BY id DESC LIMIT 2)"
        )

        let report = try EmbeddingHealth(connection: connection).report()
        let health = try #require(report.models.first { $0.model == model.name })
        #expect(health.artifacts == 40)
        #expect(health.fresh == 37 && health.stale == 2 && health.missing == 1)
        #expect(health.coverage == 37.0 / 40.0)
        #expect(health.coverageStatus == .warn)  // 92.5 % is under the spec's 95 %
        #expect(health.refusedDocuments == 1 && health.refusedQueries == 0)
        #expect(health.cache.lookups == 4 && health.cache.hits == 2 && health.cache.misses == 2)
        #expect(health.cache.hitRate == 0.5 && health.cache.status == .warn)
        #expect(health.cache.top.first?.accessCount == 3)
        #expect(health.cache.top.first?.hash == SHA256.hex("kubernetes operator"))
        #expect(health.queue.followed && health.queue.pending == 2 && health.queue.failed == 0)
        #expect(health.growth.vectors == 79 && health.growth.writtenLastDay == 79)
        // 39 full vectors: the newest 19 against the other 20, each with a nearest neighbour.
        #expect(health.similarity.recent?.count == 19)
        #expect(health.similarity.older?.count == 20)
        let recent = try #require(health.similarity.recent)
        #expect(recent.p10 <= recent.p50 && recent.p50 <= recent.p90 && recent.p90 < 1)
        #expect(report.indexes.contains { $0.model == model.name && ($0.bytesPerVector ?? 0) > 0 })
        #expect(Set(report.tables.map(\.table)).isSuperset(of: ["artifact_embeddings", "job_embeddings"]))
    }

    @Test func collapsedRecentVectorsAreFlagged() throws {
        let (connection, _) = try TestDatabase.freshWithFixtureArtifacts(30)
        let model = try EmbeddingModelRegistry(connection: connection).model(named: SearchParams.defaultModel)
        var options = EmbeddingPipeline.Options()
        options.contentTypes = [.full]
        _ = try EmbeddingPipeline(connection: connection, embedder: try FixtureDatabase.model(), model: model)
            .run(options)
        let before = try EmbeddingHealth(connection: connection).similarityShift(model)
        #expect(!before.shifted, "\(before)")
        // A model gone wrong: the newest 15 vectors are all the same direction.
        try connection.execute(
            """
            UPDATE artifact_embeddings SET generated_at = now() + interval '1 hour',
                   embedding_vector = (SELECT embedding_vector FROM artifact_embeddings ORDER BY id LIMIT 1)
            WHERE id IN (SELECT id FROM artifact_embeddings ORDER BY id DESC LIMIT 15)
            """)
        let after = try EmbeddingHealth(connection: connection).similarityShift(model)
        #expect(after.shifted)
        #expect(after.recent?.p50 ?? 0 > 0.99)
        #expect(after.note?.contains("collapsed") == true)
    }

    @Test func aMovedMedianIsFlaggedAndAStableOneIsNot() {
        func distribution(_ p50: Double) -> StatsBody.SimilarityDistribution {
            .init(count: 50, mean: p50, p10: p50 - 0.1, p50: p50, p90: p50 + 0.1)
        }
        let drifted = EmbeddingHealth.shift(recent: distribution(0.45), older: distribution(0.62), threshold: 0.1)
        #expect(drifted.shifted && drifted.note?.contains("-0.170") == true)
        let stable = EmbeddingHealth.shift(recent: distribution(0.60), older: distribution(0.62), threshold: 0.1)
        #expect(!stable.shifted && stable.note == nil)
        #expect(!EmbeddingHealth.shift(recent: nil, older: nil, threshold: 0.1).shifted)
        #expect(EmbeddingHealth.status(0.95, atLeast: 0.95) == .ok)
        #expect(EmbeddingHealth.status(0.949, atLeast: 0.95) == .warn)
        #expect(EmbeddingHealth.status(nil, atLeast: 0.95) == .notApplicable)
    }
}
