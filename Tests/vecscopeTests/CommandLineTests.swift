import Foundation
import TestSupport
import Testing
import VecCore

/// Runs the built `vecscope` binary against the fixture database, as a script would, and checks its output.
@Suite struct CommandLineTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["VECSCOPE_BIN"], !path.isEmpty { return path }
        return FixturePaths.folder.deletingLastPathComponent().appendingPathComponent(".build/debug/vecscope").path
    }

    func vecscope(
        _ arguments: [String], databaseURL: String?, stdin: String? = nil,
        environment extra: [String: String] = [:]
    ) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = databaseURL
        environment.merge(extra) { $1 }
        process.environment = environment
        process.currentDirectoryURL = FixturePaths.folder.deletingLastPathComponent()
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }

    func json(_ run: Run) throws -> [String: Any] {
        try #require(run.status == 0, "exit \(run.status): \(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    @Test func searchJSONHasTheFeatureSpecShape() throws {
        let url = try FixtureDatabase.connectionURL()
        let object = try json(
            try vecscope(["search", "--json", "--limit", "5", "observability with Prometheus"], databaseURL: url))
        let results = try #require(object["results"] as? [[String: Any]])
        #expect(results.count == 5)
        for result in results {
            #expect(result["artifact_id"] is Int)
            #expect(result["similarity_score"] is Double)
            #expect(result["distance"] is Double)
            let artifact = try #require(result["artifact"] as? [String: Any])
            #expect(artifact["title"] is String && artifact["type"] is String && artifact["description"] is String)
            #expect((result["external_id"] as? String)?.hasPrefix("a") == true)
            #expect((result["user"] as? String)?.hasPrefix("u") == true)
        }
        let info = try #require(object["query_info"] as? [String: Any])
        #expect(info["method"] as? String == "semantic")
        #expect(info["total_candidates"] as? Int == 252)
        #expect(info["processing_time_ms"] is Double)
    }

    @Test func rankJSONHasTheFeatureSpecShape() throws {
        let url = try FixtureDatabase.connectionURL()
        let object = try json(try vecscope(["rank", "--job-id", "j05", "--top-k", "4", "--json"], databaseURL: url))
        let ranked = try #require(object["ranked_artifacts"] as? [[String: Any]])
        #expect(ranked.count == 4)
        for entry in ranked {
            #expect(entry["relevance_score"] is Double && entry["semantic_similarity"] is Double)
            #expect(entry["keyword_match_score"] is Double)
            #expect((entry["explanation"] as? String)?.isEmpty == false)
        }
        #expect(object["job_embedding_generated"] is Bool)
        #expect(object["processing_metadata"] is [String: Any])
    }

    /// The command's JSON against the old builder run in-process on the same query; only timings may differ.
    func expectOldJSON(_ run: Run, _ legacy: Any, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try #require(run.status == 0, "exit \(run.status): \(run.stderr)", sourceLocation: sourceLocation)
        let volatile: Set<String> = [
            "processing_time_ms", "embedding_ms", "embedding_cached",
            "job_embedding_generated", "server_execution_ms",
        ]
        func masked(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.reduce(into: [String: Any]()) {
                    $0[$1.key] = volatile.contains($1.key) ? "timing" : masked($1.value)
                }
            }
            if let array = value as? [Any] { return array.map(masked) }
            return value
        }
        let printed = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
        let reference = try JSONSerialization.jsonObject(with: Data(try LegacyJSON.text(legacy).utf8))
        #expect(
            try LegacyJSON.text(masked(printed)) == LegacyJSON.text(masked(reference)),
            sourceLocation: sourceLocation)
    }

    @Test func searchAndRankPrintTheJSONTheyAlwaysPrinted() throws {
        let url = try FixtureDatabase.connectionURL()
        let (engine, _) = try FixtureDatabase.engine()
        var params = SearchParams()
        params.method = .hybrid
        params.metric = .l2
        params.limit = 4
        params.artifactTypes = [.project, .talk]
        params.contentTypes = [.full, .chunk]
        let text = "distributed tracing with OpenTelemetry"
        let search = try vecscope(
            [
                "search", "--json", "--method", "hybrid", "--metric", "l2", "--limit", "4",
                "--types", "project,talk", "--content-types", "full,chunks", text,
            ], databaseURL: url)
        try expectOldJSON(search, LegacyJSON.search(try engine.search(text: text, params: params), metric: .l2))
        let rank = try vecscope(["rank", "--json", "--method", "semantic", "--top-k", "3", text], databaseURL: url)
        try expectOldJSON(rank, LegacyJSON.rank(try engine.rank(jobDescription: text, method: .semantic, topK: 3)))
    }

    @Test func enumFlagsNameTheirValuesWhenWrong() throws {
        let url = try FixtureDatabase.connectionURL()
        let cases: [(arguments: [String], allowed: String)] = [
            (["search", "--metric", "dot", "x"], "'cosine', 'l2', 'inner_product' or 'ip'"),
            (["search", "--method", "fuzzy", "x"], "'semantic', 'keyword' or 'hybrid'"),
            (["search", "--iterative-scan", "on", "x"], "'off', 'relaxed_order' or 'strict_order'"),
            (["search", "--fusion", "max", "x"], "'rrf' and 'weighted'"),
            (["search", "--content-types", "full,body", "x"], "'full', 'summary', 'chunk' or 'chunks'"),
            (["search", "--types", "project,hobby", "x"], "- work_experience"),
            (["bench", "--format", "xml"], "'table', 'csv' or 'json'"),
            (["index", "create", "--model", "m", "--type", "ivf"], "'hnsw' and 'ivfflat'"),
            (["index", "create", "--model", "m", "--table", "rows"], "'artifacts' and 'chunks'"),
            (["embed", "--content-types", "all"], "'full', 'summary', 'chunk' or 'chunks'"),
        ]
        for (arguments, allowed) in cases {
            let run = try vecscope(arguments, databaseURL: url)
            #expect(run.status != 0 && run.stderr.contains(allowed), "\(arguments): \(run.stderr)")
        }
        let help = try vecscope(["search", "--help"], databaseURL: url)
        let helpWords = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(helpWords.contains("(values: cosine, l2, inner_product, ip; default: cosine)"))
    }

    @Test func ipAndInnerProductAreOneMetricForSearchAndIndexCreate() throws {
        let url = try FixtureDatabase.connectionURL()
        for spelling in ["ip", "inner_product"] {
            let run = try vecscope(["search", "--json", "--metric", spelling, "--limit", "2", "x"], databaseURL: url)
            let object = try json(run)
            let parameters = (object["query_info"] as? [String: Any])?["parameters"] as? [String: Any]
            #expect(parameters?["metric"] as? String == "inner_product")
        }
        let (_, fresh) = try TestDatabase.fresh()
        func createIndex(metric: String) throws -> [String: Any] {
            let arguments = ["index", "create", "--model", SearchParams.defaultModel, "--metric", metric, "--json"]
            return try json(try vecscope(arguments, databaseURL: fresh))
        }
        let first = try createIndex(metric: "ip")
        let second = try createIndex(metric: "inner_product")
        #expect(first["name"] as? String == "ae_hnsw_ip_all_minilm_l6_v2" && first["already_existed"] as? Bool == false)
        #expect(second["name"] as? String == first["name"] as? String && second["already_existed"] as? Bool == true)
    }

    @Test func planPinsTheHNSWIndexOrComputesEveryDistance() throws {
        let url = try FixtureDatabase.connectionURL()
        let index = "ae_hnsw_cosine_all_minilm_l6_v2"
        let pinned = try vecscope(
            ["search", "--plan", index, "--ef-search", "1", "--explain", "postgres tuning"], databaseURL: url)
        #expect(pinned.status == 0, "\(pinned.stderr)")
        #expect(pinned.stdout.contains("plan pinned: \(index); plan: Index Scan using \(index)"))
        let exact = try vecscope(["search", "--plan", "exact", "--explain", "postgres tuning"], databaseURL: url)
        #expect(exact.stdout.contains("plan pinned: exact; plan: Seq Scan on artifact_embeddings"))
        let wrong = try vecscope(["search", "--plan", index, "--metric", "l2", "postgres tuning"], databaseURL: url)
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("serves cosine distance, the search uses L2"))
    }

    /// Issue 18, item 1 from the README's commands: each variant is built and listed with its size and build time,
    /// and a search pinned to the bit index re-ranks through it.
    @Test func quantizedIndexesAreBuiltListedAndSearchedWithReRanking() throws {
        let (_, fresh) = try TestDatabase.fresh()
        let generated = try vecscope(
            ["gen", "--users", "5", "--artifacts", "1500", "--dims", "32", "--seed", "2"], databaseURL: fresh)
        try #require(generated.status == 0, "\(generated.stderr)")
        for quantization in ["none", "halfvec", "bit"] {
            let created = try json(
                try vecscope(
                    ["index", "create", "--model", "synthetic-32", "--quantization", quantization, "--json"],
                    databaseURL: fresh))
            #expect(created["already_existed"] as? Bool == false)
        }
        let list = try vecscope(["index", "list", "--json"], databaseURL: fresh)
        let indexes = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let byVariant = Dictionary(uniqueKeysWithValues: indexes.map { ($0["quantization"] as? String ?? "?", $0) })
        #expect(Set(byVariant.keys) == ["none", "halfvec", "bit"])
        for index in indexes {
            #expect((index["build_seconds"] as? Double ?? 0) > 0 && (index["size_bytes"] as? Int ?? 0) > 0)
        }
        let bit = try #require(byVariant["bit"]?["name"] as? String)
        #expect(bit == "ae_hnsw_bit_hamming_synthetic_32")
        let table = try vecscope(["index", "list"], databaseURL: fresh)
        #expect(table.stdout.contains("variant") && table.stdout.contains("bit_hamming_ops"))
        let search = try json(
            try vecscope(
                ["search", "@synthetic-a1", "--model", "synthetic-32", "--plan", bit, "--rerank", "4", "--json"],
                databaseURL: fresh))
        let info = try #require(search["query_info"] as? [String: Any])
        #expect(info["index_name"] as? String == bit)
        let results = try #require(search["results"] as? [[String: Any]])
        let similarities = results.compactMap { $0["similarity_score"] as? Double }
        #expect(similarities.count == 10 && similarities == similarities.sorted(by: >))
        let bad = try vecscope(
            ["search", "@synthetic-a1", "--model", "synthetic-32", "--plan", bit, "--rerank", "0"], databaseURL: fresh)
        #expect(bad.status != 0 && bad.stderr.contains("rerank 0 is out of range"))
    }

    @Test func badFlagsAndUnknownIdsFailWithAMessage() throws {
        let url = try FixtureDatabase.connectionURL()
        let badEf = try vecscope(["search", "--ef-search", "0", "x"], databaseURL: url)
        #expect(badEf.status != 0)
        #expect(badEf.stderr.contains("ef_search 0 is out of range"))
        let badJob = try vecscope(["rank", "--job-id", "j99"], databaseURL: url)
        #expect(badJob.status != 0)
        #expect(badJob.stderr.contains("no job \"j99\""))
        let twoSources = try vecscope(["rank", "--job-id", "j01", "some text"], databaseURL: url)
        #expect(twoSources.status != 0)
    }

    @Test func aBadModelNameIsReportedWithWhatAndFix() throws {
        let url = try FixtureDatabase.connectionURL()
        let run = try vecscope(["search", "--model", "nope", "some text"], databaseURL: url)
        #expect(run.status == 1)
        let lines = run.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "error: unknown model \"nope\": it is not in the embedding_models registry")
        #expect(lines.contains { $0.hasPrefix("error: → Use one of: all-MiniLM-L6-v2") })
        let spec = try vecscope(["embed-text", "--model", "openai:nomic-embed-text", "x"], databaseURL: url)
        #expect(spec.status == 1)
        #expect(
            spec.stderr.contains(
                "error: unknown OpenAI embedding model \"openai:nomic-embed-text\": "
                    + "the number of dimensions is missing\n"))
        #expect(spec.stderr.contains("error: → Use text-embedding-3-small"))
    }

    @Test func aDatabaseFailureIsReportedWithItsSQLStateAndFix() throws {
        let (_, url) = try TestDatabase.fresh()
        let run = try vecscope(
            ["models"], databaseURL: url,
            environment: ["PGOPTIONS": "-c default_transaction_read_only=on"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: cannot execute CREATE TABLE in a read-only transaction\n"))
        #expect(run.stderr.contains("error: SQLSTATE: 25006\n"))
        #expect(run.stderr.contains("error: → Connect to a server (or a role) that may write"))
        let unreachable = try vecscope(["models"], databaseURL: "postgresql://127.0.0.1:1/nothing?connect_timeout=2")
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("error: SQLSTATE: 08001\nerror: Hint: Check that the server is running"))
    }

    @Test func judgmentsRoundTripThroughTSV() throws {
        let (_, url) = try TestDatabase.fresh()
        #expect(try vecscope(["load", "Fixtures/artifacts.jsonl"], databaseURL: url).status == 0)
        let imported = try vecscope(["judgments", "import", "Fixtures/judgments.tsv"], databaseURL: url)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("imported 420 judgments"))
        let exported = try vecscope(["judgments", "export"], databaseURL: url)
        let original = try String(contentsOf: FixturePaths.file("judgments.tsv"), encoding: .utf8)
        #expect(Set(exported.stdout.split(separator: "\n")) == Set(original.split(separator: "\n")))
        let badFile = try TestDatabase.scratchDirectory("cli").appendingPathComponent("bad.tsv")
        try "j01\ta001\t7\n".write(to: badFile, atomically: true, encoding: .utf8)
        let bad = try vecscope(["judgments", "import", badFile.path], databaseURL: url)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("line 1"))
    }

    @Test func loadReportsRejectedLinesAndStrictFails() throws {
        let (_, url) = try TestDatabase.fresh()
        let directory = try TestDatabase.scratchDirectory("cli")
        let file = directory.appendingPathComponent("mixed.jsonl")
        try """
        {"id": "c1", "user": "u1", "artifact_type": "project", "title": "Good"}
        {"id": "c2", "user": "u1", "artifact_type": "hobby", "title": "Bad type"}
        """.write(to: file, atomically: true, encoding: .utf8)
        let loose = try vecscope(["load", file.path], databaseURL: url)
        #expect(loose.status == 0)
        #expect(loose.stdout.contains("1 inserted") && loose.stdout.contains("1 rejected"))
        #expect(loose.stderr.contains("mixed.jsonl:2: artifact_type: unknown value \"hobby\""))
        let strict = try vecscope(["load", "--strict", file.path], databaseURL: url)
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("--strict loaded nothing"))
    }

    /// Issue 15 #10: a dry run sends nothing, so it must not ask for OPENAI_API_KEY.
    @Test func embedDryRunNeedsNoAPIKey() throws {
        let (_, url) = try TestDatabase.fresh()
        let run = try vecscope(
            ["embed", "--dry-run", "--model", "text-embedding-3-small", "--content-types", "full"], databaseURL: url,
            environment: ["OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("text-embedding-3-small: 0 texts to embed"))
        let badFlag = try vecscope(["embed", "--request-timeout", "0"], databaseURL: url)
        #expect(badFlag.status != 0 && badFlag.stderr.contains("--request-timeout must be"))
    }

    @Test func embedTextMatchesTheReferenceVector() throws {
        let run = try vecscope(["embed-text", "--json", "A man is eating food."], databaseURL: nil)
        let object = try json(run)
        let vector = try #require((object["embeddings"] as? [[Double]])?.first)
        #expect(vector.count == 384 && object["dimensions"] as? Int == 384)
        let expected = try String(contentsOf: FixturePaths.file("minilm-expected.jsonl"), encoding: .utf8)
            .split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            .first { $0["text"] as? String == "A man is eating food." }
        let reference = try #require(expected?["embedding"] as? [Double])
        let dot = zip(vector, reference).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(dot >= 0.99999)
    }
}

/// `vecscope bench-suite concurrent` (make bench's 100-client part): both phases run the asked number of searches
/// on every connection at once and report consistent percentiles.
@Suite struct ConcurrentBenchTests {
    @Test func freshAndWarmedPoolsAreTimedApart() throws {
        let run = try CommandLineTests().vecscope(
            [
                "bench-suite", "concurrent", "--model", "all-MiniLM-L6-v2", "--concurrency", "4", "--searches", "24",
                "--warmup", "8",
                "--queries", "10", "--json",
            ], databaseURL: try FixtureDatabase.connectionURL())
        try #require(run.status == 0, "exit \(run.status): \(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let fresh = try #require(object["fresh_pool"] as? [String: Any])
        #expect(object["concurrency"] as? Int == 4)
        #expect(object["searches"] as? Int == 24)
        #expect(fresh["searches"] as? Int == 8)
        for phase in [object, fresh] {
            let values = try ["p50_ms", "p95_ms", "p99_ms", "max_ms"].map { try #require(phase[$0] as? Double) }
            #expect(values[0] > 0 && values == values.sorted(), "\(values)")
            // Four clients each busy for a search at a time: throughput is bounded by 4 / (median latency).
            let qps = try #require(phase["qps"] as? Double)
            #expect(qps > 0 && qps <= 4 * 1000 / values[0] * 1.5, "qps \(qps), p50 \(values[0]) ms")
        }
    }
}

/// `vecscope bench` end to end: recall rises with ef_search, and --user-scoped keeps every answer inside one user.
@Suite struct BenchCommandTests {
    func rows(_ arguments: [String]) throws -> [[String: Any]] {
        let run = try CommandLineTests().vecscope(
            ["bench", "--format", "json", "--force-index", "--server-samples", "0"] + arguments,
            databaseURL: try FixtureDatabase.connectionURL())
        try #require(run.status == 0, "exit \(run.status): \(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
    }

    @Test func recallRisesWithEfSearch() throws {
        let result = try rows(["--ef-search", "1,200", "--queries", "20"])
        #expect(result.count == 2)
        let low = try #require(result[0]["recall_mean"] as? Double),
            high = try #require(result[1]["recall_mean"] as? Double)
        #expect(low < high)
        #expect(high == 1)
        #expect(result.allSatisfy { $0["user_scoped"] as? Bool == false && ($0["p95_ms"] as? Double ?? 0) > 0 })
    }

    /// Issue 18, item 2: a row per variant and re-ranking depth with size, size against the full-vector index,
    /// build time, recall against exact full-precision search and latency; a second run reuses the indexes.
    @Test func variantsAreBuiltOnceAndComparedRowByRow() throws {
        let (_, fresh) = try TestDatabase.fresh()
        let cli = CommandLineTests()
        let generated = try cli.vecscope(
            ["gen", "--users", "5", "--artifacts", "2000", "--dims", "64", "--seed", "4"], databaseURL: fresh)
        try #require(generated.status == 0, "\(generated.stderr)")
        let arguments = [
            "bench", "--model", "synthetic-64", "--variants", "none,halfvec,bit", "--rerank", "1,8", "--ef-search",
            "40",
            "--queries", "15", "--server-samples", "0",
        ]
        func rows(_ run: CommandLineTests.Run) throws -> [[String: Any]] {
            try #require(run.status == 0, "exit \(run.status): \(run.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        }
        let first = try rows(try cli.vecscope(arguments + ["--format", "json"], databaseURL: fresh))
        #expect(
            first.map { "\($0["variant"] ?? "")\($0["rerank"] as? Int ?? 0)" } == ["none0", "halfvec0", "bit1", "bit8"])
        for row in first {
            #expect((row["size_bytes"] as? Int ?? 0) > 0 && (row["build_seconds"] as? Double ?? 0) > 0)
            #expect((row["p95_ms"] as? Double ?? 0) > 0 && row["built_now"] as? Bool == true)
            #expect(row["queries"] as? Int == 15 && row["recall_mean"] is Double && row["pareto"] is Bool)
        }
        let ratios = first.map { $0["size_ratio"] as? Double ?? -1 }
        #expect(ratios[0] == 1 && ratios[1] < 1 && ratios[2] < ratios[1] && ratios[2] == ratios[3], "\(ratios)")
        let recall = first.map { $0["recall_mean"] as? Double ?? -1 }
        #expect(recall[0] >= 0.9 && recall[3] > recall[2], "\(recall)")
        #expect(first.contains { $0["pareto"] as? Bool == true })

        let again = try rows(try cli.vecscope(arguments + ["--format", "json"], databaseURL: fresh))
        #expect(again.allSatisfy { $0["built_now"] as? Bool == false })
        // The kept time is the first run's, as the index's comment holds it (to the millisecond).
        for (kept, measured) in zip(again, first) {
            let difference = abs((kept["build_seconds"] as? Double ?? -1) - (measured["build_seconds"] as? Double ?? 1))
            #expect(difference < 0.001)
        }
        let csv = try cli.vecscope(arguments + ["--format", "csv"], databaseURL: fresh)
        #expect(csv.stdout.hasPrefix("variant,rerank,index_name,size_bytes,size_ratio,build_seconds,"))
        #expect(csv.stdout.split(separator: "\n").count == 5)
        let table = try cli.vecscope(arguments, databaseURL: fresh)
        #expect(table.stdout.contains("× full") && table.stdout.contains("ae_hnsw_bit_hamming_synthetic_64") == false)
        #expect(table.stdout.contains("8×") && table.stdout.contains("(kept)"))
    }

    /// Issue 18, item 4: the cheapest ef_search meeting the recall target is chosen by measurement, stored with
    /// --apply, and used by search unless --ef-search is given; an unreachable bound fails saying why.
    @Test func tuneIndexPicksTheCheapestEfSearchForTheTargetAndApplyMakesItTheDefault() throws {
        let (_, fresh) = try TestDatabase.fresh()
        let cli = CommandLineTests()
        let generated = try cli.vecscope(
            ["gen", "--users", "5", "--artifacts", "2000", "--dims", "64", "--seed", "4"], databaseURL: fresh)
        try #require(generated.status == 0, "\(generated.stderr)")
        let created = try cli.vecscope(
            ["index", "create", "--model", "synthetic-64", "--m", "4", "--ef-construction", "8"], databaseURL: fresh)
        try #require(created.status == 0, "\(created.stderr)")
        let tuned = try cli.json(
            try cli.vecscope(
                [
                    "tune", "index", "--model", "synthetic-64", "--target-recall", "0.95", "--queries", "20", "--apply",
                    "--json",
                ],
                databaseURL: fresh))
        let rows = try #require(tuned["rows"] as? [[String: Any]])
        let chosen = try #require(tuned["chosen"] as? [String: Any])
        let value = try #require(chosen["value"] as? Int)
        #expect(tuned["knob"] as? String == "ef_search" && tuned["applied"] as? Bool == true)
        // Generated vectors have no text model: the judged jobs cannot be ranked, and the output says so.
        let skipped = (tuned["judged"] as? [String: Any])?["skipped"] as? String
        #expect(skipped?.contains("synthetic-64 has no text embedder") == true)
        // Swept upwards and stopped at the first value meeting the target: every earlier one fell short.
        #expect(rows.last?["ef_search"] as? Int == value)
        #expect((rows.last?["recall_mean"] as? Double ?? 0) >= 0.95)
        #expect(rows.dropLast().allSatisfy { ($0["recall_mean"] as? Double ?? 1) < 0.95 })
        let search = try cli.vecscope(["search", "@synthetic-a1", "--model", "synthetic-64"], databaseURL: fresh)
        #expect(search.stdout.contains("tuned: ef_search \(value) for recall@10 ≥ 0.95"), "\(search.stdout)")
        let json = try cli.json(
            try cli.vecscope(["search", "@synthetic-a1", "--model", "synthetic-64", "--json"], databaseURL: fresh))
        let parameters = (json["query_info"] as? [String: Any])?["parameters"] as? [String: Any]
        #expect(parameters?["ef_search"] as? Int == value)
        let flagged = try cli.json(
            try cli.vecscope(
                ["search", "@synthetic-a1", "--model", "synthetic-64", "--ef-search", "7", "--json"], databaseURL: fresh
            ))
        #expect(((flagged["query_info"] as? [String: Any])?["parameters"] as? [String: Any])?["ef_search"] as? Int == 7)
        let unreachable = try cli.vecscope(
            [
                "tune", "index", "--model", "synthetic-64", "--target-recall", "1", "--max-p95", "0.001", "--queries",
                "5",
            ],
            databaseURL: fresh)
        #expect(
            unreachable.status != 0 && unreachable.stderr.contains("no ef_search of ae_hnsw_cosine_synthetic_64 meets"))
    }

    /// Issue 18, item 3, from the command line: `partition` and `--undo` keep search answers, and `bench
    /// --user-scoped --partitions` compares one shared index with per-user partitions (5 users, each alone in one of
    /// 8 partitions): with iterative scan off the shared index's filtered scan (ef_search 20 rows of everyone) falls
    /// short of k, the partitions' scans do not, each through its own index; the table is one table again after.
    @Test func partitionsByUserEndTheFilteredScanShortfall() throws {
        let (_, fresh) = try TestDatabase.fresh()
        let cli = CommandLineTests()
        let generated = try cli.vecscope(
            ["gen", "--users", "5", "--artifacts", "2000", "--dims", "64", "--seed", "4"], databaseURL: fresh)
        try #require(generated.status == 0, "\(generated.stderr)")
        let created = try cli.vecscope(["index", "create", "--model", "synthetic-64"], databaseURL: fresh)
        try #require(created.status == 0, "\(created.stderr)")
        let search = ["search", "@synthetic-a1", "--model", "synthetic-64", "--limit", "20", "--json"]
        let before = try cli.vecscope(search, databaseURL: fresh)
        try #require(before.status == 0, "\(before.stderr)")
        let partitioned = try cli.vecscope(["partition", "--by", "user", "--partitions", "8"], databaseURL: fresh)
        #expect(partitioned.status == 0, "\(partitioned.stderr)")
        #expect(partitioned.stdout.contains("hash-partitioned by user into 8 partitions: 2000 rows copied"))
        #expect(partitioned.stdout.contains("rebuilt ae_hnsw_cosine_synthetic_64 (one per partition)"))
        func answers(_ run: CommandLineTests.Run) throws -> [String] {
            let object = try cli.json(run)
            return (object["results"] as? [[String: Any]] ?? []).map {
                "\($0["external_id"] ?? "") \($0["distance"] ?? "")"
            }
        }
        #expect(try answers(try cli.vecscope(search, databaseURL: fresh)) == (try answers(before)))
        let again = try cli.vecscope(["partition", "--partitions", "4"], databaseURL: fresh)
        #expect(again.status != 0 && again.stderr.contains("already partitioned"))
        let undone = try cli.vecscope(["partition", "--undo"], databaseURL: fresh)
        #expect(undone.status == 0 && undone.stdout.contains("one table again: 2000 rows copied"), "\(undone.stderr)")
        #expect(try answers(try cli.vecscope(search, databaseURL: fresh)) == (try answers(before)))

        let bench = try cli.vecscope(
            [
                "bench", "--model", "synthetic-64", "--user-scoped", "--partitions", "8", "--ef-search", "20",
                "--iterative-scan", "off,relaxed_order", "--queries", "12", "--force-index", "--format", "json",
            ], databaseURL: fresh)
        try #require(bench.status == 0, "exit \(bench.status): \(bench.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(bench.stdout.utf8)) as? [[String: Any]])
        #expect(
            rows.map { "\($0["layout"] ?? "") \($0["iterative_scan"] ?? "")" } == [
                "shared off", "shared relaxed_order", "partitioned off", "partitioned relaxed_order",
            ])
        #expect((rows[0]["queries_short"] as? Int ?? 0) > 0)
        #expect(rows[2]["queries_short"] as? Int == 0 && rows[2]["recall_mean"] as? Double == 1)
        #expect(rows[2]["partitions"] as? Int == 8 && (rows[2]["p95_ratio"] as? Double ?? 0) > 0)
        #expect((rows[0]["plan"] as? String)?.hasSuffix("ae_hnsw_cosine_synthetic_64") == true, "\(rows[0])")
        #expect((rows[2]["plan"] as? String)?.contains("ae_hnsw_cosine_synthetic_64_p") == true, "\(rows[2])")
        let status = try cli.vecscope(["partition"], databaseURL: fresh)
        #expect(status.stdout.contains("artifact_embeddings is one table"))
    }

    @Test func userScopedQueriesShowTheFilteredScanShortfall() throws {
        // ef_search 10 without iterative scan: the index hands back 10 rows of everyone, the user filter keeps few.
        let strictOff = try rows(["--ef-search", "10", "--queries", "12", "--user-scoped"])
        #expect(strictOff.first?["user_scoped"] as? Bool == true)
        #expect((strictOff.first?["queries_short"] as? Int ?? 0) > 0)
        // The same with a relaxed iterative scan keeps scanning until the user's rows fill k: no shortfall.
        let relaxed = try rows([
            "--ef-search", "10", "--queries", "12", "--user-scoped", "--iterative-scan", "relaxed_order",
        ])
        #expect(relaxed.first?["queries_short"] as? Int == 0)
        #expect((relaxed.first?["recall_mean"] as? Double ?? 0) > (strictOff.first?["recall_mean"] as? Double ?? 1))
        let both = try CommandLineTests().vecscope(
            ["bench", "--user-scoped", "--user", "u01"], databaseURL: try FixtureDatabase.connectionURL())
        #expect(both.status != 0 && both.stderr.contains("exclude each other"))
    }
}
