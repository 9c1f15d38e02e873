import Foundation

/// `vecscope tune threshold`: how cosine similarity separates relevant (grade ≥ 2) from other judged artifacts,
/// and which minimum similarity keeps the most of one while dropping the most of the other (best F1).
public struct ThresholdTuner {
    public struct Cutoff: Sendable, Equatable {
        public var threshold: Double
        public var precision: Double
        public var recall: Double
        public var f1: Double
        /// Judged artifacts at or above the threshold.
        public var kept: Int
    }

    public struct Result: Sendable, Equatable {
        /// Per grade 0…3: counts per similarity bin (`binStart` + i × `binWidth`).
        public var histogram: [Int: [Int]]
        public var binStart: Double
        public var binWidth: Double
        public var cutoffs: [Cutoff]
        public var recommended: Cutoff
        public var judged: Int
        public var relevant: Int
    }

    public let evaluator: Evaluator

    public init(evaluator: Evaluator) { self.evaluator = evaluator }

    public static let binWidth = 0.05

    public func tune(_ queries: [JudgedQuery], params: SearchParams) throws -> Result {
        let depth = Evaluator.depth(corpusSize: try evaluator.corpus().count)
        var pairs: [(similarity: Double, grade: Int)] = []
        for query in queries {
            let response = try evaluator.engine.rank(
                jobDescription: query.text, method: .semantic, topK: depth,
                params: Evaluator.params(params, for: query, depth: depth))
            let similarity = Dictionary(
                response.results.map { ($0.artifactID, $0.similarity) }, uniquingKeysWith: { first, _ in first })
            for (id, grade) in query.grades {
                if let value = similarity[id], value.isFinite { pairs.append((value, grade)) }
            }
        }
        guard !pairs.isEmpty, pairs.contains(where: { $0.grade >= RankingMetrics.relevantGrade }) else {
            throw VecscopeError(
                what: "no relevant judged artifact has a vector", why: "a threshold is learnt from grades ≥ 2",
                fix: "Grade some results 2 or 3, and embed the artifacts (`vecscope embed`).")
        }
        let low = (pairs.map(\.similarity).min() ?? 0)
        let high = (pairs.map(\.similarity).max() ?? 1)
        let start = (low / Self.binWidth).rounded(.down) * Self.binWidth
        let bins = max(1, Int(((high - start) / Self.binWidth).rounded(.down)) + 1)
        var histogram: [Int: [Int]] = [:]
        for grade in 0...3 { histogram[grade] = Array(repeating: 0, count: bins) }
        for pair in pairs {
            let bin = min(bins - 1, max(0, Int(((pair.similarity - start) / Self.binWidth).rounded(.down))))
            histogram[pair.grade]?[bin] += 1
        }
        let relevant = pairs.filter { $0.grade >= RankingMetrics.relevantGrade }.count
        var cutoffs: [Cutoff] = []
        for step in 0..<bins {
            let threshold = ((start + Double(step) * Self.binWidth) * 100).rounded() / 100
            let kept = pairs.filter { $0.similarity >= threshold }
            let hits = kept.filter { $0.grade >= RankingMetrics.relevantGrade }.count
            let precision = kept.isEmpty ? 0 : Double(hits) / Double(kept.count)
            let recall = Double(hits) / Double(relevant)
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            cutoffs.append(
                Cutoff(threshold: threshold, precision: precision, recall: recall, f1: f1, kept: kept.count))
        }
        // The highest F1; on a tie the lower threshold, which drops fewer relevant artifacts.
        let recommended = cutoffs.reduce(cutoffs[0]) { $1.f1 > $0.f1 + 1e-12 ? $1 : $0 }
        return Result(
            histogram: histogram, binStart: start, binWidth: Self.binWidth, cutoffs: cutoffs,
            recommended: recommended, judged: pairs.count, relevant: relevant)
    }
}
