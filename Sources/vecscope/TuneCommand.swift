import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    struct Tune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Tune ranking on graded jobs (the hybrid fusion and BM25, leave-one-job-out) and the index knob for a recall target.",
            subcommands: [Fusion.self, Threshold.self, Ranker.self, Index.self])
    }
}

extension Vecscope.Tune {
    struct Fusion: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Search RRF k, weighted alpha, BM25 k1 / b and the content field's weight on graded jobs with leave-one-job-out; print the "
                + "table and a recommendation; --apply stores it as the database's default.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var search: SearchOptions
        @OptionGroup var graded: GradedJobOptions
        @Option(help: "How many settings to list.") var top = 12
        @Flag(help: "Also search BM25's content weight (1, 0.5, 0.25): worth it with many graded jobs, not with few.")
        var fieldWeights = false
        @Flag(help: "Store the recommendation as the default fusion and BM25 k1 / b for the CLI and the TUI.")
        var apply = false

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let engine = SearchEngine(connection: try database.connect())
                engine.keywordIndexes = KeywordIndexStore()  // every graded job's text, under several methods
                let evaluator = Evaluator(engine: engine)
                let queries = try graded.queries(evaluator: evaluator)
                let params = try search.params(method: .hybrid, limit: 10)
                let bar = ProgressBar(label: "tune fusion", unit: "rankings")
                let result = try FusionTuner(evaluator: evaluator).tune(
                    queries, params: params, contentWeights: fieldWeights ? FusionTuner.contentWeights : [1.0]
                ) { done, total in
                    bar.update(done: done, total: total)
                }
                bar.finish()
                let f = { (value: Double) in String(format: "%.3f", value) }
                print("Best settings on all \(result.jobs) graded jobs (in-sample, optimistic):")
                EvaluationPrinter.printTable(
                    header: ["setting", "nDCG@5", "nDCG@10", "P@5", "MRR", "pairwise"],
                    rows: result.rows.prefix(top).map { [$0.setting.label] + EvaluationPrinter.values($0.inSample) })
                print("")
                print("Leave-one-job-out (each job measured with the setting chosen on the others, by nDCG@5):")
                var rows = result.heldOut.map { ["hybrid, \($0.family)"] + EvaluationPrinter.values($0.quality) }
                rows.append(["keyword alone (BM25 k1 1.2 b 0.75)"] + EvaluationPrinter.values(result.keywordAlone))
                rows.append(["semantic alone"] + EvaluationPrinter.values(result.semanticAlone))
                EvaluationPrinter.printTable(
                    header: ["ranking", "nDCG@5", "nDCG@10", "P@5", "MRR", "pairwise"], rows: rows)
                print("")
                print("recommended: \(result.recommended.label)")
                if let either = result.heldOut.first(where: { $0.family == "either" }) {
                    print(
                        "held-out nDCG@5 \(f(either.quality.ndcg5)) vs keyword alone \(f(result.keywordAlone.ndcg5))")
                }
                if apply {
                    let setting = result.recommended
                    try RankingDefaults(
                        fusion: setting.fusion, k1: setting.k1, b: setting.b, contentWeight: setting.contentWeight
                    ).store(
                        in: engine.connection)
                    print(
                        "stored as the database's default: search, rank, eval and the TUI use it unless told otherwise")
                }
            }
        }
    }
}

extension Vecscope.Tune {
    struct Threshold: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the cosine-similarity histogram per grade and precision / recall / F1 per minimum "
                + "similarity over the judged artifacts, and recommend the cut-off with the best F1.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var search: SearchOptions
        @OptionGroup var graded: GradedJobOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let engine = SearchEngine(connection: try database.connect())
                engine.keywordIndexes = KeywordIndexStore()  // every graded job's text, under several methods
                let evaluator = Evaluator(engine: engine)
                let queries = try graded.queries(evaluator: evaluator)
                let result = try ThresholdTuner(evaluator: evaluator).tune(
                    queries, params: try search.params(method: .semantic, limit: 10))
                let f = { (value: Double) in String(format: "%.2f", value) }
                print(
                    "Cosine similarity of \(result.judged) judged artifacts (\(result.relevant) graded ≥ 2), per grade:"
                )
                let bins = result.histogram[0]?.count ?? 0
                let peak = max(1, result.histogram.values.flatMap { $0 }.max() ?? 1)
                for bin in 0..<bins {
                    let from = result.binStart + Double(bin) * result.binWidth
                    var line = String(format: "%5.2f–%5.2f ", from, from + result.binWidth)
                    for grade in 0...3 {
                        let count = result.histogram[grade]?[bin] ?? 0
                        let bar = String(repeating: "█", count: Int((Double(count) / Double(peak) * 12).rounded(.up)))
                        line +=
                            " \(grade):" + String(format: "%3d", count) + " "
                            + bar.padding(
                                toLength: 12, withPad: " ", startingAt: 0)
                    }
                    print(line)
                }
                print("")
                EvaluationPrinter.printTable(
                    header: ["min similarity", "kept", "precision", "recall", "F1", ""],
                    rows: result.cutoffs.map {
                        [
                            f($0.threshold), String($0.kept), f($0.precision), f($0.recall), f($0.f1),
                            $0 == result.recommended ? "← best F1" : "",
                        ]
                    })
                print("")
                print(
                    "recommended minimum similarity: \(f(result.recommended.threshold)) (precision "
                        + "\(f(result.recommended.precision)), recall \(f(result.recommended.recall))); use it as "
                        + "--threshold \(f(result.recommended.threshold)) or the TUI's min similarity")
            }
        }
    }
}

extension Vecscope.Tune {
    struct Ranker: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit a linear ranker over vecscope's signals (BM25 per field, similarity of full text / "
                + "summary / best chunk, each signal's rank, artifact type) to the grades by coordinate ascent on "
                + "nDCG@10, and report its leave-one-job-out gain over the default fusion and BM25.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var search: SearchOptions
        @OptionGroup var graded: GradedJobOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let engine = SearchEngine(connection: try database.connect())
                engine.keywordIndexes = KeywordIndexStore()  // every graded job's text, under several methods
                let evaluator = Evaluator(engine: engine)
                let queries = try graded.queries(evaluator: evaluator)
                let params = try search.params(
                    method: .hybrid, limit: 10, stored: try RankingDefaults.stored(in: engine.connection))
                let alpha: Double
                if case .weighted(let value) = params.fusion {
                    alpha = value
                } else {
                    alpha = HybridFusion.defaultAlpha
                }
                let table = try FeatureTable.read(queries, evaluator: evaluator, params: params)
                let result = RankerTuning.run(table, alpha: alpha)
                print("Leave-one-job-out over \(result.jobs) graded jobs (fitted on the others, measured on each):")
                EvaluationPrinter.printTable(
                    header: ["ranking", "nDCG@5", "nDCG@10", "P@5", "MRR", "pairwise"],
                    rows: [
                        ["learned (held out)"] + EvaluationPrinter.values(result.learnedHeldOut),
                        [String(format: "fusion (weighted alpha %.2f)", alpha)]
                            + EvaluationPrinter.values(result.fusion),
                        ["BM25 alone"] + EvaluationPrinter.values(result.bm25),
                        ["learned (in-sample, optimistic)"] + EvaluationPrinter.values(result.fittedOnAllInSample),
                    ])
                print("")
                print("weights fitted on every job:")
                for feature in LinearRanker.Feature.allCases {
                    if let weight = result.fittedOnAll.weights[feature], weight != 0 {
                        print(
                            "  " + feature.rawValue.padding(toLength: 24, withPad: " ", startingAt: 0)
                                + String(format: "%+.3f", weight))
                    }
                }
                for type in ArtifactType.allCases {
                    if let weight = result.fittedOnAll.typeWeights[type], weight != 0 {
                        print(
                            "  " + ("type " + type.rawValue).padding(toLength: 24, withPad: " ", startingAt: 0)
                                + String(format: "%+.3f", weight))
                    }
                }
                print("")
                let gain = result.learnedHeldOut.ndcg10 - result.fusion.ndcg10
                print(
                    String(
                        format: "held-out nDCG@10 %+.3f against the fusion: %@", gain,
                        result.beatsFusion
                            ? "the learned ranker earns its place"
                            : "the fusion stays (more judged jobs may change that)"))
            }
        }
    }
}

extension Vecscope.Tune {
    /// `vecscope tune index`: the cheapest ef_search (HNSW) or probes (IVFFlat) meeting a recall target, measured.
    struct Index: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "index",
            abstract:
                "Sweep the index's ef_search (HNSW) or probes (IVFFlat) upwards with stored-vector queries and pick the "
                + "smallest value whose recall@k against exact search meets the target within --max-p95 and whose "
                + "judged jobs rank as well as by exact search (nDCG@k); --apply stores it as the default of search, "
                + "rank, the TUI and serve.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Embedding model (see `vecscope models`).") var model = SearchParams.defaultModel
        @Option(help: "The index tuned (default: the model's first, full-vector HNSW first).") var index: String?
        @Option(help: "Mean recall@k the setting must reach (0…1).") var targetRecall: Double
        @Option(help: "Largest p95 latency (ms) allowed.") var maxP95: Double?
        @Option(help: "Results per query (recall@k, and nDCG@k of the judged jobs).") var k = 10
        @Option(help: "Stored artifact vectors sampled as queries.") var queries = 50
        @Option(help: "Through a bit index: the re-ranking depth (default 4).") var rerank: Int?
        @OptionGroup var graded: GradedJobOptions
        @Flag(help: "Store the chosen value as the default for search, rank and the TUI.") var apply = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (0...1).contains(targetRecall) else { throw ValidationError("--target-recall must be 0…1") }
            guard (1...1000).contains(k) else { throw ValidationError("--k must be 1…1000") }
            guard queries >= 1 else { throw ValidationError("--queries must be 1 or more") }
        }

        /// The judged jobs' check, or why there is none: a model without a text embedder cannot rank job texts, and
        /// a database without grades (and no --judgments) has no judged jobs.
        func judgedCheck(engine: SearchEngine, base: SearchParams) throws -> (JudgedCheck?, skipped: String?) {
            let provider = try EmbeddingModelRegistry(connection: engine.connection).model(named: model).provider
            if provider == .synthetic {
                return (nil, "\(model) has no text embedder, so job texts cannot be ranked with it")
            }
            let evaluator = Evaluator(engine: engine)
            if graded.judgments == nil, try JudgmentStore(connection: engine.connection).all().isEmpty {
                return (nil, "no grades stored (grade in the TUI, `vecscope judgments import`, or pass --judgments)")
            }
            let check = try JudgedCheck(
                engine: engine, queries: try graded.queries(evaluator: evaluator), k: k, base: base)
            if check.jobs == 0 { return (nil, "no judged job has an artifact graded 2 or more") }
            return (check, nil)
        }

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let connection = try database.connect()
                let engine = SearchEngine(connection: connection)
                let indexes = try engine.plannableIndexes(model: model)
                let chosen = index.map { name in indexes.first { $0.name == name } } ?? indexes.first
                guard let tuned = chosen else {
                    throw VecscopeError(
                        what: index.map { "no vector index \($0) of \(model)" } ?? "\(model) has no vector index",
                        fix: indexes.isEmpty
                            ? "Create one: `vecscope index create --model \(model)`."
                            : "Use one of: \(indexes.map(\.name).joined(separator: ", ")).")
                }
                var base = SearchParams()
                base.model = model
                base.rerank = rerank
                if let metric = tuned.metric { base.metric = metric }
                try base.validate()
                let target = database
                let sweep = Sweep(base: base, k: k, serverSamples: 0) {
                    SearchEngine(connection: try target.connect(migrate: false))
                }
                let sample = try SweepQuery.storedSample(connection, model: model, count: queries)
                let lists = try IndexManager(connection: connection).index(named: tuned.name).lists
                let (judged, skipped) = try judgedCheck(engine: engine, base: base)
                let tuner = IndexTuner(index: tuned, targetRecall: targetRecall, maxP95Ms: maxP95)
                let bar = ProgressBar(label: "tune \(tuner.knob)", unit: "values", enabled: !output.json)
                let (steps, verdict) = try tuner.run(sweep, queries: sample, lists: lists, judged: judged) {
                    bar.update(done: $0, total: $1)
                }
                bar.finish()
                var tuning: IndexTuning?
                if case .chosen(let step) = verdict { tuning = tuner.tuning(step, k: k, exactNDCG: judged?.exactNDCG) }
                if let tuning, apply { try tuning.store(in: connection) }
                let judgedBody = IndexTuningBody.Judged(
                    jobs: judged?.jobs ?? 0, k: k, exactNDCG: judged?.exactNDCG, skipped: skipped)
                if output.json {
                    print(
                        try JSONText.encode(
                            IndexTuningBody(
                                index: tuned.name, knob: tuner.knob,
                                rows: steps.map { SweepRowBody($0.row, k: k, userScoped: false, ndcg: $0.ndcg) },
                                judged: judgedBody, chosen: tuning, applied: tuning != nil && apply,
                                reason: verdict.reason)))
                } else {
                    print(IndexTuningReport.table(steps, tuner: tuner, k: k))
                    print(IndexTuningReport.judgedLine(judgedBody))
                    if let tuning {
                        print(
                            String(
                                format: "chosen: %@ %d on %@ — recall@%d %.3f, p95 %.2f ms", tuner.knob, tuning.value,
                                tuned.name, k, tuning.recall, tuning.p95Ms)
                                + (tuning.ndcg.map { String(format: ", judged nDCG@%d %.3f", k, $0) } ?? ""))
                        print(
                            apply
                                ? "stored: search, rank and the TUI use it unless a flag sets \(tuner.knob) (\(tuning.summary))"
                                : "not stored: add --apply to make it the default")
                    }
                }
                if tuning == nil {
                    throw VecscopeError(
                        what: "no \(tuner.knob) of \(tuned.name) meets recall@\(k) ≥ \(targetRecall)"
                            + (maxP95.map { String(format: " within p95 %.2f ms", $0) } ?? "")
                            + (judged == nil ? "" : " keeping the judged jobs' nDCG@\(k)"),
                        why: verdict.reason ?? "",
                        fix:
                            "Lower --target-recall, raise --max-p95, or rebuild the index with larger m / ef_construction (HNSW) or lists (IVFFlat)."
                    )
                }
            }
        }
    }
}

/// `tune index`'s swept values as a table.
enum IndexTuningReport {
    static func table(_ steps: [IndexTuner.Step], tuner: IndexTuner, k: Int) -> String {
        let header =
            [tuner.knob.padding(toLength: 10, withPad: " ", startingAt: 0)]
            + ["recall@\(k)", "min", "p50 ms", "p95 ms", "nDCG@\(k)"].enumerated().map { position, title in
                String(repeating: " ", count: max(0, (position == 0 ? 10 : 8) - title.count)) + title
            }
        var lines = [header.joined(separator: " ")]
        for step in steps {
            let row = step.row
            let value = tuner.index.type == .hnsw ? row.setting.efSearch : row.setting.probes
            let ndcg = step.ndcg.map { String(format: "%.3f", $0) } ?? "–"
            lines.append(
                String(
                    format: "%-10d %10.3f %8.3f %8.2f %8.2f ", value, row.recallMean, row.recallMin, row.latency.p50,
                    row.latency.p95) + String(repeating: " ", count: max(0, 8 - ndcg.count)) + ndcg)
        }
        return lines.joined(separator: "\n")
    }

    /// "judged jobs: 8, nDCG@10 by exact search 0.743 (a value must not rank them lower)" or why not checked.
    static func judgedLine(_ judged: IndexTuningBody.Judged) -> String {
        if let skipped = judged.skipped { return "judged jobs not checked: " + skipped }
        return String(
            format: "judged jobs: %d (semantic), nDCG@%d by exact search %.3f — a value must not rank them lower",
            judged.jobs, judged.k, judged.exactNDCG ?? 0)
    }
}

/// Where `eval` and `tune` read graded jobs: a TSV file with the jobs' texts, or the grades in the database.
struct GradedJobOptions: ParsableArguments {
    @Option(help: "Grades as job_id<TAB>artifact_id<TAB>grade (default: the grades stored in the database).")
    var judgments: String?
    @Option(help: "The jobs' texts, JSONL of {id, title, text} (default: Fixtures/jobs.jsonl).") var jobs: String?

    func queries(evaluator: Evaluator) throws -> [JudgedQuery] {
        var catalog: JobCatalog?
        if let jobs {
            catalog = try JobCatalog.load(file: URL(fileURLWithPath: jobs))
        } else if let folder = try? FixturesLocator.folder(explicit: nil, needs: "jobs.jsonl") {
            catalog = try JobCatalog.load(from: folder)
        }
        let queries: [JudgedQuery]
        if let judgments {
            guard let text = try? String(contentsOfFile: judgments, encoding: .utf8) else {
                throw VecscopeError(
                    what: "cannot read \(judgments)", fix: "Check the path; the file must be UTF-8 TSV.")
            }
            guard let catalog else {
                throw VecscopeError(
                    what: "no job texts for \(judgments)", fix: "Pass --jobs FILE (JSONL of {id, title, text}).")
            }
            queries = try evaluator.queries(judgmentsTSV: text, jobs: catalog)
        } else {
            queries = try evaluator.storedQueries(jobs: catalog)
        }
        guard !queries.isEmpty else {
            throw VecscopeError(
                what: "no graded jobs",
                why: judgments == nil ? "the database holds no judgments" : "the file holds no grades",
                fix: "Grade results in the TUI (0–3), `vecscope judgments import FILE`, or pass "
                    + "--judgments Fixtures/judgments.tsv.")
        }
        return queries
    }
}
