import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    struct Embed: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Embed every artifact whose vector for a model is missing or stale (resumable).",
            discussion: """
                full = title + description + content; summary = title + description; chunks = overlapping windows of
                long content. Each batch is stored in one transaction: an interrupted run resumes where it stopped.
                Creates the model's HNSW (cosine) indexes when they are missing.
                """)
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Model from the registry (see `vecscope models`).") var model = SearchParams.defaultModel
        @Option(help: "Comma-separated content types to embed.")
        var contentTypes = CommaSeparated<ContentType>([.full, .summary, .chunk])
        @Flag(help: "Re-embed everything, even vectors that are current.") var force = false
        @Flag(help: "Only count what would be embedded, with estimated tokens and cost.") var dryRun = false
        @Option(help: "Texts per batch (one transaction each).") var batchSize = 32
        @OptionGroup var limits: TimeLimitOptions
        @Option(help: "Stop the run after this many failed batches in a row (finished batches are kept).")
        var maxFailedBatches = 3
        @Option(
            help:
                "After embedding, write every stored vector of the model, keyed by its text's SHA-256, to this file (Fixtures/vectors-<model>.tsv: the first run's shipped vectors; `make fixture-vectors`)."
        ) var writeShippedVectors: String?

        func validate() throws {
            guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
            guard maxFailedBatches >= 1 else { throw ValidationError("--max-failed-batches must be at least 1") }
        }

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let connection = try database.connect()
                let registered = try EmbeddingModelRegistry(connection: connection).resolve(model)
                // A dry run sends nothing, so it needs no API key.
                let purpose: EmbeddingPurpose = dryRun ? .estimate : .documents
                let embedder = try EmbedderFactory.make(
                    for: registered, environment: limits.environment(for: purpose), purpose: purpose)
                let pipeline = try EmbeddingPipeline(connection: connection, embedder: embedder, model: registered)
                var options = EmbeddingPipeline.Options()
                options.contentTypes = Set(contentTypes.values)
                options.force = force
                options.batchSize = batchSize
                options.maxConsecutiveFailedBatches = maxFailedBatches
                if dryRun {
                    let plan = try pipeline.plan(options)
                    let cost = Double(plan.estimatedTokens) * registered.costPerMTok / 1_000_000
                    print(
                        "\(model): \(plan.items) texts to embed (\(plan.skipped) already current), about \(plan.estimatedTokens) tokens, estimated cost $\(String(format: "%.6f", cost))"
                    )
                    return
                }
                let bar = ProgressBar(label: "embedding with \(model)", unit: "texts", enabled: !output.json)
                let summary = try pipeline.run(options) { bar.update(done: $0, total: $1) }
                bar.finish()
                for failure in summary.failures { FileHandle.standardError.write(Data("failed: \(failure)\n".utf8)) }
                if output.json {
                    print(try JSONText.encode(EmbeddingRunBody(summary, model: model)))
                    return
                }
                let parts = [ContentType.full, .summary, .chunk].map {
                    "\(summary.embedded[$0] ?? 0) \($0 == .chunk ? "chunks" : $0.rawValue)"
                }
                let rate = summary.seconds > 0 ? Double(summary.embeddedCount) / summary.seconds : 0
                print(
                    "\(model): embedded \(parts.joined(separator: ", ")); \(summary.skipped) already current"
                        + (summary.failedItems > 0
                            ? "; \(summary.failedItems) FAILED in \(summary.failedBatches) batches (re-run to retry)"
                            : "")
                        + String(format: "; %.1f s (%.1f texts/s)", summary.seconds, rate)
                        + (summary.totalTokens > 0
                            ? String(format: "; %d tokens, $%.6f", summary.totalTokens, summary.costUSD) : ""))
                for index in summary.createdIndexes { print("created index \(index)") }
                if summary.failedItems > 0 { throw ExitCode(2) }
                if let path = writeShippedVectors {
                    let shipped = try ShippedVectors.export(
                        connection: connection, model: registered, embedder: embedder)
                    try shipped.write(to: URL(fileURLWithPath: path))
                    print("wrote \(shipped.vectors.count) \(model) vectors to \(path)")
                }
            }
        }
    }

    struct EmbedText: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "embed-text",
            abstract: "Print the embeddings of texts (for checks and scripts); `-` reads one text a line from stdin.")
        @Option(help: "Model name.") var model = SearchParams.defaultModel
        @Flag(help: "Print {\"model\", \"dimensions\", \"embeddings\"} as JSON.") var json = false
        @Argument(help: "Texts to embed, or - for stdin lines.") var texts: [String] = []

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                var inputs: [String] = []
                for text in texts {
                    if text == "-" {
                        while let line = readLine(strippingNewline: true) { inputs.append(line) }
                    } else {
                        inputs.append(text)
                    }
                }
                guard !inputs.isEmpty else {
                    throw VecscopeError(
                        what: "no text to embed", fix: "Pass texts as arguments, or - to read lines from stdin.")
                }
                let embedder = try EmbedderFactory.make(for: try textModel(named: model))
                let vectors = try embedder.embed(inputs)
                if json {
                    let body = TextEmbeddingsBody(model: model, dimensions: embedder.dimensions, vectors: vectors)
                    print(try JSONText.encode(body, pretty: false))
                } else {
                    for (text, vector) in zip(inputs, vectors) {
                        let head = vector.prefix(6).map { String(format: "%.5f", $0) }.joined(separator: ", ")
                        print("\(text.prefix(60)) → [\(head), …] (\(vector.count) dims)")
                    }
                }
            }
        }

        /// embed-text works without a database for the built-in models and `openai:` specs.
        func textModel(named name: String) throws -> EmbeddingModel {
            if let model = try ModelSpec(name).catalogModel() { return model }
            return try EmbeddingModelRegistry(connection: try DatabaseOptions().connect()).model(named: name)
        }
    }
}
