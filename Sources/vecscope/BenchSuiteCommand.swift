import ArgumentParser
import Foundation
import Logging
import VecAPI
import VecCore
import VecTUI

extension Vecscope {
    /// `vecscope bench-suite`: the measurements behind `make bench` (Tests/bench/run.sh prints them side by side).
    struct BenchSuite: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench-suite",
            abstract:
                "Benchmarks for `make bench`: MiniLM throughput, query-path overhead, concurrent QPS in process and over HTTP.",
            subcommands: [
                MiniLMThroughput.self, QueryPath.self, Ranking.self, Concurrent.self, HTTP.self, TUIRepaint.self,
                WriteLoad.self,
            ])
    }
}

extension Vecscope.BenchSuite {
    struct MiniLMThroughput: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "minilm",
            abstract:
                "Sentences/s for one batch of 64 sentences of ~100 tokens, single-thread and all cores (like bench.py)."
        )
        @Option(help: "Timed runs per setting (the median counts).") var iterations = 5
        @OptionGroup var output: OutputOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let cores = ProcessInfo.processInfo.activeProcessorCount
                var results: [[String: Any]] = []
                for threads in [1, cores] {
                    let model = try MiniLM(threads: threads)
                    let batch = MiniLMBenchmark.sampleSentences(
                        count: 64, targetTokens: 100, tokenizer: model.tokenizer)
                    let measured = try MiniLMBenchmark(model: model).run(sentences: batch, iterations: iterations)
                    results.append([
                        "threads": threads, "sentences": measured.sentences, "tokens": measured.tokens,
                        "sentences_per_second": measured.sentencesPerSecond,
                        "peak_rss_mb": Double(measured.peakRSSBytes) / 1_048_576,
                    ])
                    if !output.json {
                        print(
                            String(
                                format:
                                    "minilm %d thread(s): %.1f sentences/s (%d sentences, %d tokens, median of %d), peak RSS %.0f MB",
                                threads, measured.sentencesPerSecond, measured.sentences, measured.tokens, iterations,
                                Double(measured.peakRSSBytes) / 1_048_576))
                    }
                }
                if output.json { print(try JSONText.encode(results)) }
            }
        }
    }

    /// Prints what `QueryPathBenchmark` measures: recall@k, the whole search path and its ANN statement alone,
    /// each timed by the client beside the server's execution time of the same SQL.
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
                let benchmark = QueryPathBenchmark(
                    model: model, efSearch: efSearch, queries: queries, k: k,
                    connection: try target.connect(),
                    connect: { try target.connect(migrate: false) })
                let r = try benchmark.run()
                if output.json {
                    print(try JSONText.encode(r))
                } else {
                    print(
                        String(
                            format: "recall@%d %.3f (min %.3f) over %d queries, ef_search %d",
                            k, r.recallAtK, r.recallMin, r.queries, efSearch))
                    print(
                        String(
                            format:
                                "client p50 %.2f ms p95 %.2f ms | server execution p50 %.2f ms p95 %.2f ms | overhead %.2f× (target p50 ≤ 1.2 × server + 0.5 ms: %@)",
                            r.clientP50Ms, r.clientP95Ms, r.serverP50Ms, r.serverP95Ms, r.overheadRatioP50,
                            r.meetsTarget ? "met" : "NOT met"))
                    print(
                        String(
                            format:
                                "ANN statement alone: client p50 %.2f ms p95 %.2f ms | server p50 %.2f ms p95 %.2f ms | overhead %.2f× (target: %@)",
                            r.statementClientP50Ms, r.statementClientP95Ms, r.statementServerP50Ms,
                            r.statementServerP95Ms, r.statementOverheadRatioP50,
                            r.statementMeetsTarget ? "met" : "NOT met"))
                    if !r.plan.isEmpty { print("plan: \(r.plan)") }
                }
            }
        }
    }

    /// N callers run whole searches (ANN, scores, explanations) as fast as they can, each on a connection of its own
    /// or all through `vecscope serve`'s pool of a few connections (`--pool`), first on the fresh connections, then
    /// timed again once they are warm.
    struct Concurrent: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "concurrent",
            abstract:
                "QPS and latency percentiles with N concurrent searches (N connections, or N callers on serve's pool).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Embedding model.") var model: String
        @Option(help: "Concurrent callers (one thread each, or one task each with --pool).") var concurrency = 100
        @Option(
            help: ArgumentHelp(
                "Connections the callers share through serve's pool, queued beyond them (0: one connection per caller).",
                valueName: "connections"))
        var pool = 0
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
                [
                    "searches": stats.count, "qps": qps, "p50_ms": stats.p50, "p95_ms": stats.p95, "p99_ms": stats.p99,
                    "max_ms": stats.max,
                ]
            }

            var line: String {
                String(
                    format: "%.0f QPS, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (%d searches)", qps, stats.p50, stats.p95,
                    stats.p99, stats.count)
            }
        }

        func validate() throws {
            guard concurrency >= 1 else { throw ValidationError("--concurrency must be 1 or more") }
            guard pool >= 0 else { throw ValidationError("--pool must be 0 or more") }
        }

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let load = try StoredVectorSearches(
                    database, model: model, queries: queries, efSearch: efSearch)
                let (sample, params) = (load.sample, load.params)
                let timed: (Int) throws -> Phase
                let warmSeconds: Double
                if pool > 0 {
                    let (shared, seconds) = try load.warmedPool(database, connections: pool, callers: concurrency)
                    warmSeconds = seconds
                    timed = { searches in
                        try pooledPhase(shared, callers: concurrency, searches: searches) { engine, index in
                            _ = try engine.search(.vector(sample[index % sample.count].vector), params: params)
                        }
                    }
                } else {
                    let (engines, seconds) = try load.warmedEngines(database, count: concurrency)
                    warmSeconds = seconds
                    timed = { searches in try Self.phase(engines, sample: sample, params: params, searches: searches) }
                }
                // A new backend still pays for its first uses: it maps each shared-buffer page it touches (at 100k ×
                // 1536 the index and rows are 1.5 GB) and fills its caches. A pool serving searches is past that, so
                // the fresh pool's first searches are timed and reported apart from the warmed pool's.
                let fresh = warmup > 0 ? try timed(warmup) : nil
                let warmed = try timed(searches)
                let connections =
                    pool > 0 ? "\(pool) connections shared by \(concurrency) callers" : "\(concurrency) connections"
                if output.json {
                    var object = warmed.json
                    object["concurrency"] = concurrency
                    object["connections"] = pool > 0 ? pool : concurrency
                    object["ef_search"] = efSearch
                    if let fresh { object["fresh_pool"] = fresh.json }
                    object["warm_up_seconds"] = warmSeconds
                    print(try JSONText.encode(object))
                } else {
                    if let fresh { print("\(connections), fresh:  \(fresh.line)") }
                    print("\(connections), warmed: \(warmed.line), ef_search \(efSearch)")
                }
            }
        }

        /// `searches` searches spread over the engines, one thread each, all at once.
        static func phase(
            _ engines: [SearchEngine], sample: [SweepQuery], params: SearchParams, searches: Int
        ) throws -> Phase {
            try timedPhase(engines, searches: searches) { engine, index in
                _ = try engine.search(.vector(sample[index % sample.count].vector), params: params)
            }
        }
    }

    /// The same concurrent searches idle, while a worker writes at full speed, and idle again (the drift between the
    /// idle runs is the machine's noise). The writes are the worker path end to end — queue, claims with
    /// FOR UPDATE SKIP LOCKED, the embedding pipeline, HNSW inserts into the index searched — with vectors made the way
    /// `gen` makes them (`SyntheticTextEmbedder`), so PostgreSQL, not a text model, sets the write rate.
    struct WriteLoad: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "write-load",
            abstract: "Search p50/p95 idle vs while a worker re-embeds changed artifacts at full speed.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "A synthetic model made by `vecscope gen`.") var model: String
        @Option(help: "Connections searching (one thread each).") var concurrency = 4
        @Option(help: "HNSW ef_search.") var efSearch = 40
        @Option(help: "Searches timed per phase.") var searches = 2_000
        @Option(help: "Distinct stored vectors used as queries.") var queries = 500
        @Option(help: "Artifacts changed for the worker to embed again.") var changes = 20_000
        @Option(help: "Artifacts per worker batch (one transaction each).") var batch = 16
        @OptionGroup var output: OutputOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let target = database
                let setup = try target.connect()
                let registered = try EmbeddingModelRegistry(connection: setup).model(named: model)
                guard registered.provider == .synthetic else {
                    throw VecscopeError(
                        what: "\(model) is not a synthetic model",
                        why: "the write load makes vectors the way `gen` does, which means nothing for a text model",
                        fix: "Run `vecscope gen` and pass its model (synthetic-<dims>).", kind: .invalidInput)
                }
                let load = try StoredVectorSearches(target, model: model, queries: queries, efSearch: efSearch)
                let changed = try VecCore.WriteLoad(connection: setup).reviseArtifacts(model: model, count: changes)
                try VecCore.WriteLoad(connection: setup).settle()
                let (engines, _) = try load.warmedEngines(target, count: concurrency)
                let (sample, params) = (load.sample, load.params)
                _ = try Concurrent.phase(engines, sample: sample, params: params, searches: searches)
                let idleBefore = try Concurrent.phase(engines, sample: sample, params: params, searches: searches)

                let writes = WriteCounter()
                var options = EmbeddingWorker.Options()
                options.batchSize = batch
                options.contentTypes = [.full]
                let url = try target.target().connectionString()
                // Only the worker's thread touches it once started.
                let worker = UncheckedBox(
                    EmbeddingWorker(
                        model: registered, embedder: SyntheticTextEmbedder(model: registered), options: options
                    ) { try Connection(url, applicationName: "vecscope-bench-worker") })
                let done = DispatchSemaphore(value: 0)
                let thread = Thread {
                    do {
                        try worker.value.run(shouldStop: { writes.stopRequested }) { event in
                            if case .batch(let report) = event { writes.add(report.embedded, queued: report.queued) }
                        }
                    } catch { writes.fail(error) }
                    done.signal()
                }
                thread.start()
                // Timed only once the worker is writing (its catch-up has queued the changes).
                while writes.snapshot().vectors == 0, writes.error == nil { Thread.sleep(forTimeInterval: 0.05) }
                let before = writes.snapshot()
                let loaded = try Concurrent.phase(engines, sample: sample, params: params, searches: searches)
                let after = writes.snapshot()
                writes.requestStop()
                done.wait()
                if let error = writes.error { throw error }
                let idleAfter = try Concurrent.phase(engines, sample: sample, params: params, searches: searches)

                let idleP50 = (idleBefore.stats.p50 + idleAfter.stats.p50) / 2
                let idleP95 = (idleBefore.stats.p95 + idleAfter.stats.p95) / 2
                let writeSeconds = after.at.timeIntervalSince(before.at)
                let written = after.vectors - before.vectors
                // The queue ran dry while searches were still timed: part of the loaded phase had no writes.
                let busyThroughout = after.queued > 0
                if output.json {
                    print(
                        try JSONText.encode(
                            [
                                "concurrency": concurrency, "ef_search": efSearch, "artifacts_changed": changed,
                                "idle_before": idleBefore.json, "loaded": loaded.json, "idle_after": idleAfter.json,
                                "p50_ratio": idleP50 > 0 ? loaded.stats.p50 / idleP50 : 0,
                                "p95_ratio": idleP95 > 0 ? loaded.stats.p95 / idleP95 : 0,
                                "vectors_written": written, "write_seconds": writeSeconds,
                                "vectors_per_second": writeSeconds > 0 ? Double(written) / writeSeconds : 0,
                                "worker_busy_throughout": busyThroughout, "queued_after": after.queued,
                            ] as [String: Any]))
                } else {
                    print("idle (before):  \(idleBefore.line)")
                    print(
                        "under writes:   \(loaded.line); worker wrote \(written) vectors"
                            + String(format: " (%.0f/s)", writeSeconds > 0 ? Double(written) / writeSeconds : 0)
                            + (busyThroughout ? "" : " — its queue ran dry before the searches ended"))
                    print("idle (after):   \(idleAfter.line)")
                    print(
                        String(
                            format: "under writes / idle: p50 %.2f×, p95 %.2f×", loaded.stats.p50 / max(idleP50, 1e-9),
                            loaded.stats.p95 / max(idleP95, 1e-9)))
                }
            }
        }
    }

    /// Semantic, keyword and hybrid ranking of whole job descriptions over generated data, as `make bench` reports
    /// it: hybrid is compared with semantic search for the same texts (their words scored for explanations too).
    struct Ranking: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Semantic, keyword and hybrid ranking of whole job descriptions (Fixtures/jobs.jsonl) over the loaded "
                + "data, one client: the whole search's client time (first search of a text, and again with another "
                + "ef_search) beside its statement's server time.",
            discussion: "Generated data has no text model: each job's text is paired with a stored vector as the "
                + "semantic side of hybrid.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Embedding model whose stored vectors stand in for the jobs' vectors.") var model: String
        @Option(help: "Searches timed per method.") var searches = 100
        @OptionGroup var output: OutputOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let connection = try database.connect()
                let jobs = try JobCatalog.load(
                    from: try FixturesLocator.folder(explicit: nil, needs: "jobs.jsonl")
                ).jobs
                let sample = try SweepQuery.storedSample(connection, model: model, count: max(jobs.count, 1))
                guard !jobs.isEmpty, !sample.isEmpty else {
                    throw VecscopeError(
                        what: "no vectors of model \(model) or no jobs", fix: "Run `vecscope gen` first.")
                }
                let engine = SearchEngine(connection: connection)
                engine.keywordIndexes = KeywordIndexStore()
                func query(_ index: Int) -> SearchEngine.Query {
                    .textWithVector(jobs[index % jobs.count].text, sample[index % sample.count].vector)
                }
                var report: [String: Any] = ["searches": searches, "jobs": jobs.count]
                for method in [RankingMethod.semantic, .keyword, .hybrid] {
                    var params = SearchParams()
                    params.model = model
                    params.method = method
                    params.limit = 10
                    for index in jobs.indices { _ = try engine.search(query(index), params: params) }  // warm-up
                    // First search of a text: nothing kept from an earlier search of it (keyword candidates, words).
                    let cold = try (0..<searches).map {
                        engine.forgetKeptWords()
                        return try engine.search(query($0), params: params).info.clientWallMs
                    }
                    var explained = params
                    explained.explain = true
                    // The search statement's own time (every method's statement: candidates and scores in one pass).
                    let server = try jobs.indices.compactMap {
                        engine.forgetKeptWords()
                        return try engine.search(query($0), params: explained).info.serverExecutionMs
                    }
                    // The same texts again with another ef_search each time, as a tuner stepping a knob does, each
                    // text searched once first.
                    for index in jobs.indices { _ = try engine.search(query(index), params: params) }
                    var stepped = params
                    let repeated = try (0..<searches).map {
                        stepped.efSearch = $0 % 2 == 0 ? 48 : 40
                        return try engine.search(query($0), params: stepped).info.clientWallMs
                    }
                    let repeatedServer = try jobs.indices.compactMap {
                        try engine.search(query($0), params: explained).info.serverExecutionMs
                    }
                    let clientStats = LatencyStats(samples: cold)
                    let repeatedStats = LatencyStats(samples: repeated)
                    let serverStats = LatencyStats(samples: server)
                    report[method.rawValue] = [
                        "client_p50_ms": clientStats.p50, "client_p95_ms": clientStats.p95,
                        "repeated_client_p50_ms": repeatedStats.p50, "repeated_client_p95_ms": repeatedStats.p95,
                        "statement_server_p50_ms": serverStats.p50, "statement_server_p95_ms": serverStats.p95,
                        "repeated_statement_server_p50_ms": LatencyStats(samples: repeatedServer).p50,
                    ]
                }
                if let index = engine.keywordIndexSummary {
                    report["keyword_index"] = ["artifacts": index.artifacts, "load_ms": index.loadMs]
                }
                if output.json {
                    print(try JSONText.encode(report))
                } else {
                    for method in ["semantic", "keyword", "hybrid"] {
                        guard let row = report[method] as? [String: Double] else { continue }
                        print(
                            String(
                                format: "%@: client p50 %.1f ms, p95 %.1f ms; its statement's server p50 %.1f ms",
                                method, row["client_p50_ms"] ?? 0, row["client_p95_ms"] ?? 0,
                                row["statement_server_p50_ms"] ?? 0))
                    }
                }
            }
        }
    }

    /// The TUI's answer to a parameter change (`TUIRuntime.timeParameterChanges`): key press to the frame showing
    /// the new results, beside the engine's own time for the same search.
    struct TUIRepaint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tui",
            abstract:
                "Key press to repainted results in the TUI (headless) for parameter changes, beside the search's own time.",
            discussion: "Generated data has no text model: the query names a stored artifact (@id or @user/id).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Embedding model.") var model: String
        @Option(help: "The query, e.g. @u1/a42 (more like this).") var query: String
        @Option(help: "Ranking method.") var method: RankingMethod = .semantic
        @Option(help: "Parameter stepped up and down (as in the parameters pane).") var parameter = "ef_search"
        @Option(help: "Parameter changes timed.") var changes = 40
        @OptionGroup var output: OutputOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                guard let knob = TunableParameter.allCases.first(where: { $0.label == parameter }) else {
                    throw VecscopeError(
                        what: "no parameter \(parameter)",
                        fix: "Use one of \(TunableParameter.allCases.map(\.label).joined(separator: ", ")).",
                        kind: .invalidInput)
                }
                let backend = EngineBackend(connect: { try database.connect(migrate: false) })
                var params = AppState.defaultParams  // the TUI's own: the plan shown, so a knob change explains anew
                params.model = model
                params.method = method
                var state = AppState(size: Size(width: 160, height: 48), params: params)
                _ = reduce(&state, .loadQuery(query))
                let timings = try TUIRuntime(backend: backend, state: state).timeParameterChanges(knob, count: changes)
                let repaint = LatencyStats(samples: timings.map(\.repaintMs))
                let search = LatencyStats(samples: timings.map(\.searchClientMs))
                let server = LatencyStats(samples: timings.compactMap(\.searchServerMs))
                let report: [String: Any] = [
                    "changes": timings.count, "method": method.rawValue, "parameter": knob.label,
                    "repaint_p50_ms": repaint.p50, "repaint_p95_ms": repaint.p95, "repaint_max_ms": repaint.max,
                    "search_client_p50_ms": search.p50, "search_client_p95_ms": search.p95,
                    "search_server_p50_ms": server.p50,
                ]
                if output.json {
                    print(try JSONText.encode(report))
                } else {
                    print(
                        String(
                            format:
                                "%@ %@ changes (%@): repaint p50 %.1f ms, p95 %.1f ms; the search itself p50 %.1f ms",
                            "\(timings.count)", knob.label, method.rawValue, repaint.p50, repaint.p95, search.p50))
                }
            }
        }
    }

    /// The same searches as `concurrent`, sent by N clients to a running `vecscope serve`
    /// (`POST /api/v1/artifacts/search/similar/`): what HTTP, JSON and the server's pool add to the in-process figure.
    struct HTTP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "http",
            abstract: "QPS and latency percentiles with N concurrent HTTP clients of `vecscope serve`.",
            discussion: "The token is read from VECSCOPE_API_TOKEN (an admin's: the searches span every user).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The server, e.g. http://127.0.0.1:8080.") var url: String
        @Option(help: "Embedding model.") var model: String
        @Option(help: "Clients (one thread and one kept-alive connection each).") var concurrency = 100
        @Option(help: "HNSW ef_search.") var efSearch = 40
        @Option(help: "Searches timed once the server is warm.") var searches = 3_000
        @Option(help: "Searches sent first and reported apart (0: none).") var warmup = 3_000
        @Option(help: "Distinct stored vectors used as queries.") var queries = 500
        @OptionGroup var output: OutputOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                guard let token = ProcessInfo.processInfo.environment["VECSCOPE_API_TOKEN"], !token.isEmpty else {
                    throw VecscopeError(
                        what: "no API token", why: "VECSCOPE_API_TOKEN is not set",
                        fix: "Set it to a token from `vecscope users token create USER --admin`.")
                }
                let sample = try StoredVectorSearches(
                    database, model: model, queries: queries, efSearch: efSearch
                ).sample
                // As `concurrent` searches: every user, no threshold (-1 admits every row), the stored vector.
                let bodies = try sample.map { query in
                    Array(
                        try JSONSerialization.data(withJSONObject: [
                            "query_embedding": query.vector.map(Double.init), "model": model, "limit": 10,
                            "ef_search": efSearch, "user_only": false, "similarity_threshold": -1,
                        ]))
                }
                let clients = try (0..<concurrency).map { _ in try APIClient(baseURL: url, token: token) }
                let path = "/api/v1/artifacts/search/similar/"
                let send: (APIClient, Int) throws -> Void = { client, index in
                    let (status, body) = try client.post(path, json: bodies[index % bodies.count])
                    guard status == 200 else {
                        throw VecscopeError(
                            what: "the server answered \(status)",
                            why: String(decoding: body.prefix(300), as: UTF8.self))
                    }
                }
                let fresh = warmup > 0 ? try timedPhase(clients, searches: warmup, body: send) : nil
                let warmed = try timedPhase(clients, searches: searches, body: send)
                if output.json {
                    var object = warmed.json
                    object["concurrency"] = concurrency
                    object["ef_search"] = efSearch
                    if let fresh { object["warmup"] = fresh.json }
                    print(try JSONText.encode(object))
                } else {
                    print("\(concurrency) HTTP clients, warmed server: \(warmed.line), ef_search \(efSearch)")
                }
            }
        }
    }
}

/// What the concurrent benchmarks (`concurrent`, `write-load`, `http`) search for: stored vectors of one model as
/// queries, each a semantic search of 10 rows at one ef_search — the same searches in every benchmark.
private struct StoredVectorSearches {
    var model: String
    var sample: [SweepQuery]
    var params: SearchParams

    init(_ database: DatabaseOptions, model: String, queries: Int, efSearch: Int) throws {
        sample = try SweepQuery.storedSample(try database.connect(), model: model, count: queries)
        guard !sample.isEmpty else {
            throw VecscopeError(what: "no vectors of model \(model)", fix: "Run `vecscope gen` first.")
        }
        self.model = model
        params = SearchParams()
        params.model = model
        params.method = .semantic
        params.efSearch = efSearch
        params.limit = 10
        try params.validate()
    }

    /// `vecscope serve`'s pool of `connections` connections, every one opened and warmed as serve warms them, with a
    /// queue for all `callers`; and how long the warming took.
    func warmedPool(
        _ database: DatabaseOptions, connections: Int, callers: Int
    ) throws -> (DatabasePool, seconds: Double) {
        var configuration = APIConfiguration()
        configuration.connections = connections
        configuration.maxQueuedRequests = callers
        configuration.warmUpModel = model
        let pool = APIServer.pool(configuration: configuration, url: try database.target().connectionString())
        let started = DispatchTime.now()
        let model = self.model
        let warmed = try blockOn { await pool.warmUp(model: model, logger: Logger(label: "vecscope.bench")) }
        guard warmed == connections else {
            throw VecscopeError(
                what: "only \(warmed) of the pool's \(connections) connections could be opened and warmed",
                fix: "Read the warnings above; lower --pool or raise the server's max_connections.")
        }
        return (pool, SearchEngine.milliseconds(since: started) / 1000)
    }

    /// `count` engines on connections of their own, each warmed as `vecscope serve` warms its pool's
    /// (`SearchEngine.warmUp`), all at once; and how long the warming took.
    func warmedEngines(_ database: DatabaseOptions, count: Int) throws -> ([SearchEngine], seconds: Double) {
        let engines = try (0..<count).map { _ in SearchEngine(connection: try database.connect(migrate: false)) }
        let started = DispatchTime.now()
        _ = try timedPhase(engines, searches: engines.count) { engine, _ in try engine.warmUp(model: model) }
        return (engines, SearchEngine.milliseconds(since: started) / 1000)
    }
}

/// `searches` calls of `body` spread over `workers`, one thread each, all at once; worker i only touches
/// `workers[i]`.
private func timedPhase<Worker>(
    _ workers: [Worker], searches: Int, body: @escaping (Worker, Int) throws -> Void
) throws -> Vecscope.BenchSuite.Concurrent.Phase {
    let box = LoadBox(workers: workers, total: searches, body: body)
    let started = DispatchTime.now()
    runOnThreads(workers.count) { worker in
        while let index = box.claim() {
            let t0 = DispatchTime.now()
            do {
                try box.perform(worker, index)
                box.record(SearchEngine.milliseconds(since: t0))
            } catch { box.fail(error) }
        }
    }
    return try box.phase(wallSeconds: SearchEngine.milliseconds(since: started) / 1000)
}

/// `searches` searches from `callers` tasks at once, each waiting for one of the pool's connections as a request of
/// `vecscope serve` does (the time waited counts in its latency).
private func pooledPhase(
    _ pool: DatabasePool, callers: Int, searches: Int, body: @escaping @Sendable (SearchEngine, Int) throws -> Void
) throws -> Vecscope.BenchSuite.Concurrent.Phase {
    let box = LoadTally(total: searches)
    let started = DispatchTime.now()
    try blockOn {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    while let index = box.claim() {
                        let t0 = DispatchTime.now()
                        do {
                            try await pool.withWorker { try body($0.engine(), index) }
                            box.record(SearchEngine.milliseconds(since: t0))
                        } catch { box.fail(error) }
                    }
                }
            }
        }
    }
    return try box.phase(wallSeconds: SearchEngine.milliseconds(since: started) / 1000)
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

/// Work queue and results of the concurrent benchmarks: which search comes next, each one's latency, the first error.
private class LoadTally: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private var next = 0
    private var samples: [Double] = []
    private var firstError: (any Error)?

    init(total: Int) {
        self.total = total
        samples.reserveCapacity(total)
    }

    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < total, firstError == nil else { return nil }
        next += 1
        return next - 1
    }

    func record(_ ms: Double) { lock.lock(); samples.append(ms); lock.unlock() }

    func fail(_ error: any Error) { lock.lock(); if firstError == nil { firstError = error }; lock.unlock() }

    /// The timed searches' QPS and percentiles, or the first error one of them met.
    func phase(wallSeconds: Double) throws -> Vecscope.BenchSuite.Concurrent.Phase {
        lock.lock(); defer { lock.unlock() }
        if let firstError { throw firstError }
        let stats = LatencyStats(samples: samples)
        return Vecscope.BenchSuite.Concurrent.Phase(
            stats: stats, qps: LatencyStats.queriesPerSecond(count: stats.count, wallSeconds: wallSeconds))
    }
}

/// A tally whose searches run on threads of their own; worker i only touches `workers[i]` (an engine or a client).
private final class LoadBox<Worker>: LoadTally, @unchecked Sendable {
    private let workers: [Worker]
    private let body: (Worker, Int) throws -> Void

    init(workers: [Worker], total: Int, body: @escaping (Worker, Int) throws -> Void) {
        self.workers = workers
        self.body = body
        super.init(total: total)
    }

    /// Search number `index`, on worker `worker`'s engine or client.
    func perform(_ worker: Int, _ index: Int) throws { try body(workers[worker], index) }
}

/// What the write-load benchmark's worker has written, read by the timing thread.
private final class WriteCounter: @unchecked Sendable {
    struct Snapshot {
        var vectors: Int
        var queued: Int
        var at: Date
    }
    private let lock = NSLock()
    private var vectors = 0
    private var queued = 0
    private var lastBatch = Date()
    private var stop = false
    private var firstError: (any Error)?

    var stopRequested: Bool { lock.lock(); defer { lock.unlock() }; return stop }
    func requestStop() { lock.lock(); stop = true; lock.unlock() }
    func fail(_ error: any Error) { lock.lock(); firstError = error; lock.unlock() }
    var error: (any Error)? { lock.lock(); defer { lock.unlock() }; return firstError }

    func add(_ count: Int, queued: Int) {
        lock.lock()
        vectors += count
        self.queued = queued
        lastBatch = Date()
        lock.unlock()
    }

    /// Counts as of the last committed batch, and when it committed.
    func snapshot() -> Snapshot {
        lock.lock(); defer { lock.unlock() }
        return Snapshot(vectors: vectors, queued: queued, at: lastBatch)
    }
}

/// Hands a value to the one thread that uses it from then on.
private final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
