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

    /// N connections on N threads run whole searches (ANN, scores, explanations) as fast as they can, first on the
    /// fresh pool, then timed again on the warmed one.
    struct Concurrent: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "concurrent",
            abstract: "QPS and latency percentiles with N concurrent searches (N connections, N threads).")
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

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let target = database
                let sample = try SweepQuery.storedSample(try target.connect(), model: model, count: queries)
                guard !sample.isEmpty else {
                    throw VecscopeError(what: "no vectors of model \(model)", fix: "Run `vecscope gen` first.")
                }
                var params = SearchParams()
                params.model = model
                params.method = .semantic
                params.efSearch = efSearch
                params.limit = 10
                try params.validate()
                let engines = try (0..<concurrency).map { _ in
                    SearchEngine(connection: try target.connect(migrate: false))
                }
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
        static func phase(
            _ engines: [SearchEngine], sample: [SweepQuery], params: SearchParams, searches: Int
        ) throws -> Phase {
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
