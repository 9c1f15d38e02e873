import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find the artifacts most similar to a text.",
            discussion:
                "Scores: similarity = 1 − cosine distance; L2 distance; inner product (positive). `--explain` reports the plan."
        )
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var reads: ReadOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var search: SearchOptions
        @OptionGroup var limits: TimeLimitOptions
        @Option(help: "Which signal orders the results.") var method = RankingMethod.semantic
        @Option(help: "How many results (1…1000).") var limit = 10
        @Flag(help: "Print each result's explanation under it.") var why = false
        @Argument(help: "The text to search for (- reads stdin).") var text: String

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let connection = try reads.connect(database)
                let tuned = try IndexTuning.stored(in: connection)
                let params = try search.params(
                    method: method, limit: limit, stored: try RankingDefaults.stored(in: connection), tuned: tuned)
                let query =
                    text == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : text
                let engine = SearchEngine(
                    connection: connection,
                    makeEmbedder: {
                        try EmbedderFactory.make(for: $0, environment: limits.environment(for: .query), purpose: .query)
                    })
                let response = try engine.search(text: query, params: params)
                if output.json {
                    print(try JSONText.encode(SearchResponseBody(response)))
                } else {
                    ResultPrinter.table(response, showExplanations: why)
                    if let note = search.tunedNote(tuned) { print(note) }
                }
            }
        }
    }

    struct Rank: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rank artifacts against a job description, with an explanation for each.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var reads: ReadOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var search: SearchOptions
        @OptionGroup var limits: TimeLimitOptions
        @Option(help: "Read the job description from a file.") var jobFile: String?
        @Option(help: "A job from Fixtures/jobs.jsonl, e.g. j01.") var jobId: String?
        @Option(help: "Which signal orders the results.") var method = RankingMethod.hybrid
        @Option(help: "How many results.") var topK = 10
        @Option(help: "Only these artifacts (comma-separated external ids).") var artifactIds: String?
        @Argument(help: "The job description text.") var text: String?

        func validate() throws {
            let sources = [jobFile != nil, jobId != nil, text != nil].filter { $0 }.count
            guard sources == 1 else { throw ValidationError("give exactly one of --job-file, --job-id or the text") }
        }

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let description: String
                if let jobFile {
                    guard let contents = try? String(contentsOfFile: jobFile, encoding: .utf8) else {
                        throw VecscopeError(
                            what: "cannot read \(jobFile)", fix: "Check the path; the file must be UTF-8 text.")
                    }
                    description = contents
                } else if let jobId {
                    description = try JobCatalog.load(from: try FixturesLocator.folder(explicit: nil)).job(id: jobId)
                        .text
                } else {
                    description = text ?? ""
                }
                let connection = try reads.connect(database)
                let tuned = try IndexTuning.stored(in: connection)
                var params = try search.params(
                    method: method, limit: topK, stored: try RankingDefaults.stored(in: connection), tuned: tuned)
                params.method = method
                let engine = SearchEngine(
                    connection: connection,
                    makeEmbedder: {
                        try EmbedderFactory.make(for: $0, environment: limits.environment(for: .query), purpose: .query)
                    })
                let ids = artifactIds?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let response = try engine.rank(
                    jobDescription: description, artifacts: ids.map { .externalIDs($0) }, method: method, topK: topK,
                    params: params)
                if output.json {
                    print(try JSONText.encode(RankResponseBody(response)))
                } else {
                    ResultPrinter.table(response, showExplanations: true)
                    if let note = search.tunedNote(tuned) { print(note) }
                }
            }
        }
    }
}
