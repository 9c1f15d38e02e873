import Foundation

/// One ranked artifact with every score a reviewer may want to check.
public struct SearchResult: Sendable, Equatable {
    public var artifactID: Int
    public var externalID: String
    public var userExternalID: String
    public var userName: String?
    public var title: String
    public var type: ArtifactType
    public var description: String
    public var content: String

    /// 1-based position in this ranking.
    public var rank: Int
    /// Cosine distance (`<=>`), 0…2.
    public var cosineDistance: Double
    /// 1 − cosine distance.
    public var similarity: Double
    /// Euclidean distance (`<->`).
    public var l2Distance: Double
    /// Inner product as a positive number (pgvector's `<#>` is its negative).
    public var innerProduct: Double
    /// Okapi BM25 score (unbounded; 0 when no query term occurs); nil when not computed.
    public var keywordScore: Double?
    /// The score the ranking is ordered by (similarity, keyword score, or the fused score).
    public var relevanceScore: Double
    /// Rank under each signal alone (nil: not in that signal's candidates).
    public var semanticRank: Int?
    public var keywordRank: Int?
    /// Which stored text matched best (full, summary, or a chunk), and the chunk's text.
    public var matchedContentType: ContentType
    public var bestChunk: String?
    /// Query terms the artifact contains, as the query spelled them, largest BM25 contribution first.
    public var matchedTerms: [String]
    public var explanation: Explanation
    /// Each matched term's share of the BM25 score, largest first (they add up to `keywordScore`).
    public var keywordTerms: [KeywordTerm] = []

    /// The distance under the metric that ordered the search.
    public func distance(for metric: DistanceMetric) -> Double {
        switch metric {
        case .cosine: return cosineDistance
        case .l2: return l2Distance
        case .innerProduct: return -innerProduct
        }
    }
}

/// Why an artifact scored as it did, in words a reviewer can verify against the numbers.
public struct Explanation: Sendable, Equatable {
    /// "highly relevant", "relevant", "somewhat relevant", "limited relevance".
    public var band: String
    public var summary: String
    /// One line per signal and per observation.
    public var details: [String]

    public var text: String { ([summary] + details).joined(separator: " ") }
}

/// What happened while answering a search: the plan, the timings, the parameters in force.
public struct QueryInfo: Sendable, Equatable {
    public var method: RankingMethod
    /// Rows that passed the filters before the limit (the candidates considered).
    public var totalCandidates: Int
    public var rowsReturned: Int
    public var limit: Int
    /// "Index Scan using … " or "Seq Scan", from EXPLAIN when asked for.
    public var plan: String?
    /// The vector index used, when the plan used one.
    public var indexName: String?
    /// The server's time for the statement that produced these results (its start to its last row), in ms; nil
    /// when it returned no rows.
    public var serverExecutionMs: Double?
    /// When `plan` was read: plans are cached per statement shape and knob values, so it may predate this search.
    public var planMeasuredAt: Date?
    /// How old the plan was when this search finished, in seconds (for a front end without a wall clock).
    public var planAgeSeconds: Double?
    /// Wall time on the client for the whole search (embedding included), in ms.
    public var clientWallMs: Double
    /// Time spent embedding the query, in ms (0 on a cache hit).
    public var embeddingMs: Double
    public var embeddingCached: Bool
    public var parameters: SearchParams
    /// The server that answered (`--read-from`).
    public var servedBy: ServerRole = .primary
    /// True when the query was embedded on a standby and so not stored in the job-embedding cache (a standby cannot
    /// write; the next search on the primary embeds and stores it).
    public var embeddingCacheSkipped = false
    /// The semantic signal's candidates (artifact ids, best first) as the index returned them: for hybrid search
    /// the list fused into the ranking, whose recall is the one measured (`RecallScope.semanticCandidates`).
    public var semanticCandidateIDs: [Int] = []
}

/// Results plus how they were obtained.
public struct SearchResponse: Sendable, Equatable {
    public var results: [SearchResult]
    public var info: QueryInfo
}
