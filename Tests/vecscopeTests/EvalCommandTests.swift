import Foundation
import TestSupport
import Testing
import VecCore

/// `vecscope eval` and `vecscope tune fusion` as a user runs them, and the stored ranking defaults they lead to.
@Suite struct EvalCommandTests {
    let cli = CommandLineTests()

    /// Issue 18, item 4: `tune index` also ranks the judged jobs through the index, and a value whose nDCG@10 falls
    /// below exact search's is passed over for a larger one.
    @Test func tuneIndexKeepsTheJudgedJobsNDCGAtLeastAtExactSearchs() throws {
        let url = try FixtureDatabase.connectionURL()
        let tuned = try cli.json(
            try cli.vecscope(
                [
                    "tune", "index", "--target-recall", "0.9", "--queries", "30", "--judgments",
                    "Fixtures/judgments.tsv",
                    "--json",
                ], databaseURL: url))
        let judged = try #require(tuned["judged"] as? [String: Any])
        let exact = try #require(judged["exact_ndcg"] as? Double)
        #expect(judged["jobs"] as? Int == 8 && judged["k"] as? Int == 10)
        // The bar, computed here from exact search's semantic rankings of the same jobs.
        let (engine, _) = try FixtureDatabase.engine()
        let tsv = try String(contentsOf: FixturePaths.file("judgments.tsv"), encoding: .utf8)
        let queries = try Evaluator(engine: engine).queries(
            judgmentsTSV: tsv, jobs: try JobCatalog.load(from: FixturePaths.folder)
        ).filter(\.hasRelevant)
        var params = SearchParams()
        params.plan = .exact
        let expected =
            try queries.map { query in
                let ranking = try engine.rank(jobDescription: query.text, method: .semantic, topK: 10, params: params)
                return RankingMetrics.ndcg(ranking: ranking.results.map(\.artifactID), grades: query.grades, k: 10)
            }.reduce(0, +) / Double(queries.count)
        #expect(abs(exact - expected) < 1e-9)
        let rows = try #require(tuned["rows"] as? [[String: Any]])
        let chosen = try #require(tuned["chosen"] as? [String: Any])
        let last = try #require(rows.last)
        #expect(last["ef_search"] as? Int == chosen["value"] as? Int)
        #expect((last["ndcg"] as? Double ?? 0) >= exact - 1e-9 && chosen["ndcg"] as? Double == last["ndcg"] as? Double)
        #expect(chosen["exact_ndcg"] as? Double == exact)
        // Every smaller value either missed recall (no nDCG measured) or ranked the judged jobs worse.
        for row in rows.dropLast() {
            if let ndcg = row["ndcg"] as? Double {
                #expect((row["recall_mean"] as? Double ?? 0) >= 0.9 && ndcg < exact - 1e-9)
            } else {
                #expect((row["recall_mean"] as? Double ?? 1) < 0.9)
            }
        }
        let table = try cli.vecscope(
            ["tune", "index", "--target-recall", "0.9", "--queries", "10", "--judgments", "Fixtures/judgments.tsv"],
            databaseURL: url)
        #expect(table.stdout.contains("nDCG@10") && table.stdout.contains("judged jobs: 8 (semantic)"), "\(table)")
        #expect(table.stdout.contains("judged nDCG@10"))
    }

    @Test func evalPrintsEveryMethodBesideTheBaselines() throws {
        let url = try FixtureDatabase.connectionURL()
        let object = try cli.json(
            try cli.vecscope(
                ["eval", "--judgments", "Fixtures/judgments.tsv", "--format", "json"], databaseURL: url))
        let methods = try #require(object["methods"] as? [[String: Any]])
        #expect(methods.map { $0["name"] as? String } == ["semantic", "keyword", "hybrid", "bm25", "tf-idf"])
        for method in methods {
            let mean = try #require(method["mean"] as? [String: Double])
            #expect(Set(mean.keys) == ["ndcg@5", "ndcg@10", "p@5", "mrr", "pairwise"])
            #expect(mean.values.allSatisfy { (0...1).contains($0) })
            let jobs = try #require(method["jobs"] as? [[String: Any]])
            #expect(
                jobs.compactMap { $0["job_id"] as? String } == ["j01", "j02", "j03", "j04", "j13", "j14", "j15", "j16"])
        }
        let table = try cli.vecscope(["eval", "--judgments", "Fixtures/judgments.tsv"], databaseURL: url)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("bm25 (baseline)") && table.stdout.contains("tf-idf (baseline)"))
        #expect(table.stdout.contains("Mean over 8 graded jobs"))
        #expect(table.stdout.contains("nDCG@5 per job:"))
    }

    @Test func evalPerUserRanksEachUsersArtifactsOnTheirOwn() throws {
        let url = try FixtureDatabase.connectionURL()
        let run = try cli.vecscope(
            ["eval", "--judgments", "Fixtures/judgments.tsv", "--per-user", "--methods", "keyword", "--format", "csv"],
            databaseURL: url)
        #expect(run.status == 0, "\(run.stderr)")
        let rows = run.stdout.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        let perUser = rows.filter { $0[1] != "mean" }
        #expect(perUser.count > 8, "several users per job")
        #expect(perUser.allSatisfy { $0[2].hasPrefix("u") }, "each row names its user")
        #expect(Set(rows.map { String($0[0]) }) == ["keyword", "bm25", "tf-idf"])
    }

    @Test func evalWithoutGradesSaysWhatToDo() throws {
        let (_, url) = try TestDatabase.fresh()
        let run = try cli.vecscope(["eval"], databaseURL: url)
        #expect(run.status != 0)
        #expect(run.stderr.contains("no graded jobs") && run.stderr.contains("--judgments Fixtures/judgments.tsv"))
    }

    @Test func tuneFusionPrintsHeldOutNumbersAndARecommendation() throws {
        let url = try FixtureDatabase.connectionURL()
        let run = try cli.vecscope(["tune", "fusion", "--judgments", "Fixtures/judgments.tsv"], databaseURL: url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Leave-one-job-out"))
        #expect(run.stdout.contains("hybrid, rrf") && run.stdout.contains("hybrid, weighted"))
        #expect(run.stdout.contains("recommended: weighted alpha 0.15, BM25 k1 1.20 b 0.75"))
    }

    /// `tune fusion --apply` stores the defaults; search, rank and eval use them unless a flag says otherwise.
    @Test func storedDefaultsApplyUnderAnyFlag() throws {
        let (connection, url) = try TestDatabase.fresh()
        #expect(try cli.vecscope(["load", "Fixtures/artifacts.jsonl"], databaseURL: url).status == 0)
        try RankingDefaults(fusion: .rrf(k: 7), k1: 0.9, b: 0.5).store(in: connection)
        func parameters(_ extra: [String]) throws -> [String: Any] {
            let object = try cli.json(
                try cli.vecscope(["search", "--json", "--method", "keyword"] + extra + ["postgres"], databaseURL: url))
            let info = try #require(object["query_info"] as? [String: Any])
            return try #require(info["parameters"] as? [String: Any])
        }
        let stored = try parameters([])
        #expect((stored["fusion"] as? [String: Any])?["k"] as? Int == 7)
        #expect((stored["bm25"] as? [String: Any])?["k1"] as? Double == 0.9)
        #expect((stored["bm25"] as? [String: Any])?["b"] as? Double == 0.5)
        let flagged = try parameters(["--alpha", "0.3", "--bm25-b", "0.6"])
        #expect((flagged["fusion"] as? [String: Any])?["type"] as? String == "weighted")
        #expect((flagged["fusion"] as? [String: Any])?["alpha"] as? Double == 0.3)
        #expect((flagged["bm25"] as? [String: Any])?["k1"] as? Double == 0.9)
        #expect((flagged["bm25"] as? [String: Any])?["b"] as? Double == 0.6)
    }
}

/// `make bench`'s ranking step: whole fixture jobs as keyword and hybrid searches over generated data.
@Suite struct RankingBenchTests {
    @Test func rankingBenchTimesKeywordAndHybridBesideTheStatement() throws {
        let cli = CommandLineTests()
        let (_, url) = try TestDatabase.fresh()
        let gen = try cli.vecscope(["gen", "--users", "10", "--artifacts", "300", "--dims", "32"], databaseURL: url)
        #expect(gen.status == 0, "\(gen.stderr)")
        let object = try cli.json(
            try cli.vecscope(
                ["bench-suite", "ranking", "--model", "synthetic-32", "--searches", "5", "--json"], databaseURL: url))
        #expect(object["jobs"] as? Int == 24)
        for method in ["keyword", "hybrid"] {
            let row = try #require(object[method] as? [String: Double], "\(method)")
            let (p50, p95) = (row["client_p50_ms"] ?? 0, row["client_p95_ms"] ?? 0)
            #expect(p50 > 0 && p95 >= p50)
            #expect((row["statement_server_p50_ms"] ?? 0) > 0)
        }
    }
}
