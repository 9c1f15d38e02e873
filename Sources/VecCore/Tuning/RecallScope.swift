/// Which recall measures a ranking method's approximate part: the one rule the engine, the CLI and the TUI follow.
///
/// Only the semantic signal goes through an approximate (ANN) index, so recall is always "the ANN ids against the
/// exact top ids of the same semantic search"; the methods differ in which list of ids that is.
public enum RecallScope: String, Sendable, Equatable, Codable {
    /// Semantic search: the ranking is the ANN top k, measured against the exact top k.
    case annTopK
    /// Hybrid search: the semantic candidate list fused into the ranking, against the exact top of the same size.
    case semanticCandidates
    /// Keyword search: no vector index is involved, so there is nothing to measure.
    case notApplicable

    public init(method: RankingMethod) {
        switch method {
        case .semantic: self = .annTopK
        case .hybrid: self = .semanticCandidates
        case .keyword: self = .notApplicable
        }
    }

    public var isApplicable: Bool { self != .notApplicable }

    /// The ids a finished search's recall is measured on (nil when recall does not apply).
    public func measuredIDs(in response: SearchResponse) -> [Int]? {
        switch self {
        case .annTopK: return response.results.map(\.artifactID)
        case .semanticCandidates: return response.info.semanticCandidateIDs
        case .notApplicable: return nil
        }
    }

    /// How many exact ids the measured list is compared with: the limit, or more when the candidate list is longer.
    public func k(measuredIDs: [Int], params: SearchParams) -> Int {
        max(params.limit, measuredIDs.count)
    }

    /// "recall@10", "recall@10 (semantic candidates)".
    public func label(k: Int) -> String {
        self == .semanticCandidates ? "recall@\(k) (semantic candidates)" : "recall@\(k)"
    }

    /// "R@10", "semR@10": for a narrow column.
    public func shortLabel(k: Int) -> String {
        self == .semanticCandidates ? "semR@\(k)" : "R@\(k)"
    }
}

extension RankingMethod {
    /// The recall that applies to this method (`RecallScope`).
    public var recallScope: RecallScope { RecallScope(method: self) }
}

/// Recall of a shown ranking against exact search (same query, parameters and filters), by its method's rule.
public struct RecallMeasurement: Equatable, Sendable {
    public var scope: RecallScope
    public var k: Int
    /// 0…1.
    public var recall: Double
    /// How long the exact statement took, in ms, for comparison with the index scan.
    public var exactMs: Double?
    /// The exact top k artifact ids, best first: a shown row's exact rank is its position here (beyond k: unknown).
    public var exactIDs: [Int]
    /// The true neighbours (exact top k) the measured ranking does not hold, by exact rank.
    public var missed: [MissedNeighbour]

    public init(
        scope: RecallScope = .annTopK, k: Int, recall: Double, exactMs: Double? = nil, exactIDs: [Int] = [],
        missed: [MissedNeighbour] = []
    ) {
        self.scope = scope
        self.k = k
        self.recall = recall
        self.exactMs = exactMs
        self.exactIDs = exactIDs
        self.missed = missed
    }

    /// 1-based rank of an artifact in the exact answer, nil when it is not in the exact top k.
    public func exactRank(of artifactID: Int) -> Int? {
        exactIDs.firstIndex(of: artifactID).map { $0 + 1 }
    }

    /// "recall@10" or "recall@10 (semantic candidates)".
    public var label: String { scope.label(k: k) }
}

/// A true nearest neighbour the index did not return.
public struct MissedNeighbour: Equatable, Sendable {
    public var artifactID: Int
    /// 1-based rank in the exact answer.
    public var exactRank: Int
    public var externalID: String
    public var title: String

    public init(artifactID: Int, exactRank: Int, externalID: String, title: String) {
        self.artifactID = artifactID
        self.exactRank = exactRank
        self.externalID = externalID
        self.title = title
    }

}
