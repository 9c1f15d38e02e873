import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load artifacts from JSON Lines (upsert by user and id).",
            discussion: """
                One object a line: {"id", "user", "user_name"?, "artifact_type", "title", "description", "content",
                "skills"?, "updated_at"?}; unknown fields are kept as metadata. A record is replaced when a line has
                the same user and id; within one file the last such line wins and the earlier ones are reported. Bad
                records (and records the database refuses) are reported as file:line: field: problem and skipped;
                with --strict the whole file is one transaction and any bad record leaves nothing written.
                """)
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The .jsonl file to load.") var file: String
        @Flag(help: "Fail the whole load, writing nothing, if any record is bad.") var strict = false
        @Option(help: "Records per transaction.") var batchSize = 200
        @Flag(
            name: .customLong("async"),
            help: "Leave embedding to `vecscope worker`: queue every new or changed artifact for --model.")
        var leaveToWorker = false
        @Option(help: "With --async: the model whose vectors the worker makes.") var model = SearchParams.defaultModel

        func validate() throws {
            guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        }

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let connection = try database.connect()
                var queue: EmbeddingQueue?
                if leaveToWorker {
                    let registered = try EmbeddingModelRegistry(connection: connection).resolve(model)
                    queue = EmbeddingQueue(connection: connection, model: registered.name)
                    // Followed before loading, so the trigger queues what this load changes.
                    try queue?.follow()
                }
                let summary = try loadArtifacts(
                    URL(fileURLWithPath: file), connection: connection, strict: strict,
                    batchSize: batchSize, quiet: output.json)
                if output.json {
                    print(try JSONText.encode(LoadSummaryBody(summary)))
                }
                if let queue {
                    let pending = try queue.counts().pending
                    FileHandle.standardError.write(
                        Data(
                            "left to `vecscope worker --model \(queue.model)`: \(pending) artifacts queued\n".utf8))
                }
            }
        }
    }
}

/// Loads a file with a progress bar, reports rejected lines on stderr, prints the summary.
func loadArtifacts(
    _ url: URL, connection: Connection, strict: Bool, batchSize: Int = 200, quiet: Bool = false
) throws -> LoadSummary {
    let bar = ProgressBar(label: "loading \(url.lastPathComponent)", unit: "records", enabled: !quiet)
    let summary = try ArtifactLoader(connection: connection).load(file: url, strict: strict, batchSize: batchSize) {
        bar.update(done: $0, total: $1)
    }
    bar.finish()
    for rejected in summary.rejected {
        FileHandle.standardError.write(Data("rejected \(rejected)\n".utf8))
    }
    for duplicate in summary.duplicates {
        FileHandle.standardError.write(Data("duplicate \(duplicate)\n".utf8))
    }
    if !quiet {
        print(
            "\(url.lastPathComponent): \(summary.inserted) inserted, \(summary.updated) updated, \(summary.unchanged) unchanged, \(summary.rejected.count) rejected"
                + (summary.duplicates.isEmpty ? "" : ", \(summary.duplicates.count) duplicate lines replaced")
                + (summary.markedStale > 0 ? " (\(summary.markedStale) with stale embeddings)" : "")
                + "; \(summary.users) users in the database")
    }
    return summary
}
