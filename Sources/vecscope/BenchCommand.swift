import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    /// `vecscope bench`: recall@k against exact search, latency percentiles and QPS for each index setting.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sweep ef_search / probes / iterative scan: recall@k vs exact search, p50/p95/p99 latency, QPS.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var reads: ReadOptions
        @Option(help: "Embedding model (see `vecscope models`).") var model = SearchParams.defaultModel
        @Option(help: "Comma-separated HNSW ef_search values.") var efSearch = CommaSeparated([10, 20, 40, 80, 160])
        @Option(help: "Comma-separated IVFFlat probes values.") var probes = CommaSeparated([1])
        @Option(help: "Comma-separated iterative scans.") var iterativeScan = CommaSeparated([IterativeScan.off])
        @Option(help: "Stored artifact vectors sampled as queries (besides the fixture jobs for a text model).")
        var queries = 50
        @Option(help: "A file of query texts, one a line (text models only), instead of the default queries.")
        var queryFile: String?
        @Option(help: "Results per query (recall@k).") var k = 10
        @Option(help: "Connections (one thread each) running queries at once.") var concurrency = 1
        @Option(help: "Only this user's artifacts (external id).") var user: String?
        @Flag(
            help: ArgumentHelp(
                "Scope each query to one user: a stored vector to its owner, a text query to a user with many artifacts.",
                discussion:
                    "Filtered HNSW scans can return fewer than k rows; compare --iterative-scan off,relaxed_order."))
        var userScoped = false
        @Option(help: "Queries per setting re-run with EXPLAIN ANALYZE for the server's time.") var serverSamples = 10
        @Flag(help: "Keep the planner on the vector index even where a seq scan is cheaper.") var forceIndex = false
        @Option(help: "How to print the sweep.") var format = ReportFormat.table
        @Option(
            help: ArgumentHelp(
                "Compare index variants (none,halfvec,bit): each is built unless it exists, then searched pinned.",
                discussion:
                    "One row per variant, re-ranking depth (bit) and setting: size, size against the full-vector index, build time, recall@k against exact full-precision search, latency, QPS."
            )) var variants: CommaSeparated<VectorQuantization>?
        @Option(help: "With --variants: the re-ranking depths tried for bit (candidates = N × k).")
        var rerank = CommaSeparated([1, 2, 4, 8])
        @Option(help: "With --variants: the index type built and searched.") var indexType = VectorIndexType.hnsw
        @Option(
            help: ArgumentHelp(
                "With --user-scoped: compare one shared index against N hash partitions by user.",
                discussion:
                    "Sweeps the table as it is (one table), partitions it (`vecscope partition`), sweeps again with the same queries, then puts it back; a row per layout and setting, with p95 over the shared layout's."
            )) var partitions: Int?

        func validate() throws {
            guard concurrency >= 1 else { throw ValidationError("--concurrency must be 1 or more") }
            guard (1...1000).contains(k) else { throw ValidationError("--k must be 1…1000") }
            guard !(userScoped && user != nil) else {
                throw ValidationError("--user-scoped and --user exclude each other: pick one")
            }
            if partitions != nil {
                guard userScoped else {
                    throw ValidationError("--partitions compares user-scoped searches: add --user-scoped")
                }
                guard variants == nil else { throw ValidationError("--partitions and --variants exclude each other") }
            }
            guard rerank.values.allSatisfy({ (1...100).contains($0) }) else {
                throw ValidationError("--rerank values must be 1…100 (candidates read as a multiple of k)")
            }
        }

        func run() throws {
            try runReportingErrors {
                let settings = SweepSetting.grid(
                    efSearch: efSearch.values, probes: probes.values,
                    iterativeScans: iterativeScan.values)
                let connection = try reads.connect(database)
                let engine = SearchEngine(connection: connection)
                let embeddingModel = try engine.model(named: model)
                var sweepQueries = try loadQueries(engine: engine, model: embeddingModel)
                if userScoped {
                    sweepQueries = try SweepQuery.scopingUnscoped(sweepQueries, connection: connection, model: model)
                }
                var base = SearchParams()
                base.model = model
                if let user { base.userScope = .user(user) }
                try base.validate()
                let target = database, reads = reads
                let sweep = Sweep(
                    base: base, k: k, concurrency: concurrency, serverSamples: serverSamples, forceIndexScan: forceIndex
                ) {
                    SearchEngine(connection: try reads.connectAgain(target))
                }
                if let partitions {
                    let (shared, partitioned) = try compareLayouts(
                        partitions, sweep: sweep, settings: settings, queries: sweepQueries)
                    print(
                        try LayoutReport.render(
                            shared: shared, partitioned: partitioned, partitions: partitions, format: format, k: k))
                    return
                }
                if let variants {
                    let bench = IndexVariantBench(model: embeddingModel, type: indexType, metric: base.metric)
                    let phases = PhaseProgress(enabled: format == .table)
                    let (indexes, fullSize) = try bench.prepare(
                        variants.values, manager: IndexManager(connection: try database.connect()),
                        monitor: try database.connect(migrate: false)
                    ) { phases.update($1) }
                    phases.finish()
                    let bar = ProgressBar(label: "bench", unit: "variants", enabled: format == .table)
                    let rows = try bench.run(
                        indexes, fullSize: fullSize, reranks: rerank.values, settings: settings,
                        queries: sweepQueries, sweep: sweep
                    ) { bar.update(done: $0, total: $1) }
                    bar.finish()
                    print(try VariantReport.render(rows, format: format, k: k, userScoped: userScoped))
                    return
                }
                let bar = ProgressBar(label: "bench", unit: "settings", enabled: format == .table)
                let rows = try sweep.run(settings, queries: sweepQueries) { bar.update(done: $0, total: $1) }
                bar.finish()
                print(try BenchReport.render(rows, format: format, k: k, userScoped: userScoped))
            }
        }

        /// `--partitions N`: the sweep on one shared table, then on N hash partitions by user, then the table put
        /// back (also when the second sweep fails).
        private func compareLayouts(
            _ partitions: Int, sweep: Sweep, settings: [SweepSetting], queries: [SweepQuery]
        ) throws -> (shared: [SweepRow], partitioned: [SweepRow]) {
            let layout = EmbeddingPartitions(connection: try database.connect())
            guard try layout.partitions() == 0 else {
                throw VecscopeError(
                    what: "artifact_embeddings is partitioned already",
                    why: "--partitions measures one shared index first, then partitions the table for the second sweep",
                    fix: "Run `vecscope partition --undo` first, or bench without --partitions.", kind: .invalidInput)
            }
            let shown = format == .table
            let sharedBar = ProgressBar(label: "shared", unit: "settings", enabled: shown)
            let shared = try sweep.run(settings, queries: queries) { sharedBar.update(done: $0, total: $1) }
            sharedBar.finish()
            let moving = PartitionProgress(enabled: shown)
            _ = try layout.partition(into: partitions) { moving.update($0) }
            moving.finish()
            let partitioned: [SweepRow]
            do {
                let bar = ProgressBar(label: "partitioned", unit: "settings", enabled: shown)
                partitioned = try sweep.run(settings, queries: queries) { bar.update(done: $0, total: $1) }
                bar.finish()
            } catch {
                _ = try? layout.undo()
                throw error
            }
            let back = PartitionProgress(enabled: shown)
            _ = try layout.undo { back.update($0) }
            back.finish()
            return (shared, partitioned)
        }

        private func loadQueries(engine: SearchEngine, model: EmbeddingModel) throws -> [SweepQuery] {
            var result: [SweepQuery] = []
            if let queryFile {
                let text = try String(contentsOfFile: queryFile, encoding: .utf8)
                for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    result.append(
                        SweepQuery(
                            label: String(line.prefix(40)),
                            vector: try engine.queryVector(.text(String(line)), model: model).vector))
                }
                return result
            }
            if model.provider == .local, let folder = try? FixturesLocator.folder(explicit: nil),
                let jobs = try? JobCatalog.load(from: folder)
            {
                for job in jobs.jobs {
                    result.append(
                        SweepQuery(label: job.id, vector: try engine.queryVector(.text(job.text), model: model).vector))
                }
            }
            // A repeatable sample of stored vectors; each excludes its own artifact from the answers.
            result += try SweepQuery.storedSample(
                engine.connection, model: model.name, count: queries, userScoped: userScoped)
            return result
        }
    }
}

/// The sweep's table, CSV or JSON, plus the recall-vs-p95 chart under the table.
enum BenchReport {
    static func render(_ rows: [SweepRow], format: ReportFormat, k: Int, userScoped: Bool = false) throws -> String {
        func ms(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "" }
        switch format {
        case .json:
            return try JSONText.encode(rows.map { SweepRowBody($0, k: k, userScoped: userScoped) })
        case .csv:
            var lines = [
                "ef_search,probes,iterative_scan,queries,recall_mean,recall_min,p50_ms,p95_ms,p99_ms,max_ms,server_p50_ms,qps,mean_shortfall,queries_short,pareto"
            ]
            for row in rows {
                lines.append(
                    [
                        String(row.setting.efSearch), String(row.setting.probes), row.setting.iterativeScan.rawValue,
                        String(row.queries),
                        String(format: "%.4f", row.recallMean), String(format: "%.4f", row.recallMin),
                        ms(row.latency.p50),
                        ms(row.latency.p95), ms(row.latency.p99), ms(row.latency.max), ms(row.serverLatency?.p50),
                        String(format: "%.1f", row.queriesPerSecond), String(format: "%.2f", row.meanShortfall),
                        String(row.queriesShort), row.onParetoFront ? "1" : "0",
                    ].joined(separator: ","))
            }
            return lines.joined(separator: "\n")
        case .table:
            var lines = [
                String(
                    format: "%-3@ %-44@ %8@ %7@ %8@ %8@ %8@ %8@ %8@ %6@", "#", "setting", "recall@\(k)", "min",
                    "p50 ms",
                    "p95 ms", "p99 ms", "srv p50", "QPS", "short")
            ]
            for (index, row) in rows.enumerated() {
                lines.append(
                    String(
                        format: "%-3@ %-44@ %8.3f %7.3f %8.2f %8.2f %8.2f %8@ %8.1f %6d",
                        "\(index + 1)\(row.onParetoFront ? "*" : "")",
                        row.setting.label, row.recallMean, row.recallMin, row.latency.p50, row.latency.p95,
                        row.latency.p99,
                        ms(row.serverLatency?.p50), row.queriesPerSecond, row.queriesShort))
            }
            lines.append(
                "* Pareto front (no other setting has both higher recall and lower p95). short: queries with fewer rows than k."
            )
            if userScoped {
                lines.append(
                    "Each query was scoped to one user's artifacts (--user-scoped); recall is against that user's exact top \(k)."
                )
            }
            lines.append("")
            lines.append("recall@\(k) vs p95 latency (points numbered as rows):")
            lines += RecallChart.render(rows)
            return lines.joined(separator: "\n")
        }
    }
}

/// `bench --variants` as a table, CSV or JSON: one row per variant, re-ranking depth and setting.
enum VariantReport {
    static func render(_ rows: [VariantRow], format: ReportFormat, k: Int, userScoped: Bool) throws -> String {
        func number(_ value: Double?, _ pattern: String) -> String { value.map { String(format: pattern, $0) } ?? "" }
        switch format {
        case .json:
            return try JSONText.encode(rows.map { VariantRowBody($0, k: k, userScoped: userScoped) })
        case .csv:
            var lines = [
                "variant,rerank,index_name,size_bytes,size_ratio,build_seconds,ef_search,probes,iterative_scan,queries,recall_mean,recall_min,p50_ms,p95_ms,p99_ms,qps,queries_short,pareto"
            ]
            for row in rows {
                let sweep = row.sweep
                lines.append(
                    [
                        row.index.quantization.rawValue, row.rerank.map(String.init) ?? "", row.index.name,
                        String(row.index.sizeBytes), number(row.sizeRatio, "%.4f"),
                        number(row.index.buildSeconds, "%.3f"), String(sweep.setting.efSearch),
                        String(sweep.setting.probes), sweep.setting.iterativeScan.rawValue, String(sweep.queries),
                        String(format: "%.4f", sweep.recallMean), String(format: "%.4f", sweep.recallMin),
                        number(sweep.latency.p50, "%.2f"), number(sweep.latency.p95, "%.2f"),
                        number(sweep.latency.p99, "%.2f"), String(format: "%.1f", sweep.queriesPerSecond),
                        String(sweep.queriesShort), sweep.onParetoFront ? "1" : "0",
                    ].joined(separator: ","))
            }
            return lines.joined(separator: "\n")
        case .table:
            let header = [
                "#", "variant", "rerank", "size", "× full", "build s", "setting", "recall@\(k)", "min", "p50 ms",
                "p95 ms", "QPS", "short",
            ]
            var cells: [[String]] = []
            for (position, row) in rows.enumerated() {
                let sweep = row.sweep
                let size = ByteSize.readable(row.index.sizeBytes)
                cells.append([
                    "\(position + 1)\(sweep.onParetoFront ? "*" : "")", row.index.quantization.rawValue,
                    row.rerank.map { "\($0)×" } ?? "-", size, number(row.sizeRatio, "%.3f"),
                    number(row.index.buildSeconds, "%.1f") + (row.index.builtNow ? "" : " (kept)"),
                    sweep.setting.label, String(format: "%.3f", sweep.recallMean),
                    String(format: "%.3f", sweep.recallMin), String(format: "%.2f", sweep.latency.p50),
                    String(format: "%.2f", sweep.latency.p95), String(format: "%.1f", sweep.queriesPerSecond),
                    String(sweep.queriesShort),
                ])
            }
            let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
            func line(_ row: [String]) -> String {
                row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            }
            var lines = [line(header)] + cells.map(line)
            lines.append(
                "* Pareto front (no other row has both higher recall and lower p95). × full: size over the full-vector index. "
                    + "rerank: bit candidates read as a multiple of k, ordered at full precision (ef_search raised to that many)."
            )
            lines.append(
                "Recall is against exact full-precision search; (kept): build time of vecscope's earlier build.")
            if userScoped { lines.append("Each query was scoped to one user's artifacts (--user-scoped).") }
            lines.append("")
            lines.append("recall@\(k) vs p95 latency (points numbered as rows):")
            lines += RecallChart.render(rows.map(\.sweep))
            return lines.joined(separator: "\n")
        }
    }
}

/// `bench --user-scoped --partitions N` as a table, CSV or JSON: each setting under one shared index, then under N
/// hash partitions by user, with p95 over the shared layout's.
enum LayoutReport {
    static func render(
        shared: [SweepRow], partitioned: [SweepRow], partitions: Int, format: ReportFormat, k: Int
    ) throws -> String {
        let layouts: [(name: String, partitions: Int, rows: [SweepRow])] = [
            ("shared", 0, shared), ("partitioned", partitions, partitioned),
        ]
        func ratio(_ row: SweepRow, at index: Int) -> Double? {
            let base = shared[index].latency.p95
            return base > 0 ? row.latency.p95 / base : nil
        }
        switch format {
        case .json:
            var bodies: [LayoutRowBody] = []
            for layout in layouts {
                for (index, row) in layout.rows.enumerated() {
                    bodies.append(
                        LayoutRowBody(
                            layout: layout.name, partitions: layout.partitions, p95Ratio: ratio(row, at: index),
                            row: SweepRowBody(row, k: k, userScoped: true)))
                }
            }
            return try JSONText.encode(bodies)
        case .csv:
            var lines = [
                "layout,partitions,ef_search,probes,iterative_scan,queries,recall_mean,recall_min,p50_ms,p95_ms,p95_ratio,mean_shortfall,queries_short,plan"
            ]
            for layout in layouts {
                for (index, row) in layout.rows.enumerated() {
                    lines.append(
                        [
                            layout.name, String(layout.partitions), String(row.setting.efSearch),
                            String(row.setting.probes), row.setting.iterativeScan.rawValue, String(row.queries),
                            String(format: "%.4f", row.recallMean), String(format: "%.4f", row.recallMin),
                            String(format: "%.2f", row.latency.p50), String(format: "%.2f", row.latency.p95),
                            ratio(row, at: index).map { String(format: "%.3f", $0) } ?? "",
                            String(format: "%.2f", row.meanShortfall), String(row.queriesShort),
                            "\"\(row.plan ?? "")\"",
                        ].joined(separator: ","))
                }
            }
            return lines.joined(separator: "\n")
        case .table:
            var rows: [[String]] = []
            for layout in layouts {
                let name = layout.partitions == 0 ? "shared" : "\(layout.partitions) partitions"
                for (index, row) in layout.rows.enumerated() {
                    rows.append([
                        name, row.setting.label, String(format: "%.3f", row.recallMean),
                        String(format: "%.3f", row.recallMin), String(format: "%.2f", row.latency.p50),
                        String(format: "%.2f", row.latency.p95),
                        ratio(row, at: index).map { String(format: "%.2f", $0) } ?? "-", String(row.queriesShort),
                        row.plan ?? "-",
                    ])
                }
            }
            var lines = [
                TextTable.render(
                    header: [
                        "layout", "setting", "recall@\(k)", "min", "p50 ms", "p95 ms", "p95 ×shared", "short", "plan",
                    ],
                    rows: rows)
            ]
            lines.append(
                "Each query was scoped to one user's artifacts; recall is against that user's exact top \(k). short: queries with fewer rows than k."
            )
            lines.append(
                "partitioned: artifact_embeddings hash-partitioned by user (`vecscope partition`), one index per partition; put back after the sweep."
            )
            return lines.joined(separator: "\n")
        }
    }
}
