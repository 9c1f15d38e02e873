import Foundation

/// One search measured against its exact answer (ARCHITECTURE.md §2, recall): recall@k and rows returned vs the limit.
public struct RecallReport: Sendable, Equatable {
    public var k: Int
    /// Artifact ids, best first, as the index answered and as exact search answered.
    public var approximateIDs: [Int]
    public var exactIDs: [Int]
    /// |ANN ∩ exact| / min(k, |exact|); 1 when the filters admit nothing.
    public var recall: Double
    public var rowsReturned: Int
    public var limit: Int
    /// The plan the ANN half used and the server's time for it (when `params.explain` was set).
    public var plan: String?
    public var indexName: String?
    public var serverExecutionMs: Double?
    /// Client wall time of the ANN half, in ms (embedding excluded).
    public var clientWallMs: Double

    /// Rows the index failed to return that exact search found (the filtered-HNSW shortfall).
    public var shortfall: Int { max(0, min(limit, exactIDs.count) - rowsReturned) }
}

public enum Recall {
    /// recall@k = |approximate[..k] ∩ exact[..k]| / min(k, |exact|); 1 when exact is empty (nothing to miss).
    public static func atK(approximate: [Int], exact: [Int], k: Int) -> Double {
        let truth = Set(exact.prefix(k))
        guard !truth.isEmpty, k > 0 else { return 1 }
        let hits = Set(approximate.prefix(k)).intersection(truth).count
        return Double(hits) / Double(truth.count)
    }
}

extension SearchEngine {
    /// Runs `query` under `params` and its exact counterpart in one transaction and compares them.
    /// - Parameter forceIndexScan: keep the planner on the vector index even where a seq scan would be cheaper.
    public func measureRecall(
        of query: Query, params: SearchParams, forceIndexScan: Bool = false
    ) throws -> RecallReport {
        let answer = try answerWithGroundTruth(query, params: params, forceIndexScan: forceIndexScan)
        let approximate = answer.ann.results.map(\.artifactID)
        let exact = answer.exact.results.map(\.artifactID)
        return RecallReport(
            k: params.limit, approximateIDs: approximate, exactIDs: exact,
            recall: Recall.atK(approximate: approximate, exact: exact, k: params.limit),
            rowsReturned: answer.ann.info.rowsReturned, limit: params.limit,
            plan: answer.ann.info.plan, indexName: answer.ann.info.indexName,
            serverExecutionMs: answer.ann.info.serverExecutionMs, clientWallMs: answer.annWallMs)
    }
}
