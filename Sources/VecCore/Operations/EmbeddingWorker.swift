import Foundation
import Logging

/// `vecscope worker`: keeps one model's vectors fresh from the embedding queue (migration 5).
///
/// Each batch is one transaction: claim queue rows (`FOR UPDATE SKIP LOCKED`), embed the claimed artifacts through
/// `EmbeddingPipeline` (its deadlines, retries and checks), store the vectors and delete the rows. A worker killed
/// mid-batch writes nothing and its rows unlock with its connection, so another worker takes them. Between batches
/// it waits on LISTEN, and polls anyway so rows whose retry delay ran out, or a killed worker left, are not forgotten.
public final class EmbeddingWorker {
    public struct Options: Sendable {
        /// Artifacts claimed per batch (one transaction).
        public var batchSize = 16
        public var contentTypes: Set<ContentType> = [.full, .summary, .chunk]
        /// Seconds between looks at the queue when no notification comes.
        public var pollInterval: TimeInterval = 2
        /// The longest wait between reconnection attempts.
        public var maxReconnectDelay: TimeInterval = 10
        public init() {}
    }

    /// What one batch did; the command prints it as one line.
    public struct BatchReport: Sendable, Equatable {
        public var artifacts: Int
        public var embedded: Int
        /// Texts already current (a duplicate or outdated queue row).
        public var current: Int
        public var failedArtifacts: Int
        /// Rows left for later because another worker holds their artifact.
        public var deferred: Int
        public var seconds: Double
        /// Rows still queued for the model after this batch.
        public var queued: Int
        public var failure: String?
    }

    public enum Event: Sendable, Equatable {
        /// Connected, listening, and `queuedStale` artifacts added by the catch-up.
        case listening(queuedStale: Int, queued: Int)
        case batch(BatchReport)
        case disconnected(reason: String, retryIn: TimeInterval)
        case stopped
    }

    private let connect: () throws -> Connection
    private let embedder: any Embedder
    private let model: EmbeddingModel
    private let options: Options
    private let logger: Logger

    public init(
        model: EmbeddingModel, embedder: any Embedder, options: Options = Options(),
        logger: Logger = Logger(label: "vecscope.worker"), connect: @escaping () throws -> Connection
    ) {
        self.connect = connect
        self.embedder = embedder
        self.model = model
        self.options = options
        self.logger = logger
    }

    /// Works until `shouldStop` says so (checked between batches and at least twice a second while waiting), then
    /// returns after the batch in flight is committed. Reconnects whenever the database goes away; any other error
    /// (a rejected API key, a schema problem) is thrown.
    public func run(shouldStop: () -> Bool, report: (Event) -> Void) throws {
        var connection: Connection?
        var failedConnects = 0
        while !shouldStop() {
            do {
                let conn: Connection
                if let connection {
                    conn = connection
                } else {
                    conn = try start()
                    connection = conn
                    failedConnects = 0
                    let queue = EmbeddingQueue(connection: conn, model: model.name)
                    let stale = try queue.queueEverythingStale(contentTypes: options.contentTypes)
                    report(.listening(queuedStale: stale, queued: try queue.counts().pending))
                }
                let batch = try runBatch(on: conn)
                if let batch { report(.batch(batch)) }
                if batch == nil || batch?.artifacts == 0 {
                    // Nothing to do, or only rows another worker's artifacts hold: wait for news.
                    try wait(on: conn, seconds: batch == nil ? options.pollInterval : 0.2, shouldStop: shouldStop)
                }
            } catch let error where Self.isConnectionLoss(error) {
                connection = nil
                failedConnects += 1
                let delay = min(options.maxReconnectDelay, 0.5 * pow(2, Double(min(failedConnects, 8))))
                report(.disconnected(reason: ErrorReport(error).oneLine, retryIn: delay))
                let until = Date().addingTimeInterval(delay)
                while Date() < until, !shouldStop() { Thread.sleep(forTimeInterval: 0.1) }
            }
        }
        report(.stopped)
    }

    private func start() throws -> Connection {
        let connection = try connect()
        try connection.listen(.embeddingQueue)
        try EmbeddingQueue(connection: connection, model: model.name).follow()
        // Creates the model's HNSW indexes once, as `embed` does (no artifact is embedded by this call).
        var options = EmbeddingPipeline.Options()
        options.contentTypes = self.options.contentTypes
        options.artifactIDs = []
        _ = try EmbeddingPipeline(connection: connection, embedder: embedder, model: model, logger: logger)
            .run(options)
        return connection
    }

    /// One claim, embedded and finished in one transaction; nil when the queue had nothing to claim.
    func runBatch(on connection: Connection) throws -> BatchReport? {
        let started = Date()
        let queue = EmbeddingQueue(connection: connection, model: model.name)
        let pipeline = try EmbeddingPipeline(connection: connection, embedder: embedder, model: model, logger: logger)
        let outcome: (EmbeddingQueue.Claim, EmbeddingPipeline.Summary)? = try connection.transaction { _ in
            let claim = try queue.claim(limit: options.batchSize)
            if claim.isEmpty { return nil }
            var summary = EmbeddingPipeline.Summary()
            if !claim.artifactIDs.isEmpty {
                var options = EmbeddingPipeline.Options()
                options.contentTypes = self.options.contentTypes
                options.artifactIDs = claim.artifactIDs
                options.analyze = false
                options.createIndexes = false
                // Failed artifacts stay queued and are retried later; the batch itself never stops the worker.
                options.maxConsecutiveFailedBatches = .max
                summary = try pipeline.run(options)
            }
            try queue.finish(claim, failedArtifactIDs: summary.failedArtifactIDs, error: summary.failures.last)
            return (claim, summary)
        }
        guard let (claim, summary) = outcome else { return nil }
        return BatchReport(
            artifacts: claim.artifactIDs.count, embedded: summary.embeddedCount, current: summary.skipped,
            failedArtifacts: summary.failedArtifactIDs.count, deferred: claim.deferred,
            seconds: Date().timeIntervalSince(started), queued: try queue.counts().pending,
            failure: summary.failures.last)
    }

    private func wait(on connection: Connection, seconds: TimeInterval, shouldStop: () -> Bool) throws {
        let until = Date().addingTimeInterval(seconds)
        while !shouldStop() {
            let left = until.timeIntervalSinceNow
            if left <= 0 { return }
            if try connection.waitForNotification(timeout: min(left, 0.5)) { return }
        }
    }

    /// The database went away (restart, shutdown, network): reconnect rather than stop.
    static func isConnectionLoss(_ error: any Error) -> Bool {
        guard let error = error as? PostgresError else { return false }
        if error.kind == .connection { return true }
        return [.adminShutdown, .cannotConnectNow, .connectionFailure, .clientCannotConnect].contains(error.code)
    }
}
