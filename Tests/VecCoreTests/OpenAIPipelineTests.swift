import Foundation
import TestSupport
import Testing

@testable import VecCore

/// The OpenAI path end to end: the fixtures embedded through a compatible server on 127.0.0.1, stored with cost,
/// indexed (vector for 1536 dims, halfvec for 3072) and searched through the model's own HNSW index.
@Suite(.serialized) struct OpenAIPipelineTests {
    let connection: Connection

    init() throws {
        connection = try TestDatabase.fresh().connection
        _ = try ArtifactLoader(connection: connection).load(file: FixturePaths.file("artifacts.jsonl"))
    }

    private func embed(
        _ name: String, server: FakeEmbeddingsServer, key: String = "test",
        contentTypes: Set<ContentType> = [.full, .summary]
    ) throws -> EmbeddingPipeline.Summary {
        let model = try EmbeddingModelRegistry(connection: connection).resolve(name)
        let embedder = try EmbedderFactory.make(
            for: model, environment: ["OPENAI_BASE_URL": server.baseURL, "OPENAI_API_KEY": key])
        var options = EmbeddingPipeline.Options()
        options.contentTypes = contentTypes
        options.batchSize = 100
        return try EmbeddingPipeline(connection: connection, embedder: embedder, model: model).run(options)
    }

    /// Searches with EXPLAIN, seq scans and sorts off so the 252-row table still goes through the model's index.
    private func searchThroughIndex(
        _ text: String, model: String, server: FakeEmbeddingsServer
    ) throws -> SearchResponse {
        try connection.execute("SET enable_seqscan = off")
        try connection.execute("SET enable_sort = off")
        let engine = SearchEngine(
            connection: connection,
            makeEmbedder: {
                try EmbedderFactory.make(
                    for: $0, environment: ["OPENAI_BASE_URL": server.baseURL, "OPENAI_API_KEY": "test"])
            })
        var params = SearchParams()
        params.model = model
        params.explain = true
        return try engine.search(text: text, params: params)
    }

    /// Issue 15 #6: `search` was still waiting at 400 s on a server that accepts and never answers. The query
    /// deadline (VECSCOPE_QUERY_DEADLINE, default 30 s) now bounds it, and nothing is cached.
    @Test func aSearchWaitsNoLongerThanTheQueryDeadline() throws {
        let server = try FakeEmbeddingsServer(dimensions: 8)
        defer { server.stop() }
        server.script(.neverAnswers, .neverAnswers, .neverAnswers, .neverAnswers, .neverAnswers, .neverAnswers)
        let model = try EmbeddingModelRegistry(connection: connection).resolve("openai:fake-embed:8")
        let engine = SearchEngine(
            connection: connection,
            makeEmbedder: {
                try EmbedderFactory.make(
                    for: $0,
                    environment: [
                        "OPENAI_BASE_URL": server.baseURL, "OPENAI_API_KEY": "test", "VECSCOPE_QUERY_DEADLINE": "1.5",
                    ], purpose: .query)
            })
        var params = SearchParams()
        params.model = model.name
        let started = Date()
        let error = #expect(throws: EmbeddingProviderError.self) {
            try engine.search(text: "distributed tracing", params: params)
        }
        let seconds = Date().timeIntervalSince(started)
        #expect(seconds < 3.5, "waited \(seconds) s")
        #expect(
            error?.description.contains("by the 1.5 s deadline for a query") == true, "\(String(describing: error))")
        #expect(error?.fix?.contains("VECSCOPE_QUERY_DEADLINE") == true)
        #expect(try connection.query("SELECT count(*) FROM job_embeddings").scalar(Int.self) == 0)
    }

    @Test func smallModelEmbedsWithCostAndSearchesThroughItsOwnIndex() throws {
        let server = try FakeEmbeddingsServer(dimensions: 1536)
        defer { server.stop() }
        let summary = try embed("text-embedding-3-small", server: server)
        #expect(summary.embedded[.full] == 252 && summary.embedded[.summary] == 252)
        #expect(summary.totalTokens > 0)
        #expect(abs(summary.costUSD - Double(summary.totalTokens) * 0.02 / 1_000_000) < 1e-12)
        let row = try connection.query(
            """
            SELECT count(*), min(vector_dims(embedding_vector)), sum(processing_cost_usd)::float8
            FROM artifact_embeddings WHERE model_version = 'text-embedding-3-small'
            """
        ).row(0)
        #expect(try row.decode(0, as: Int.self) == 504)
        #expect(try row.decode(1, as: Int.self) == 1536)
        #expect(abs(try row.decode(2, as: Double.self) - summary.costUSD) < 1e-9)
        #expect(summary.createdIndexes == ["ae_hnsw_cosine_text_embedding_3_small"])

        let response = try searchThroughIndex(
            "payments platform engineer", model: "text-embedding-3-small", server: server)
        #expect(response.results.count == 10)
        #expect(response.info.indexName == "ae_hnsw_cosine_text_embedding_3_small")
        // Re-running embeds nothing: everything is current.
        #expect(try embed("text-embedding-3-small", server: server).embeddedCount == 0)
    }

    @Test func largeModelIsIndexedAsHalfvecAndLeavesOtherModelsInPlace() throws {
        let small = try FakeEmbeddingsServer(dimensions: 1536)
        defer { small.stop() }
        _ = try embed("text-embedding-3-small", server: small, contentTypes: [.full])
        let large = try FakeEmbeddingsServer(dimensions: 3072)
        defer { large.stop() }
        let summary = try embed("text-embedding-3-large", server: large, contentTypes: [.full])
        #expect(summary.embedded[.full] == 252)
        #expect(abs(summary.costUSD - Double(summary.totalTokens) * 0.13 / 1_000_000) < 1e-12)
        let definition = try connection.query(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ae_hnsw_cosine_text_embedding_3_large'"
        ).scalar(String.self)
        #expect(definition?.contains("halfvec(3072)") == true)
        #expect(definition?.contains("halfvec_cosine_ops") == true)
        // The other model's vectors and index are untouched by the migration to a new model.
        #expect(
            try connection.query(
                "SELECT count(*) FROM artifact_embeddings WHERE model_version = 'text-embedding-3-small'"
            ).scalar(Int.self) == 252)
        #expect(
            try connection.query(
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'ae_hnsw_cosine_text_embedding_3_small'"
            ).scalar(Int.self) == 1)

        let response = try searchThroughIndex(
            "embedded firmware robotics", model: "text-embedding-3-large", server: large)
        #expect(response.results.count == 10)
        #expect(response.info.indexName == "ae_hnsw_cosine_text_embedding_3_large")
        let statuses = try ModelStatus.all(connection: connection)
        #expect(
            statuses.first { $0.model.name == "text-embedding-3-large" }.map { ($0.fresh, $0.missing) } ?? (0, 0) == (
                252, 0
            ))
    }

    @Test func aBadKeyStopsTheRunAtOnceWithoutPrintingIt() throws {
        let server = try FakeEmbeddingsServer(dimensions: 1536)
        defer { server.stop() }
        server.script(.unauthorized)
        let error = #expect(throws: VecscopeError.self) {
            try embed("text-embedding-3-small", server: server, key: "sk-secret-123")
        }
        #expect(error?.description.contains("OPENAI_API_KEY is missing or invalid") == true)
        #expect(error?.description.contains("sk-secret-123") == false)
        #expect(try connection.query("SELECT count(*) FROM artifact_embeddings").scalar(Int.self) == 0)
    }

    @Test func compatibleServerModelsAreRegisteredFromTheirSpec() throws {
        let server = try FakeEmbeddingsServer(dimensions: 768)
        defer { server.stop() }
        let summary = try embed("openai:nomic-embed-text:768", server: server, contentTypes: [.summary])
        #expect(summary.embedded[.summary] == 252)
        let model = try EmbeddingModelRegistry(connection: connection).model(named: "openai:nomic-embed-text:768")
        #expect(model.dimensions == 768 && model.provider == .openai && model.storage == .vector)
        #expect(throws: VecscopeError.self) { try EmbeddingModelRegistry(connection: connection).resolve("openai:bad") }
    }
}
