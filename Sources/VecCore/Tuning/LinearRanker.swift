import Foundation

/// `vecscope tune ranker`: a linear ranker over the signals vecscope already computes, fitted to graded jobs by
/// coordinate ascent on nDCG@10 (as RankLib does) and judged by leave-one-job-out against the default fusion.
public struct LinearRanker: Sendable, Equatable, Codable {
    /// The signals, each scaled to 0…1 per job (BM25 by the job's best score, ranks as 1 / (60 + rank)).
    public enum Feature: String, CaseIterable, Sendable, Codable {
        case similarityFull = "similarity_full"
        case similaritySummary = "similarity_summary"
        case similarityChunk = "similarity_best_chunk"
        case bm25 = "bm25"
        case bm25Title = "bm25_title"
        case bm25Skills = "bm25_skills"
        case bm25Description = "bm25_description"
        case bm25Content = "bm25_content"
        case semanticRank = "semantic_rank"
        case keywordRank = "keyword_rank"
    }

    public var weights: [Feature: Double]
    /// Added per artifact type (a reviewer's preference for, say, work experience over talks).
    public var typeWeights: [ArtifactType: Double]

    /// The default fusion as a linear ranker: alpha × similarity + (1 − alpha) × BM25 / best.
    public static func fusion(alpha: Double) -> LinearRanker {
        LinearRanker(weights: [.similarityFull: alpha, .bm25: 1 - alpha], typeWeights: [:])
    }

    func score(_ features: [Feature: Double], type: ArtifactType) -> Double {
        weights.reduce(typeWeights[type] ?? 0) { $0 + $1.value * (features[$1.key] ?? 0) }
    }

    /// The judged job's artifacts best first (ties by id).
    func rank(_ job: FeatureTable.Job) -> [Int] {
        job.rows.map { (id: $0.artifactID, score: score($0.features, type: $0.type)) }
            .sorted { ($0.score, -$0.id) > ($1.score, -$1.id) }.map(\.id)
    }
}

/// Every artifact's features for each graded job, read once through the search engine.
public struct FeatureTable: Sendable {
    public struct Row: Sendable {
        public var artifactID: Int
        public var type: ArtifactType
        public var features: [LinearRanker.Feature: Double]
    }

    public struct Job: Sendable {
        public var query: JudgedQuery
        public var rows: [Row]
    }

    public var jobs: [Job]

    public static func read(
        _ queries: [JudgedQuery], evaluator: Evaluator, params base: SearchParams
    ) throws
        -> FeatureTable
    {
        let depth = Evaluator.depth(corpusSize: try evaluator.corpus().count)
        var jobs: [Job] = []
        for query in queries {
            var features: [Int: [LinearRanker.Feature: Double]] = [:]
            var types: [Int: ArtifactType] = [:]
            func run(_ method: RankingMethod, _ configure: (inout SearchParams) -> Void) throws -> [SearchResult] {
                var params = Evaluator.params(base, for: query, depth: depth)
                configure(&params)
                let results = try evaluator.engine.rank(
                    jobDescription: query.text, method: method, topK: depth, params: params
                ).results
                for result in results { types[result.artifactID] = result.type }
                return results
            }
            let semanticRuns: [(LinearRanker.Feature, ContentType)] = [
                (.similarityFull, .full), (.similaritySummary, .summary), (.similarityChunk, .chunk),
            ]
            for (feature, contentType) in semanticRuns {
                let results = try run(.semantic) { $0.contentTypes = [contentType] }
                for result in results where result.similarity.isFinite {
                    features[result.artifactID, default: [:]][feature] = max(0, result.similarity)
                }
                if contentType == .full {
                    for (index, result) in results.enumerated() {
                        features[result.artifactID, default: [:]][.semanticRank] = 60.0 / Double(60 + index + 1)
                    }
                }
            }
            let keywordRuns: [(LinearRanker.Feature, (inout BM25Parameters) -> Void)] = [
                (.bm25, { _ in }),
                (
                    .bm25Title,
                    {
                        $0.skillsWeight = 0; $0.descriptionWeight = 0; $0.contentWeight = 0
                    }
                ),
                (
                    .bm25Skills,
                    {
                        $0.titleWeight = 0; $0.descriptionWeight = 0; $0.contentWeight = 0
                    }
                ),
                (
                    .bm25Description,
                    {
                        $0.titleWeight = 0; $0.skillsWeight = 0; $0.contentWeight = 0
                    }
                ),
                (
                    .bm25Content,
                    {
                        $0.titleWeight = 0; $0.skillsWeight = 0; $0.descriptionWeight = 0
                    }
                ),
            ]
            for (feature, weights) in keywordRuns {
                let results = try run(.keyword) { weights(&$0.bm25) }
                let best = results.compactMap(\.keywordScore).max() ?? 0
                for (index, result) in results.enumerated() where best > 0 {
                    features[result.artifactID, default: [:]][feature] = (result.keywordScore ?? 0) / best
                    if feature == .bm25 {
                        features[result.artifactID, default: [:]][.keywordRank] = 60.0 / Double(60 + index + 1)
                    }
                }
            }
            let rows = features.keys.sorted().compactMap { id in
                types[id].map { Row(artifactID: id, type: $0, features: features[id] ?? [:]) }
            }
            jobs.append(Job(query: query, rows: rows))
        }
        return FeatureTable(jobs: jobs)
    }
}

/// Coordinate ascent on mean nDCG@10, starting from the default fusion.
public enum CoordinateAscent {
    static let steps = [-0.2, -0.1, -0.05, -0.02, 0.02, 0.05, 0.1, 0.2]

    static func objective(_ ranker: LinearRanker, _ jobs: [FeatureTable.Job]) -> Double {
        let values = jobs.map { RankingMetrics.ndcg(ranking: ranker.rank($0), grades: $0.query.grades, k: 10) }
        return values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    public static func fit(_ jobs: [FeatureTable.Job], start: LinearRanker, passes: Int = 4) -> LinearRanker {
        var best = start
        var bestScore = objective(best, jobs)
        for _ in 0..<passes {
            var improved = false
            for feature in LinearRanker.Feature.allCases {
                for step in steps {
                    var candidate = best
                    candidate.weights[feature] = (candidate.weights[feature] ?? 0) + step
                    let score = objective(candidate, jobs)
                    if score > bestScore + 1e-9 {
                        (best, bestScore, improved) = (candidate, score, true)
                    }
                }
            }
            for type in ArtifactType.allCases {
                for step in steps {
                    var candidate = best
                    candidate.typeWeights[type] = (candidate.typeWeights[type] ?? 0) + step
                    let score = objective(candidate, jobs)
                    if score > bestScore + 1e-9 {
                        (best, bestScore, improved) = (candidate, score, true)
                    }
                }
            }
            if !improved { break }
        }
        return best
    }
}

/// What `tune ranker` reports.
public struct RankerTuning: Sendable {
    /// Each job measured with the ranker fitted on the other jobs.
    public var learnedHeldOut: RankingQuality
    /// The default fusion (no fitting), on the same jobs.
    public var fusion: RankingQuality
    /// BM25 alone (the keyword method at its defaults), on the same jobs.
    public var bm25: RankingQuality
    /// Fitted on every job: what `--apply` would store.
    public var fittedOnAll: LinearRanker
    public var fittedOnAllInSample: RankingQuality
    public var jobs: Int

    /// Whether the learned ranker earned its place: better held-out nDCG@10 and pairwise than the fusion.
    public var beatsFusion: Bool {
        learnedHeldOut.ndcg10 > fusion.ndcg10 && learnedHeldOut.pairwise >= fusion.pairwise
    }

    public static func run(_ table: FeatureTable, alpha: Double) -> RankerTuning {
        let graded = table.jobs.filter(\.query.hasRelevant)
        let start = LinearRanker.fusion(alpha: alpha)
        func quality(_ ranker: LinearRanker, _ job: FeatureTable.Job) -> RankingQuality {
            RankingQuality(ranking: ranker.rank(job), grades: job.query.grades)
        }
        var heldOut: [RankingQuality] = []
        for index in graded.indices {
            let training = graded.enumerated().filter { $0.offset != index }.map(\.element)
            heldOut.append(quality(CoordinateAscent.fit(training, start: start), graded[index]))
        }
        let all = CoordinateAscent.fit(graded, start: start)
        let bm25 = LinearRanker(weights: [.bm25: 1], typeWeights: [:])
        let empty = RankingQuality(ranking: [], grades: [:])
        return RankerTuning(
            learnedHeldOut: RankingQuality.mean(heldOut) ?? empty,
            fusion: RankingQuality.mean(graded.map { quality(start, $0) }) ?? empty,
            bm25: RankingQuality.mean(graded.map { quality(bm25, $0) }) ?? empty,
            fittedOnAll: all, fittedOnAllInSample: RankingQuality.mean(graded.map { quality(all, $0) }) ?? empty,
            jobs: graded.count)
    }
}
