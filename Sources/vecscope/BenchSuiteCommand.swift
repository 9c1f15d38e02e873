import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    /// `vecscope bench-suite`: the measurements behind `make bench` (Tests/bench/run.sh prints them side by side).
    struct BenchSuite: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench-suite",
            abstract: "Benchmarks for `make bench`: MiniLM throughput, query-path overhead, concurrent QPS.",
            subcommands: [MiniLMThroughput.self, QueryPath.self, Concurrent.self])
    }
}

extension Vecscope.BenchSuite {
    struct MiniLMThroughput: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "minilm",
            abstract: "Sentences/s for one batch of 64 sentences of ~100 tokens, single-thread and all cores (like bench.py).")
        @Option(help: "Timed runs per setting (the median counts).") var iterations = 5
        @OptionGroup var output: OutputOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let cores = ProcessInfo.processInfo.activeProcessorCount
                var results: [[String: Any]] = []
                for threads in [1, cores] {
                    let model = try MiniLM(threads: threads)
                    let batch = MiniLMBenchmark.sampleSentences(count: 64, targetTokens: 100, tokenizer: model.tokenizer)
                    let measured = try MiniLMBenchmark(model: model).run(sentences: batch, iterations: iterations)
                    results.append(["threads": threads, "sentences": measured.sentences, "tokens": measured.tokens,
                                    "sentences_per_second": measured.sentencesPerSecond,
                                    "peak_rss_mb": Double(measured.peakRSSBytes) / 1_048_576])
                    if !output.json {
                        print(String(format: "minilm %d thread(s): %.1f sentences/s (%d sentences, %d tokens, median of %d), peak RSS %.0f MB",
                                     threads, measured.sentencesPerSecond, measured.sentences, measured.tokens, iterations,
                                     Double(measured.peakRSSBytes) / 1_048_576))
                    }
                }
                if output.json { print(try JSONText.encode(results)) }
            }
        }
    }

    /// Per query: recall@k against exact search, vecscope's whole query path (BEGIN, settings, SELECT, decode,
    /// COMMIT) timed by the client, and the server's execution time of the same SQL (EXPLAIN ANALYZE).
    struct QueryPath: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "query-path",
            abstract: "Recall@k, client p50/p95 of the search path vs the server's execution time of the same SQL.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Embedding model.") var model: String
        @Option(help: "HNSW ef_search.") var efSearch = 40
        @Option(help: "Stored vectors used as queries.") var queries = 200
        @Option(help: "Results per query.") var k = 10
        @OptionGroup var output: OutputOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let target = database
                let engine = SearchEngine(connection: try target.connect())
                let sample = try SweepQuery.storedSample(engine.connection, model: model, count: queries)
                var params = SearchParams()
                params.model = model
                params.method = .semantic
                params.efSearch = efSearch
                params.limit = k
                try params.validate()
                let sweep = Sweep(base: params, k: k, concurrency: 1, serverSamples: 0) {
                    SearchEngine(connection: try target.connect(migrate: false))
                }
                let recall = try sweep.run([SweepSetting(efSearch: efSearch)], queries: sample)[0]
                var client: [Double] = []
                var server: [Double] = []
                var plan: String?
                // Each query runs once untimed first: the index outgrows shared_buffers at this scale, and whichever
                // of the two timed runs came first would otherwise pay the buffer misses for both.
                for query in sample {
                    _ = try engine.search(.vector(query.vector), params: params)
                    client.append(try engine.search(.vector(query.vector), params: params).info.clientWallMs)
                    var explained = params
                    explained.explain = true
                    let info = try engine.search(.vector(query.vector), params: explained).info
                    if let ms = info.serverExecutionMs { server.append(ms) }
                    plan = plan ?? info.plan
                }
                // The ANN statement alone (DESIGN.md §3's shape: literal cast and model predicate), timed by the client
                // and by the server (EXPLAIN ANALYZE of the identical text and binds): the driver's own overhead.
                let embeddingModel = try engine.model(named: model)
                let cast = "::\(embeddingModel.storage.rawValue)(\(embeddingModel.dimensions))"
                let statement = """
                    SELECT e.artifact_id, e.embedding_vector\(cast) <=> $1\(cast) AS distance FROM artifact_embeddings e
                    WHERE e.model_version = '\(embeddingModel.name)' AND e.content_type = 'full'
                    ORDER BY e.embedding_vector\(cast) <=> $1\(cast) LIMIT \(k)
                    """
                var statementClient: [Double] = []
                var statementServer: [Double] = []
                let conn = engine.connection
                for query in sample {
                    let bind: any PostgresEncodable = embeddingModel.storage == .halfvec ? HalfVector(rounding: query.vector) : Vector(query.vector)
                    try conn.transaction { conn in
                        try conn.execute("SELECT set_config('hnsw.ef_search', $1, true)", [String(efSearch)])
                        _ = try conn.query(statement, [bind])  // untimed: same buffer state for both timings
                        let t0 = DispatchTime.now()
                        _ = try conn.query(statement, [bind]).rows.map { try $0.decode(1, as: Double.self) }
                        statementClient.append(Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e6)
                        let json = try conn.query("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, [bind]).scalar(String.self) ?? "[]"
                        if let plans = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]],
                           let ms = plans.first?["Execution Time"] as? Double {
                            statementServer.append(ms)
                        }
                    }
                }
                let sc = LatencyStats(samples: statementClient), ss = LatencyStats(samples: statementServer)
                let statementRatio = ss.p50 > 0 ? sc.p50 / ss.p50 : 0
                let statementMeets = sc.p50 <= 1.2 * ss.p50 + 0.5
                let c = LatencyStats(samples: client), s = LatencyStats(samples: server)
                let ratio = s.p50 > 0 ? c.p50 / s.p50 : 0
                let meetsTarget = c.p50 <= 1.2 * s.p50 + 0.5
                if output.json {
                    print(try JSONText.encode([
                        "recall_at_k": recall.recallMean, "recall_min": recall.recallMin, "k": k, "ef_search": efSearch, "queries": sample.count,
                        "client_p50_ms": c.p50, "client_p95_ms": c.p95, "server_p50_ms": s.p50, "server_p95_ms": s.p95,
                        "overhead_ratio_p50": ratio, "meets_target": meetsTarget, "plan": plan ?? "",
                        "statement_client_p50_ms": sc.p50, "statement_client_p95_ms": sc.p95, "statement_server_p50_ms": ss.p50,
                        "statement_server_p95_ms": ss.p95, "statement_overhead_ratio_p50": statementRatio,
                        "statement_meets_target": statementMeets] as [String: Any]))
                } else {
                    print(String(format: "recall@%d %.3f (min %.3f) over %d queries, ef_search %d", k, recall.recallMean, recall.recallMin,
                                 sample.count, efSearch))
                    print(String(format: "client p50 %.2f ms p95 %.2f ms | server execution p50 %.2f ms p95 %.2f ms | overhead %.2f× (target p50 ≤ 1.2 × server + 0.5 ms: %@)",
                                 c.p50, c.p95, s.p50, s.p95, ratio, meetsTarget ? "met" : "NOT met"))
                    print(String(format: "ANN statement alone: client p50 %.2f ms p95 %.2f ms | server p50 %.2f ms p95 %.2f ms | overhead %.2f× (target: %@)",
                                 sc.p50, sc.p95, ss.p50, ss.p95, statementRatio, statementMeets ? "met" : "NOT met"))
                    if let plan { print("plan: \(plan)") }
                }
            }
        }
    }

    /// N connections on N threads run whole searches (ANN, scores, explanations) as fast as they can, first on the
    /// fresh pool, then timed again on the warmed one.
    struct Concurrent: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "concurrent", abstract: "QPS and latency percentiles with N concurrent searches (N connections, N threads).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Embedding model.") var model: String
        @Option(help: "Connections (one thread each).") var concurrency = 100
        @Option(help: "HNSW ef_search.") var efSearch = 40
        @Option(help: "Searches timed on the warmed pool.") var searches = 3_000
        @Option(help: "Searches run first on the fresh pool and reported apart (0: none).") var warmup = 3_000
        @Option(help: "Distinct stored vectors used as queries.") var queries = 500
        @OptionGroup var output: OutputOptions

        /// QPS and latency percentiles of one timed phase.
        struct Phase {
            var stats: LatencyStats
            var qps: Double

            var json: [String: Any] {
                ["searches": stats.count, "qps": qps, "p50_ms": stats.p50, "p95_ms": stats.p95, "p99_ms": stats.p99, "max_ms": stats.max]
            }

            var line: String {
                String(format: "%.0f QPS, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (%d searches)", qps, stats.p50, stats.p95, stats.p99, stats.count)
            }
        }

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let target = database
                let sample = try SweepQuery.storedSample(try target.connect(), model: model, count: queries)
                guard !sample.isEmpty else { throw VecscopeError(what: "no vectors of model \(model)", fix: "Run `vecscope gen` first.") }
                var params = SearchParams()
                params.model = model
                params.method = .semantic
                params.efSearch = efSearch
                params.limit = 10
                try params.validate()
                let engines = try (0..<concurrency).map { _ in SearchEngine(connection: try target.connect(migrate: false)) }
                // A new backend pays for its first uses: it maps each shared-buffer page it touches (at 100k × 1536
                // the index and rows are 1.5 GB) and fills its caches. A pool serving searches is past that, so the
                // fresh pool's first searches are timed and reported apart from the warmed pool's.
                let fresh = warmup > 0 ? try Self.phase(engines, sample: sample, params: params, searches: warmup) : nil
                let warmed = try Self.phase(engines, sample: sample, params: params, searches: searches)
                if output.json {
                    var object = warmed.json
                    object["concurrency"] = concurrency
                    object["ef_search"] = efSearch
                    if let fresh { object["fresh_pool"] = fresh.json }
                    print(try JSONText.encode(object))
                } else {
                    if let fresh { print("concurrency \(concurrency), fresh pool:  \(fresh.line)") }
                    print("concurrency \(concurrency), warmed pool: \(warmed.line), ef_search \(efSearch)")
                }
            }
        }

        /// `searches` searches spread over the engines, one thread each, all at once.
        static func phase(_ engines: [SearchEngine], sample: [SweepQuery], params: SearchParams, searches: Int) throws -> Phase {
            let box = LoadBox(engines: engines, total: searches)
            let started = DispatchTime.now()
            runOnThreads(engines.count) { worker in
                let engine = box.engine(worker)
                while let index = box.claim() {
                    let t0 = DispatchTime.now()
                    do {
                        _ = try engine.search(.vector(sample[index % sample.count].vector), params: params)
                        box.record(Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e6)
                    } catch { box.fail(error) }
                }
            }
            let wall = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            if let error = box.firstError { throw error }
            let stats = LatencyStats(samples: box.samples)
            return Phase(stats: stats, qps: LatencyStats.queriesPerSecond(count: stats.count, wallSeconds: wall))
        }
    }
}

/// Runs `body(i)` for i in 0..<count on `count` threads at once (concurrentPerform would cap them at the core count,
/// and N concurrent searches need N clients waiting on the server at the same time).
private func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for worker in 0..<count {
        group.enter()
        let thread = Thread {
            body(worker)
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
}

/// Work queue and results of the concurrent benchmark; worker i only touches engine i.
private final class LoadBox: @unchecked Sendable {
    private let lock = NSLock()
    private let engines: [SearchEngine]
    private let total: Int
    private var next = 0
    private(set) var samples: [Double] = []
    private(set) var firstError: (any Error)?

    init(engines: [SearchEngine], total: Int) {
        self.engines = engines
        self.total = total
        samples.reserveCapacity(total)
    }

    func engine(_ worker: Int) -> SearchEngine { engines[worker] }

    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < total, firstError == nil else { return nil }
        next += 1
        return next - 1
    }

    func record(_ ms: Double) { lock.lock(); samples.append(ms); lock.unlock() }

    func fail(_ error: any Error) { lock.lock(); if firstError == nil { firstError = error }; lock.unlock() }
}
