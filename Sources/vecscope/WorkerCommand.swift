import ArgumentParser
import Dispatch
import Foundation
import VecCore

extension Vecscope {
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep a model's vectors fresh in the background: embed every artifact whose text changes.",
            discussion: """
                A trigger queues every artifact whose embedded text changes (any writer: load, the API, psql) for each
                model a worker follows, and wakes the workers. On start the worker follows its model and queues
                everything stale. Each batch is one transaction (claimed with FOR UPDATE SKIP LOCKED), so several
                workers never embed the same artifact twice and a killed worker leaves nothing half-written. It
                reconnects when the database restarts, prints one line per batch, and stops on SIGTERM or Ctrl-C once
                its batch is stored. `vecscope stats` shows its queue.
                """)
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Model from the registry (see `vecscope models`).") var model = SearchParams.defaultModel
        @Option(help: "Artifacts per batch (one transaction each).") var batch = 16
        @Option(help: "Comma-separated content types to embed.")
        var contentTypes = CommaSeparated<ContentType>([.full, .summary, .chunk])
        @Option(help: "Seconds between looks at the queue when no notification arrives.") var pollInterval = 2.0
        @OptionGroup var limits: TimeLimitOptions

        func validate() throws {
            guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
            guard pollInterval > 0, pollInterval <= 3600 else {
                throw ValidationError("--poll-interval must be above 0 and at most 3600 seconds")
            }
        }

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let stop = StopRequest.onTermination()
                let first = try database.target().connect(applicationName: "vecscope-worker")
                let registered = try EmbeddingModelRegistry(connection: first).resolve(model)
                let embedder = try EmbedderFactory.make(
                    for: registered, environment: limits.environment(for: .documents), purpose: .documents)
                var options = EmbeddingWorker.Options()
                options.batchSize = batch
                options.contentTypes = Set(contentTypes.values)
                options.pollInterval = pollInterval
                // Resolved once: reconnecting must not start an embedded server someone stopped on purpose.
                let url = try database.target().connectionString()
                var spare: Connection? = first
                let worker = EmbeddingWorker(model: registered, embedder: embedder, options: options) {
                    if let connection = spare {
                        spare = nil
                        return connection
                    }
                    return try Connection(url, applicationName: "vecscope-worker")
                }
                try worker.run(shouldStop: { stop.requested }) { event in
                    logLine(describe(event))
                }
            }
        }

        private func describe(_ event: EmbeddingWorker.Event) -> String {
            switch event {
            case .listening(let stale, let queued):
                return "worker \(model): listening; caught up by queueing \(stale) stale artifacts; \(queued) queued"
            case .batch(let report):
                var line =
                    "worker \(model): batch of \(report.artifacts) artifacts: \(report.embedded) texts embedded, "
                    + "\(report.current) current, \(report.failedArtifacts) artifacts failed"
                    + (report.deferred > 0 ? ", \(report.deferred) rows left to another worker" : "")
                    + String(format: " in %.2f s; %d queued", report.seconds, report.queued)
                if let failure = report.failure { line += " — last failure: \(failure)" }
                return line
            case .disconnected(let reason, let retryIn):
                return "worker \(model): database unavailable (\(reason)); reconnecting in "
                    + String(format: "%.1f s", retryIn)
            case .stopped:
                return "worker \(model): stopped"
            }
        }
    }
}

/// One timestamped line on stdout, written at once (stdout to a pipe or file is otherwise block-buffered).
private func logLine(_ text: String) {
    let stamp = ISO8601DateFormatter().string(from: Date())
    FileHandle.standardOutput.write(Data("\(stamp) \(text)\n".utf8))
}

/// SIGTERM / SIGINT asked the worker to stop: it finishes its batch first.
final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var sources: [any DispatchSourceSignal] = []

    var requested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }

    private func request() {
        lock.lock()
        flag = true
        lock.unlock()
    }

    static func onTermination() -> StopRequest {
        let stop = StopRequest()
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak stop] in stop?.request() }
            source.resume()
            stop.sources.append(source)
        }
        return stop
    }
}
