import Foundation

@testable import VecCore
@testable import VecTUI

/// Builders for search results and states, so each test reads as the situation it sets up.
enum Fixture {
    static let titles = [
        "Kubernetes operator for Postgres failover", "Vector search at scale with pgvector",
        "Staff engineer, payments platform", "CKA: Certified Kubernetes Administrator",
        "Talk: tuning HNSW in production", "MSc Computer Science", "Open-source Swift HTTP server",
        "Best paper award, SIGIR", "Streaming ETL with Kafka", "田中さんの検索エンジン",
        "Terraform modules for EKS", "Rust SIMD distance kernels",
    ]

    static func result(
        id: Int, rank: Int, similarity: Double = 0.8, title: String? = nil,
        type: ArtifactType = .project, owner: String = "u01", keyword: Double? = nil,
        content: String = "Built a Kubernetes operator in Go that fails Postgres over in seconds.",
        terms: [String] = ["kubernet", "postgr"]
    ) -> SearchResult {
        let distance = 1 - similarity
        return SearchResult(
            artifactID: id, externalID: "a\(id)", userExternalID: owner, userName: "Ada Lovelace",
            title: title ?? titles[(id - 1) % titles.count], type: type,
            description: "A short description of artifact \(id).", content: content,
            rank: rank, cosineDistance: distance, similarity: similarity, l2Distance: (2 * distance).squareRoot(),
            innerProduct: similarity, keywordScore: keyword, relevanceScore: similarity,
            semanticRank: rank, keywordRank: keyword == nil ? nil : rank, matchedContentType: .full,
            bestChunk: "The operator watches Postgres pods and promotes a replica.", matchedTerms: terms,
            explanation: Explanation(
                band: "highly relevant", summary: "Close in meaning to the query.",
                details: ["cosine similarity 0.80 (band ≥ 0.70)", "matched 2 of 5 query terms"]))
    }

    /// A response with results for the given ids, best first.
    static func response(
        ids: [Int], params: SearchParams = AppState.defaultParams, limit: Int? = nil,
        plan: String? = "Index Scan using artifact_embeddings_minilm_hnsw",
        index: String? = "artifact_embeddings_minilm_hnsw"
    ) -> SearchResponse {
        let results = ids.enumerated().map { offset, id in
            result(id: id, rank: offset + 1, similarity: 0.9 - Double(offset) * 0.05)
        }
        let info = QueryInfo(
            method: params.method, totalCandidates: 40, rowsReturned: results.count,
            limit: limit ?? params.limit, plan: plan, indexName: index, serverExecutionMs: 1.25,
            clientWallMs: 14.2, embeddingMs: 3.1, embeddingCached: false, parameters: params)
        return SearchResponse(results: results, info: info)
    }

    /// A state at `size` with a query typed, searched and answered with `ids`.
    static func searched(
        ids: [Int] = Array(1...10), size: Size = Size(width: 80, height: 24),
        query: String = "Senior platform engineer, Kubernetes and Postgres"
    ) -> AppState {
        var state = AppState(size: size, connectionTarget: "localhost:5432/vecscope")
        state.database = .connected
        _ = reduce(&state, .tick(now: 10))
        _ = reduce(&state, .paste(query))
        let effects = reduce(&state, .key(.ctrl("r")))
        guard case .runSearch(.a, let generation, _, _)? = effects.first else { return state }
        _ = reduce(&state, .searchFinished(.a, generation: generation, .success(response(ids: ids))))
        _ = reduce(&state, .judgmentsLoaded(queryText: state.sideA.results.queryText, .success([:])))
        return state
    }
}

extension CellGrid {
    /// Rows with trailing spaces removed.
    var trimmedLines: [String] {
        lines().map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
    }

    /// True when some row contains `text`.
    func contains(_ text: String) -> Bool { lines().contains { $0.contains(text) } }

    /// The first row containing `text`.
    func row(containing text: String) -> String? { lines().first { $0.contains(text) } }
}

/// Pumps the runtime's loop without a terminal until `done` holds or `seconds` pass; true when it held.
func pump(_ runtime: TUIRuntime, seconds: Double = 3, until done: (AppState) -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        runtime.pump()
        if done(runtime.currentState) { return true }
        usleep(5_000)
    }
    return false
}

/// Feeds keys to the reducer one by one and collects every effect.
@discardableResult
func press(_ state: inout AppState, _ keys: Key...) -> [Effect] {
    keys.flatMap { reduce(&state, .key($0)) }
}

/// Sends each character of `text` as a key, wherever the focus is (a test of focus must not enter the editor first).
func typeKeys(_ state: inout AppState, _ text: String) {
    for character in text { _ = reduce(&state, .key(.char(character))) }
}
