import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure each ranking method on graded jobs (nDCG@5/@10, P@5, MRR, pairwise agreement), beside "
                + "BM25 and TF-IDF baselines computed in Swift on the same texts.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var search: SearchOptions
        @OptionGroup var graded: GradedJobOptions
        @Option(help: "Methods to measure.") var methods = CommaSeparated<RankingMethod>([.semantic, .keyword, .hybrid])
        @Flag(help: "Rank each user's artifacts on their own: one query per (job, user) with a relevant artifact.")
        var perUser = false
        @Option(help: "Output format.") var format = ReportFormat.table

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let engine = SearchEngine(connection: try database.connect())
                engine.keywordIndexes = KeywordIndexStore()  // every graded job's text, under several methods
                let evaluator = Evaluator(engine: engine)
                var queries = try graded.queries(evaluator: evaluator)
                if perUser { queries = evaluator.perUser(queries, corpus: try evaluator.corpus()) }
                let params = try search.params(
                    method: .hybrid, limit: 10, stored: try RankingDefaults.stored(in: engine.connection))
                let bar = ProgressBar(label: "eval", unit: "rankings", enabled: format == .table)
                let total = queries.count * methods.values.count
                var done = 0
                let report = try evaluator.run(queries, methods: methods.values, params: params) { _ in
                    bar.update(done: done, total: total)
                    done += 1
                }
                bar.update(done: total, total: total)
                bar.finish()
                switch format {
                case .json: print(try JSONText.encode(report))
                case .csv: EvaluationPrinter.csv(report)
                case .table: EvaluationPrinter.table(report, params: params)
                }
            }
        }
    }
}

enum EvaluationPrinter {
    static let columns = ["nDCG@5", "nDCG@10", "P@5", "MRR", "pairwise"]

    static func values(_ q: RankingQuality) -> [String] {
        [q.ndcg5, q.ndcg10, q.precision5, q.reciprocalRank, q.pairwise].map { String(format: "%.3f", $0) }
    }

    static func table(_ report: EvaluationReport, params: SearchParams) {
        let jobs = report.methods.first?.jobs ?? []
        let label = { (job: EvaluationReport.Job) in job.jobID + (job.user.map { "/" + $0 } ?? "") }
        print("Mean over \(jobs.filter(\.hasRelevant).count) graded jobs (rankings \(report.depth) deep):")
        let header = ["method"] + columns
        var rows: [[String]] = []
        for method in report.methods {
            let name = method.isBaseline ? method.name + " (baseline)" : method.name
            rows.append([name] + (method.mean.map(values) ?? columns.map { _ in "–" }))
        }
        printTable(header: header, rows: rows)
        let skipped = jobs.filter { !$0.hasRelevant }.map(label)
        if !skipped.isEmpty {
            print("left out of the means (no artifact graded ≥ 2): " + skipped.joined(separator: ", "))
        }
        print("")
        print("nDCG@5 per job:")
        let perJob = report.methods.map { method in
            [method.name] + method.jobs.map { $0.hasRelevant ? String(format: "%.3f", $0.quality.ndcg5) : "–" }
        }
        printTable(header: ["method"] + jobs.map(label), rows: perJob)
        print("")
        var fusion: String
        switch params.fusion {
        case .rrf(let k): fusion = "rrf k \(k)"
        case .weighted(let alpha): fusion = String(format: "weighted alpha %.2f", alpha)
        }
        print(
            String(
                format: "hybrid fusion: %@; BM25 k1 %.2f, b %.2f, field weights title %.1f skills %.1f "
                    + "description %.1f content %.1f", fusion, params.bm25.k1, params.bm25.b,
                params.bm25.titleWeight, params.bm25.skillsWeight, params.bm25.descriptionWeight,
                params.bm25.contentWeight))
    }

    static func csv(_ report: EvaluationReport) {
        print((["method", "job_id", "user"] + ["ndcg@5", "ndcg@10", "p@5", "mrr", "pairwise"]).joined(separator: ","))
        for method in report.methods {
            if let mean = method.mean { print(([method.name, "mean", ""] + values(mean)).joined(separator: ",")) }
            for job in method.jobs {
                print(([method.name, job.jobID, job.user ?? ""] + values(job.quality)).joined(separator: ","))
            }
        }
    }

    static func printTable(header: [String], rows: [[String]]) {
        let widths = header.indices.map { column in
            ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(
                separator: "  ")
        }
        print(line(header))
        print(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
        for row in rows { print(line(row)) }
    }
}
