import Foundation
import TestSupport
import Testing

@testable import VecCore

/// The recall rule (`RecallScope`) and the IDs-only exact statement that serves it, on the embedded fixtures.
@Suite struct RecallScopeTests {
    let engine: SearchEngine
    let connection: Connection

    init() throws {
        (engine, connection) = try FixtureDatabase.engine()
    }

    @Test func eachMethodHasOneRecallScope() {
        #expect(RankingMethod.semantic.recallScope == .annTopK)
        #expect(RankingMethod.hybrid.recallScope == .semanticCandidates)
        #expect(RankingMethod.keyword.recallScope == .notApplicable)
        #expect(RecallScope.semanticCandidates.label(k: 10) == "recall@10 (semantic candidates)")
        #expect(RecallScope.annTopK.label(k: 10) == "recall@10")
    }

    @Test func idsOnlyExactQueryReturnsTheIdsOfTheFullExactSearch() throws {
        let text = "Kubernetes platform engineering with Terraform on AWS"
        var variants: [SearchParams] = []
        variants.append(SearchParams())
        var scoped = SearchParams()
        scoped.userScope = .user("u08")
        variants.append(scoped)
        var typed = SearchParams()
        typed.artifactTypes = [.certification, .project]
        typed.contentTypes = [.full, .summary]
        variants.append(typed)
        var close = SearchParams()
        close.similarityThreshold = 0.2
        close.metric = .l2
        variants.append(close)
        let model = try engine.model(named: SearchParams.defaultModel)
        let vector = try engine.queryVector(.text(text), model: model).vector
        for params in variants {
            let old = try engine.answerWithGroundTruth(.text(text), params: params).exact.results.map(\.artifactID)
            let ids = try engine.exactTopIDs(vector: vector, params: params, k: params.limit)
            #expect(ids == old, "\(params)")
        }
    }

    @Test func hybridRecallIsThatOfItsSemanticCandidates() throws {
        var params = SearchParams()
        params.method = .hybrid
        let text = "search relevance and learning to rank"
        let response = try engine.search(text: text, params: params)
        let candidates = try #require(params.method.recallScope.measuredIDs(in: response))
        #expect(!candidates.isEmpty)
        #expect(candidates.count <= params.limit)
        let measured = try engine.measureRecall(ofSearchFor: text, params: params, measuredIDs: candidates)
        #expect(measured.scope == .semanticCandidates)
        #expect(measured.k == params.limit)
        // The fixture table is small enough for a sequential scan: the candidates are the exact top.
        #expect(measured.recall == 1)
        #expect(measured.label == "recall@10 (semantic candidates)")
    }

    @Test func semanticRecallIsThatOfTheRanking() throws {
        let params = SearchParams()
        let text = "clinical trial statistics and epidemiology in R"
        let response = try engine.search(text: text, params: params)
        let ids = try #require(params.method.recallScope.measuredIDs(in: response))
        #expect(ids == response.results.map(\.artifactID))
        let measured = try engine.measureRecall(ofSearchFor: text, params: params, measuredIDs: Array(ids.prefix(5)))
        #expect(measured.scope == .annTopK)
        #expect(measured.recall == 0.5)
    }

    @Test func keywordRecallIsRefused() throws {
        var params = SearchParams()
        params.method = .keyword
        #expect(params.method.recallScope.measuredIDs(in: try engine.search(text: "kubernetes", params: params)) == nil)
        #expect(throws: VecscopeError.self) {
            try engine.measureRecall(ofSearchFor: "kubernetes", params: params, measuredIDs: [1])
        }
    }

    @Test func measuringRecallDoesNotWriteTheQueryEmbeddingCache() throws {
        let text = "distributed tracing for payment services \(UUID().uuidString)"
        let params = SearchParams()
        let response = try engine.search(text: text, params: params)
        let before = try cacheRows(for: text)
        #expect(before.count == 1)
        _ = try engine.measureRecall(ofSearchFor: text, params: params, measuredIDs: response.results.map(\.artifactID))
        #expect(try cacheRows(for: text) == before)

        let neverSearched = "never searched \(UUID().uuidString)"
        #expect(throws: VecscopeError.self) {
            try engine.measureRecall(ofSearchFor: neverSearched, params: params, measuredIDs: [1])
        }
        #expect(try cacheRows(for: neverSearched).isEmpty)
    }

    /// The cache rows for a text: access count and last access, as text so a change of either shows.
    private func cacheRows(for text: String) throws -> [String] {
        try connection.query(
            """
            SELECT access_count::text || ' ' || last_accessed_at::text FROM job_embeddings
            WHERE job_description_hash = \(SHA256.hex(text))
            """
        ).rows.map { try $0.decode(0, as: String.self) }
    }
}
