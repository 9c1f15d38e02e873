import Foundation
import TestSupport
import Testing

@testable import VecCore

/// `vecscope eval`'s metrics on rankings worked out by hand, the Swift baselines, and the fixtures' quality bar.
struct EvaluationMetricTests {
    // Grades: 10 → 3, 11 → 2, 12 → 0, 13 → 1 (13 never ranked).
    let grades = [10: 3, 11: 2, 12: 0, 13: 1]

    @Test func pairwiseAgreementCountsPairsTiesAndMissingArtifacts() {
        // Pairs with different grades: (10,11) (10,12) (10,13) (11,12) (11,13) (12,13) = 6.
        // Ranking 11, 10, 12: (10,11) wrong; (10,12) right; (10,13) right (13 missing ranks below);
        // (11,12) right; (11,13) right; (12,13): 13 (grade 1) missing, 12 (grade 0) listed → wrong. 4 of 6.
        #expect(RankingMetrics.pairwiseAgreement(ranking: [11, 10, 12], grades: grades) == 4.0 / 6)
        // Nothing ranked: every pair is a tie of two missing artifacts, ½ each.
        #expect(RankingMetrics.pairwiseAgreement(ranking: [], grades: grades) == 0.5)
        #expect(RankingMetrics.pairwiseAgreement(ranking: [10, 11, 13, 12], grades: grades) == 1)
        #expect(RankingMetrics.pairwiseAgreement(ranking: [1], grades: [1: 2, 2: 2]) == nil, "no pair differs")
    }

    @Test func qualityOfAHandRanking() {
        let quality = RankingQuality(ranking: [12, 10, 99, 11], grades: grades)
        // DCG@5 = 0/1 + 7/log2(3) + 0/2 + 3/log2(5); ideal 7 + 3/log2(3) + 1/2.
        let dcg = 7 / log2(3.0) + 3 / log2(5.0)
        let ideal = 7 + 3 / log2(3.0) + 1.0 / 2
        #expect(abs(quality.ndcg5 - dcg / ideal) < 1e-12)
        #expect(abs(quality.ndcg10 - dcg / ideal) < 1e-12)
        #expect(quality.precision5 == 2.0 / 5, "10 and 11 have grade ≥ 2; a short ranking still divides by 5")
        #expect(quality.reciprocalRank == 0.5)
    }

    @Test func jobsWithoutARelevantArtifactAreListedButLeftOutOfTheMean() {
        let good = EvaluationReport.Job(
            jobID: "j1", user: nil, quality: RankingQuality(ranking: [10, 11], grades: grades), hasRelevant: true)
        let none = EvaluationReport.Job(
            jobID: "j2", user: nil, quality: RankingQuality(ranking: [12], grades: [12: 1]), hasRelevant: false)
        let method = EvaluationReport.Method(name: "hybrid", jobs: [good, none], isBaseline: false)
        #expect(method.jobs.count == 2)
        #expect(method.mean == good.quality)
        #expect(JudgedQuery(jobID: "j2", text: "x", grades: [12: 1]).hasRelevant == false)
    }

    @Test func reportPrintsTheIssuesJSONShape() throws {
        let job = EvaluationReport.Job(
            jobID: "j01", user: nil, quality: RankingQuality(ranking: [10], grades: grades), hasRelevant: true)
        let report = EvaluationReport(
            methods: [EvaluationReport.Method(name: "bm25", jobs: [job], isBaseline: true)], depth: 4)
        let object = try JSONSerialization.jsonObject(with: Data(try JSONText.encode(report).utf8)) as? [String: Any]
        let method = try #require((object?["methods"] as? [[String: Any]])?.first)
        #expect(method["name"] as? String == "bm25")
        let mean = try #require(method["mean"] as? [String: Double])
        #expect(Set(mean.keys) == ["ndcg@5", "ndcg@10", "p@5", "mrr", "pairwise"])
        let jobs = try #require(method["jobs"] as? [[String: Any]])
        #expect(jobs.first?["job_id"] as? String == "j01")
        #expect(abs((jobs.first?["ndcg@5"] as? Double ?? 0) - job.quality.ndcg5) < 1e-12)
    }

    @Test func baselineTokenizerDropsStopWordsAndNumbersAndFoldsPlurals() {
        #expect(
            TextBaselines.tokenize("The 3 Databases, 000 queries and C++ classes; PostgreSQL's replicas!")
                == ["database", "query", "c++", "class", "postgresql", "replica"])
    }

    @Test func swiftBM25MatchesAHandComputation() {
        let docs = [
            TextBaselines.document(
                artifactID: 1, userExternalID: "u", title: "postgres tuning", description: "", content: "postgres",
                skills: []),
            TextBaselines.document(
                artifactID: 2, userExternalID: "u", title: "kafka", description: "", content: "", skills: ["Kafka"]),
        ]
        let stats = TextBaselines.Statistics(docs)
        let ranked = TextBaselines.bm25(query: "postgres", documents: docs, statistics: stats)
        // N 2, df 1, avgdl 2.5; doc 1: tf 2, dl 3.
        let idf = log(1 + (2 - 1 + 0.5) / (1 + 0.5))
        let expected = idf * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 3 / 2.5))
        #expect(ranked.map(\.artifactID) == [1, 2])
        #expect(abs(ranked[0].score - expected) < 1e-12)
        #expect(ranked[1].score == 0)
        let tfidf = TextBaselines.tfidf(query: "kafka", documents: docs, statistics: stats)
        #expect(tfidf.first?.artifactID == 2 && abs((tfidf.first?.score ?? 0) - 1) < 1e-12, "only kafka: cosine 1")
    }

    @Test func weightedFusionDividesBM25ByTheBestCandidate() {
        let inputs = [
            FusionInput(artifactID: 1, semanticRank: 1, keywordRank: 2, similarity: 0.6, keywordScore: 5),
            FusionInput(artifactID: 2, semanticRank: 2, keywordRank: 1, similarity: 0.4, keywordScore: 10),
        ]
        let ordered = HybridFusion.weighted(alpha: 0.5).order(inputs)
        #expect(ordered.map(\.artifactID) == [2, 1])
        #expect(abs(ordered[0].score - (0.5 * 0.4 + 0.5 * 1)) < 1e-12)
        #expect(abs(ordered[1].score - (0.5 * 0.6 + 0.5 * 0.5)) < 1e-12)
        let rrf = HybridFusion.rrf(k: 60).order(inputs)
        #expect(rrf[0].score == rrf[1].score && rrf.map(\.artifactID) == [1, 2], "a tie goes to the higher similarity")
    }
}

/// The shipped ranking against the fixtures' grades, as `vecscope eval` measures it: fails if a change makes
/// hybrid lose to either of its signals or to the BM25 baseline.
@Suite(.serialized)
struct FixtureRankingQualityTests {
    @Test func hybridIsAtLeastAsGoodAsItsSignalsAndBM25() throws {
        let (engine, _) = try FixtureDatabase.engine()
        let evaluator = Evaluator(engine: engine)
        let tsv = try String(contentsOf: FixturePaths.file("judgments.tsv"), encoding: .utf8)
        let queries = try evaluator.queries(judgmentsTSV: tsv, jobs: try JobCatalog.load(from: FixturePaths.folder))
        #expect(queries.count == 8)
        let report = try evaluator.run(queries, methods: [.semantic, .keyword, .hybrid], params: SearchParams())
        func mean(_ name: String) throws -> RankingQuality {
            try #require(report.methods.first { $0.name == name }?.mean)
        }
        let (semantic, keyword, hybrid, bm25) = (
            try mean("semantic"), try mean("keyword"), try mean("hybrid"), try mean("bm25")
        )
        _ = try mean("tf-idf")
        #expect(hybrid.ndcg5 >= max(semantic.ndcg5, keyword.ndcg5, bm25.ndcg5), "\(report.methods.map(\.mean))")
        #expect(hybrid.pairwise >= max(semantic.pairwise, keyword.pairwise, bm25.pairwise))
        #expect(keyword.ndcg5 >= bm25.ndcg5 - 0.02, "BM25 in PostgreSQL is no worse than the Swift baseline")
    }

    @Test func tuningChoosesBetweenFamiliesOnHeldOutJobs() throws {
        let (engine, _) = try FixtureDatabase.engine()
        let evaluator = Evaluator(engine: engine)
        let tsv = try String(contentsOf: FixturePaths.file("judgments.tsv"), encoding: .utf8)
        let queries = try evaluator.queries(judgmentsTSV: tsv, jobs: try JobCatalog.load(from: FixturePaths.folder))
        let result = try FusionTuner(evaluator: evaluator).tune(queries, params: SearchParams())
        #expect(result.jobs == 8)
        #expect(result.heldOut.map(\.family) == ["rrf", "weighted", "either"])
        for family in result.heldOut { #expect(family.choices.count == 8) }
        // The shipped default is what tuning recommends on the fixtures.
        #expect(result.recommended.fusion == HybridFusion.default)
        #expect(result.recommended.k1 == BM25Parameters().k1 && result.recommended.b == BM25Parameters().b)
        // A stored recommendation round-trips through settings (on a database of its own: others share this one).
        let (scratch, _) = try TestDatabase.fresh()
        #expect(try RankingDefaults.stored(in: scratch) == nil)
        let defaults = RankingDefaults(fusion: .rrf(k: 7), k1: 0.9, b: 0.5)
        try defaults.store(in: scratch)
        #expect(try RankingDefaults.stored(in: scratch) == defaults)
    }

    @Test func thresholdTuningCountsEveryJudgedArtifactAndPicksTheBestF1() throws {
        let (engine, _) = try FixtureDatabase.engine()
        let evaluator = Evaluator(engine: engine)
        let tsv = try String(contentsOf: FixturePaths.file("judgments.tsv"), encoding: .utf8)
        let queries = try evaluator.queries(judgmentsTSV: tsv, jobs: try JobCatalog.load(from: FixturePaths.folder))
        let result = try ThresholdTuner(evaluator: evaluator).tune(queries, params: SearchParams())
        #expect(result.judged == 420, "every fixture grade has a vector")
        #expect(result.histogram.values.flatMap { $0 }.reduce(0, +) == 420)
        #expect(result.relevant == queries.flatMap { $0.grades.values }.filter { $0 >= 2 }.count)
        #expect(result.cutoffs.first?.recall == 1, "the lowest cut-off keeps everything")
        for cutoff in result.cutoffs where cutoff.precision + cutoff.recall > 0 {
            let f1 = 2 * cutoff.precision * cutoff.recall / (cutoff.precision + cutoff.recall)
            #expect(abs(cutoff.f1 - f1) < 1e-12)
        }
        #expect(result.cutoffs.allSatisfy { $0.f1 <= result.recommended.f1 })
        #expect((0.2...0.6).contains(result.recommended.threshold), "MiniLM's related texts score 0.3–0.7")
    }

    @Test func learnedRankerIsFittedFromTheFusionAndJudgedHeldOut() throws {
        let (engine, _) = try FixtureDatabase.engine()
        let evaluator = Evaluator(engine: engine)
        let tsv = try String(contentsOf: FixturePaths.file("judgments.tsv"), encoding: .utf8)
        let queries = try evaluator.queries(judgmentsTSV: tsv, jobs: try JobCatalog.load(from: FixturePaths.folder))
        let table = try FeatureTable.read(queries, evaluator: evaluator, params: SearchParams())
        #expect(table.jobs.count == 8)
        #expect(table.jobs.allSatisfy { $0.rows.count == 252 }, "every artifact has features for every job")
        // The fusion written as a linear ranker orders as the search path's hybrid ranking does.
        let hybrid = try evaluator.run(queries, methods: [.hybrid], params: SearchParams())
        let fusion = LinearRanker.fusion(alpha: HybridFusion.defaultAlpha)
        let asRanker = RankingQuality.mean(
            table.jobs.map { RankingQuality(ranking: fusion.rank($0), grades: $0.query.grades) })
        #expect(abs((asRanker?.ndcg5 ?? 0) - (hybrid.methods[0].mean?.ndcg5 ?? 1)) < 0.01)
        // Coordinate ascent never ends below where it started, on the jobs it was fitted to.
        let fitted = CoordinateAscent.fit(table.jobs, start: fusion)
        #expect(CoordinateAscent.objective(fitted, table.jobs) >= CoordinateAscent.objective(fusion, table.jobs))
        let result = RankerTuning.run(table, alpha: HybridFusion.defaultAlpha)
        #expect(result.jobs == 8)
        #expect(result.fittedOnAllInSample.ndcg10 >= result.fusion.ndcg10)
        #expect(
            result.beatsFusion
                == (result.learnedHeldOut.ndcg10 > result.fusion.ndcg10
                    && result.learnedHeldOut.pairwise >= result.fusion.pairwise))
    }
}

@Suite struct RankBiasedOverlapTests {
    @Test func identicalListsScoreOneDisjointZeroAndOrderCountsAtTheTop() {
        #expect(abs(RankingMetrics.rankBiasedOverlap([1, 2, 3], [1, 2, 3], depth: 3) - 1) < 1e-12)
        #expect(RankingMetrics.rankBiasedOverlap([1, 2, 3], [4, 5, 6], depth: 3) == 0)
        // Depth 2, p 0.9: A₁ = 0, A₂ = 2 → (1 − 0.9)(0 + 0.9 · 2/2) + 0.9² · 2/2 = 0.09 + 0.81.
        #expect(abs(RankingMetrics.rankBiasedOverlap([1, 2], [2, 1], depth: 2) - 0.90) < 1e-12)
        let swappedTop = RankingMetrics.rankBiasedOverlap(Array(1...10), [2, 1] + Array(3...10), depth: 10)
        let swappedBottom = RankingMetrics.rankBiasedOverlap(Array(1...10), Array(1...8) + [10, 9], depth: 10)
        #expect(swappedTop < swappedBottom && swappedBottom < 1)
    }
}
