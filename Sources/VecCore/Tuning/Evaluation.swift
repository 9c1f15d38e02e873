import Foundation

extension RankingMetrics {
    /// Share of the pairs of judged artifacts with different grades that the ranking orders correctly; a pair
    /// neither of which is ranked counts ½. Artifacts missing from the ranking rank below every listed one.
    /// nil when no such pair exists.
    public static func pairwiseAgreement(ranking: [Int], grades: [Int: Int]) -> Double? {
        var position: [Int: Int] = [:]
        for (index, id) in ranking.enumerated() where position[id] == nil { position[id] = index }
        let judged = grades.sorted { $0.key < $1.key }
        var agree = 0.0
        var pairs = 0
        for i in judged.indices {
            for j in judged.indices where j > i && judged[i].value != judged[j].value {
                let (better, worse) =
                    judged[i].value > judged[j].value ? (judged[i], judged[j]) : (judged[j], judged[i])
                let b = position[better.key] ?? Int.max
                let w = position[worse.key] ?? Int.max
                pairs += 1
                agree += b < w ? 1 : (b == w ? 0.5 : 0)
            }
        }
        return pairs == 0 ? nil : agree / Double(pairs)
    }
}

/// The five numbers `vecscope eval` reports for one ranking (or their mean over jobs).
public struct RankingQuality: Sendable, Equatable, Codable {
    public var ndcg5: Double
    public var ndcg10: Double
    public var precision5: Double
    public var reciprocalRank: Double
    public var pairwise: Double

    enum CodingKeys: String, CodingKey {
        case ndcg5 = "ndcg@5"
        case ndcg10 = "ndcg@10"
        case precision5 = "p@5"
        case reciprocalRank = "mrr"
        case pairwise
    }

    public init(ranking: [Int], grades: [Int: Int]) {
        ndcg5 = RankingMetrics.ndcg(ranking: ranking, grades: grades, k: 5)
        ndcg10 = RankingMetrics.ndcg(ranking: ranking, grades: grades, k: 10)
        precision5 = RankingMetrics.precision(ranking: ranking, grades: grades, k: 5)
        reciprocalRank = RankingMetrics.reciprocalRank(ranking: ranking, grades: grades)
        pairwise = RankingMetrics.pairwiseAgreement(ranking: ranking, grades: grades) ?? 0
    }

    init(ndcg5: Double, ndcg10: Double, precision5: Double, reciprocalRank: Double, pairwise: Double) {
        self.ndcg5 = ndcg5
        self.ndcg10 = ndcg10
        self.precision5 = precision5
        self.reciprocalRank = reciprocalRank
        self.pairwise = pairwise
    }

    /// The mean of each number; nil for no rankings.
    public static func mean(_ all: [RankingQuality]) -> RankingQuality? {
        guard !all.isEmpty else { return nil }
        let n = Double(all.count)
        func avg(_ key: KeyPath<RankingQuality, Double>) -> Double { all.map { $0[keyPath: key] }.reduce(0, +) / n }
        return RankingQuality(
            ndcg5: avg(\.ndcg5), ndcg10: avg(\.ndcg10), precision5: avg(\.precision5),
            reciprocalRank: avg(\.reciprocalRank), pairwise: avg(\.pairwise))
    }
}

/// One graded query: a job's text and the grades of artifacts (by row id) for it, optionally within one user.
public struct JudgedQuery: Sendable, Equatable {
    public var jobID: String
    public var text: String
    public var grades: [Int: Int]
    /// Set for `--per-user` queries: only this user's artifacts are ranked and graded.
    public var userExternalID: String?

    public init(jobID: String, text: String, grades: [Int: Int], userExternalID: String? = nil) {
        self.jobID = jobID
        self.text = text
        self.grades = grades
        self.userExternalID = userExternalID
    }

    /// Whether some artifact has grade ≥ 2: a query without one is listed but left out of the means.
    public var hasRelevant: Bool { grades.values.contains { $0 >= RankingMetrics.relevantGrade } }
}

/// What `vecscope eval` prints: per method, per job and mean.
public struct EvaluationReport: Sendable, Equatable, Codable {
    public struct Job: Sendable, Equatable, Codable {
        public var jobID: String
        public var user: String?
        public var quality: RankingQuality
        public var hasRelevant: Bool

        enum CodingKeys: String, CodingKey {
            case jobID = "job_id"
            case user
            case hasRelevant = "has_relevant"
        }

        public init(jobID: String, user: String?, quality: RankingQuality, hasRelevant: Bool) {
            self.jobID = jobID
            self.user = user
            self.quality = quality
            self.hasRelevant = hasRelevant
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            jobID = try container.decode(String.self, forKey: .jobID)
            user = try container.decodeIfPresent(String.self, forKey: .user)
            hasRelevant = try container.decode(Bool.self, forKey: .hasRelevant)
            quality = try RankingQuality(from: decoder)
        }

        /// The job's metrics sit beside job_id, as the JSON shape has them.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(jobID, forKey: .jobID)
            try container.encodeIfPresent(user, forKey: .user)
            try container.encode(hasRelevant, forKey: .hasRelevant)
            try quality.encode(to: encoder)
        }
    }

    public struct Method: Sendable, Equatable, Codable {
        /// "semantic", "keyword", "hybrid", or a baseline: "bm25", "tf-idf".
        public var name: String
        /// Mean over the jobs that have a relevant artifact; nil when none has.
        public var mean: RankingQuality?
        public var jobs: [Job]
        public var isBaseline: Bool

        enum CodingKeys: String, CodingKey {
            case name, mean, jobs
            case isBaseline = "baseline"
        }

        public init(name: String, jobs: [Job], isBaseline: Bool) {
            self.name = name
            self.jobs = jobs
            self.isBaseline = isBaseline
            mean = RankingQuality.mean(jobs.filter(\.hasRelevant).map(\.quality))
        }
    }

    public var methods: [Method]
    /// How many artifacts each ranking listed (the rest count as ranked below them).
    public var depth: Int

    public init(methods: [Method], depth: Int) {
        self.methods = methods
        self.depth = depth
    }
}
