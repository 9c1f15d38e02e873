import Foundation

/// pgvector's three distance operators and what each means to a reader.
public enum DistanceMetric: String, CaseIterable, Sendable, Codable {
    case cosine
    case l2
    case innerProduct = "inner_product"

    /// The SQL operator; fixed strings only, never user text.
    public var sqlOperator: String {
        switch self {
        case .cosine: return "<=>"
        case .l2: return "<->"
        case .innerProduct: return "<#>"
        }
    }

    /// The operator class an index needs to serve this metric.
    public func operatorClass(storage: VectorStorage) -> String {
        let prefix = storage == .halfvec ? "halfvec" : "vector"
        switch self {
        case .cosine: return "\(prefix)_cosine_ops"
        case .l2: return "\(prefix)_l2_ops"
        case .innerProduct: return "\(prefix)_ip_ops"
        }
    }

    public var label: String {
        switch self {
        case .cosine: return "cosine"
        case .l2: return "L2"
        case .innerProduct: return "inner product"
        }
    }
}

/// How a model's vectors are indexed: `vector` up to 2,000 dimensions, `halfvec` up to 4,000.
public enum VectorStorage: String, Sendable, Codable { case vector, halfvec }

/// pgvector 0.8's iterative index scans, which keep scanning when filters remove too many rows.
public enum IterativeScan: String, CaseIterable, Sendable, Codable {
    case off
    case relaxedOrder = "relaxed_order"
    case strictOrder = "strict_order"
}

/// Which signal orders the results.
public enum RankingMethod: String, CaseIterable, Sendable, Codable { case semantic, keyword, hybrid }

/// How hybrid search combines the semantic and keyword rankings.
public enum HybridFusion: Sendable, Hashable, Codable {
    /// Reciprocal rank fusion: score = Σ 1 / (k + rank).
    case rrf(k: Int)
    /// alpha × semantic similarity + (1 − alpha) × keyword score.
    case weighted(alpha: Double)

    /// Chosen on Fixtures/judgments.tsv by leave-one-job-out (`vecscope tune fusion`; ARCHITECTURE.md §2): the
    /// weighted sum beat RRF on held-out jobs, and alpha 0.15 was best on all jobs.
    public static let `default` = HybridFusion.weighted(alpha: defaultAlpha)
    public static let defaultAlpha = 0.15
    public static let defaultRRFK = 60
}

/// Okapi BM25's knobs: term-frequency saturation (k1), length normalisation (b), and a weight per field that scales
/// the field's term frequencies and lengths (BM25F's simple form). All weights 1 is textbook BM25 over the whole text.
public struct BM25Parameters: Sendable, Hashable, Codable {
    public var k1: Double = 1.2
    public var b: Double = 0.75
    public var titleWeight: Double = 1
    public var skillsWeight: Double = 1
    public var descriptionWeight: Double = 1
    public var contentWeight: Double = 1
    /// Query terms kept, highest IDF first: a whole job description has a few hundred distinct terms.
    public var maxTerms: Int = 256
    /// Candidates come from the rarest terms until their document frequencies add up to this many postings; every
    /// candidate is still scored with every term. A whole job's common words match most of a large corpus, and
    /// scoring each of those rows dominated the statement; a document that has none of the rarer terms ranks low.
    public var candidatePostings: Int = 3_000

    public init() {}

    public init(k1: Double, b: Double) {
        self.k1 = k1
        self.b = b
    }

    func validate() throws {
        if !(0...10).contains(k1) || k1.isNaN {
            throw VecscopeError(what: "BM25 k1 \(k1) is out of range", fix: "Use 0…10; 1.2 is the usual value.")
        }
        if !(0...1).contains(b) || b.isNaN {
            throw VecscopeError(what: "BM25 b \(b) is out of range", fix: "Use 0…1; 0.75 is the usual value.")
        }
        let weights = [titleWeight, skillsWeight, descriptionWeight, contentWeight]
        if weights.contains(where: { !(0...100).contains($0) || $0.isNaN }) || weights.allSatisfy({ $0 == 0 }) {
            throw VecscopeError(
                what: "BM25 field weights \(weights) are out of range",
                fix: "Use 0…100 for each of title, skills, description and content, at least one above 0.")
        }
        if maxTerms < 1 {
            throw VecscopeError(what: "BM25 max terms \(maxTerms) is out of range", fix: "Use 1 or more.")
        }
        if candidatePostings < 1 {
            throw VecscopeError(
                what: "BM25 candidate postings \(candidatePostings) is out of range",
                fix: "Use 1 or more; 3000 is the default.")
        }
    }
}

/// Which stored texts are searched: the whole artifact, its title + description, or its chunks.
public enum ContentType: String, CaseIterable, Sendable, Codable { case full, summary, chunk }

/// Whose artifacts are searched.
public enum UserScope: Sendable, Hashable, Codable {
    case all
    /// One user, by external id (`u01`).
    case user(String)
}

/// Every knob of one search, validated before it reaches SQL.
public struct SearchParams: Sendable, Hashable, Codable {
    public var metric: DistanceMetric = .cosine
    public var limit: Int = 10
    /// Minimum cosine similarity (−1…1); nil keeps every row.
    public var similarityThreshold: Double? = nil
    public var efSearch: Int = 40
    public var probes: Int = 1
    public var iterativeScan: IterativeScan = .off
    public var maxScanTuples: Int = 20_000
    public var userScope: UserScope = .all
    /// Empty means every type.
    public var artifactTypes: [ArtifactType] = []
    public var contentTypes: [ContentType] = [.full]
    public var model: String = SearchParams.defaultModel
    public var method: RankingMethod = .semantic
    public var fusion: HybridFusion = .default
    public var bm25 = BM25Parameters()
    /// Report the plan: EXPLAIN without ANALYZE of the search statement, in its round trip, cached per knobs.
    public var explain: Bool = false
    /// Which scan answers the semantic signal: the planner's choice, one named vector index, or exact.
    public var plan: PlanChoice = .auto
    /// Through a binary-quantized (bit) index: candidates read by Hamming distance, as a multiple of the rows wanted,
    /// then ordered by the full-precision distance; nil is `defaultRerank`. Optional so parameters saved before it
    /// existed still load.
    public var rerank: Int? = nil

    public static let defaultModel = ModelCatalog.miniLM.name
    /// pgvector's README re-ranks 4 × the limit (LIMIT 20 for 5).
    public static let defaultRerank = 4

    /// The re-ranking depth in effect.
    public var rerankDepth: Int { rerank ?? Self.defaultRerank }

    public init() {}

    /// Throws a `VecscopeError` naming the parameter, its value and the allowed range.
    public func validate() throws {
        func fail(_ what: String, _ fix: String) throws -> Never {
            throw VecscopeError(what: what, fix: fix, kind: .invalidInput)
        }
        if !(1...1000).contains(efSearch) {
            try fail("ef_search \(efSearch) is out of range", "Use 1…1000 (pgvector's limit); 40 is its default.")
        }
        if !(1...32768).contains(probes) {
            try fail("probes \(probes) is out of range", "Use 1…32768 (pgvector's limit; at most the index's lists).")
        }
        if !(1...1000).contains(limit) { try fail("limit \(limit) is out of range", "Use 1…1000.") }
        if let threshold = similarityThreshold, !(-1...1).contains(threshold) || threshold.isNaN {
            try fail(
                "similarity threshold \(threshold) is out of range",
                "Use −1…1 (cosine similarity); 0.7 keeps close matches.")
        }
        if !(1...Int(Int32.max)).contains(maxScanTuples) {
            try fail(
                "max_scan_tuples \(maxScanTuples) is out of range", "Use 1…2147483647; pgvector's default is 20000.")
        }
        if contentTypes.isEmpty { try fail("no content type chosen", "Choose one or more of: full, summary, chunk.") }
        if case .weighted(let alpha) = fusion, !(0...1).contains(alpha) {
            try fail("hybrid alpha \(alpha) is out of range", "Use 0…1: 1 is pure semantic, 0 pure keyword.")
        }
        if case .rrf(let k) = fusion, k < 1 {
            try fail("RRF k \(k) is out of range", "Use 1 or more; 60 is the usual value.")
        }
        if let rerank, !(1...100).contains(rerank) {
            try fail(
                "rerank \(rerank) is out of range",
                "Use 1…100: candidates read through a bit index as a multiple of the limit (4 is the default).")
        }
        try bm25.validate()
        try plan.validate()
        if model.isEmpty { try fail("no model named", "Name a model from `vecscope models`.") }
        if case .user(let id) = userScope, id.isEmpty {
            try fail("empty user id", "Name a user's external id, e.g. u01, or search all users.")
        }
    }
}

extension ArtifactType {
    /// Parses a comma-separated list, naming the unknown entry and the allowed ones.
    public static func parseList(_ text: String) throws -> [ArtifactType] {
        try text.split(separator: ",").map { raw in
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard let type = ArtifactType(rawValue: name) else {
                throw VecscopeError(
                    what: "unknown artifact type \"\(name)\"",
                    fix: "Use one of: " + ArtifactType.allCases.map(\.rawValue).joined(separator: ", ") + ".",
                    kind: .invalidInput)
            }
            return type
        }
    }
}
