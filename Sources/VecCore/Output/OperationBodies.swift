import Foundation

/// `vecscope load --json`: what an upsert of artifact JSON Lines did.
public struct LoadSummaryBody: Codable, Sendable, Equatable {
    public struct RejectedLine: Codable, Sendable, Equatable {
        public var line: Int
        public var reason: String
    }

    /// A line replaced by a later line with the same (user, id).
    public struct DuplicateLine: Codable, Sendable, Equatable {
        public var line: Int
        public var earlierLine: Int
        public var id: String
        public var user: String

        enum CodingKeys: String, CodingKey {
            case line
            case earlierLine = "earlier_line"
            case id, user
        }
    }

    public var inserted: Int
    public var updated: Int
    public var unchanged: Int
    public var rejected: [RejectedLine]
    public var duplicates: [DuplicateLine]
    public var markedStale: Int
    /// Users in the database after the load.
    public var users: Int

    enum CodingKeys: String, CodingKey {
        case inserted, updated, unchanged, rejected, duplicates
        case markedStale = "marked_stale"
        case users
    }

    public init(_ summary: LoadSummary) {
        inserted = summary.inserted
        updated = summary.updated
        unchanged = summary.unchanged
        rejected = summary.rejected.map { RejectedLine(line: $0.line, reason: $0.reason) }
        duplicates = summary.duplicates.map {
            DuplicateLine(line: $0.line, earlierLine: $0.earlierLine, id: $0.id, user: $0.user)
        }
        markedStale = summary.markedStale
        users = summary.users
    }
}

/// `vecscope gen --json`: the synthetic data generated and how fast it was copied in.
public struct SyntheticDataBody: Codable, Sendable, Equatable {
    public var model: String
    public var users: Int
    public var artifacts: Int
    public var dimensions: Int
    public var seconds: Double
    public var loadSeconds: Double
    public var vectorsPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case model, users, artifacts, dimensions, seconds
        case loadSeconds = "load_seconds"
        case vectorsPerSecond = "vectors_per_second"
    }

    public init(_ summary: SyntheticDataLoader.Summary, dimensions: Int) {
        model = summary.model
        users = summary.users
        artifacts = summary.artifacts
        self.dimensions = dimensions
        seconds = summary.seconds
        loadSeconds = summary.loadSeconds
        vectorsPerSecond = summary.vectorsPerSecond
    }
}

/// `vecscope embed --json`: what one embedding run stored, skipped and failed.
public struct EmbeddingRunBody: Codable, Sendable, Equatable {
    public var model: String
    /// Texts embedded per content type (`full`, `summary`, `chunk`).
    public var embedded: [String: Int]
    public var skipped: Int
    public var failedItems: Int
    public var failedBatches: Int
    public var totalTokens: Int
    public var costUSD: Double
    public var seconds: Double
    public var createdIndexes: [String]

    enum CodingKeys: String, CodingKey {
        case model, embedded, skipped
        case failedItems = "failed_items"
        case failedBatches = "failed_batches"
        case totalTokens = "total_tokens"
        case costUSD = "cost_usd"
        case seconds
        case createdIndexes = "created_indexes"
    }

    public init(_ summary: EmbeddingPipeline.Summary, model: String) {
        self.model = model
        embedded = Dictionary(uniqueKeysWithValues: summary.embedded.map { ($0.key.rawValue, $0.value) })
        skipped = summary.skipped
        failedItems = summary.failedItems
        failedBatches = summary.failedBatches
        totalTokens = summary.totalTokens
        costUSD = summary.costUSD
        seconds = summary.seconds
        createdIndexes = summary.createdIndexes
    }
}

/// `vecscope embed-text --json`: the vectors of the given texts, in order.
public struct TextEmbeddingsBody: Codable, Sendable, Equatable {
    public var model: String
    public var dimensions: Int
    public var embeddings: [[Double]]

    public init(model: String, dimensions: Int, vectors: [[Float]]) {
        self.model = model
        self.dimensions = dimensions
        // As Double, so each component prints with the digits it has always printed with.
        embeddings = vectors.map { $0.map { Double($0) } }
    }
}

/// `vecscope db status --json`: the embedded server's state. Unknown values (no pid, no port) are `null`.
public struct ServerStatusBody: Codable, Sendable, Equatable {
    public var running: Bool
    public var pid: Int?
    public var port: Int?
    public var url: String?
    public var dataDirectory: String
    public var installDirectory: String
    public var socketDirectory: String
    public var logFile: String
    public var runsAs: String?
    public var initialized: Bool
    public var staleLockFile: Bool
    /// The streaming standby (`vecscope db standby`), when one was made; absent otherwise.
    public var standby: StandbyStatusBody?

    enum CodingKeys: String, CodingKey {
        case standby
        case running, pid, port, url
        case dataDirectory = "data_directory"
        case installDirectory = "install_directory"
        case socketDirectory = "socket_directory"
        case logFile = "log_file"
        case runsAs = "runs_as"
        case initialized
        case staleLockFile = "stale_lock_file"
    }

    public init(_ status: EmbeddedPostgres.Status) {
        running = status.running
        pid = status.pid.map { Int($0) }
        port = status.port
        url = status.url
        dataDirectory = status.dataDirectory
        installDirectory = status.installDirectory
        socketDirectory = status.socketDirectory
        logFile = status.logFile
        runsAs = status.runsAs
        initialized = status.initialized
        staleLockFile = status.staleLockFile
    }

    // Written out because the synthesized form would drop unknown values instead of writing null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(running, forKey: .running)
        try container.encode(pid, forKey: .pid)
        try container.encode(port, forKey: .port)
        try container.encode(url, forKey: .url)
        try container.encode(dataDirectory, forKey: .dataDirectory)
        try container.encode(installDirectory, forKey: .installDirectory)
        try container.encode(socketDirectory, forKey: .socketDirectory)
        try container.encode(logFile, forKey: .logFile)
        try container.encode(runsAs, forKey: .runsAs)
        try container.encode(initialized, forKey: .initialized)
        try container.encode(staleLockFile, forKey: .staleLockFile)
        try container.encodeIfPresent(standby, forKey: .standby)
    }
}

/// `vecscope db standby status --json`, and `standby` in `db status --json`.
public struct StandbyStatusBody: Codable, Sendable, Equatable {
    public var initialized: Bool
    public var running: Bool
    public var pid: Int?
    public var port: Int?
    public var url: String?
    public var dataDirectory: String
    public var logFile: String
    public var replication: ReplicationBody

    enum CodingKeys: String, CodingKey {
        case initialized, running, pid, port, url
        case dataDirectory = "data_directory"
        case logFile = "log_file"
        case replication
    }

    public init(_ standby: StreamingStandby) {
        let status = standby.server.status()
        initialized = status.initialized
        running = status.running
        pid = status.pid.map { Int($0) }
        port = status.port
        url = status.url
        dataDirectory = status.dataDirectory
        logFile = status.logFile
        replication = ReplicationBody(standby.replication())
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(initialized, forKey: .initialized)
        try container.encode(running, forKey: .running)
        try container.encode(pid, forKey: .pid)
        try container.encode(port, forKey: .port)
        try container.encode(url, forKey: .url)
        try container.encode(dataDirectory, forKey: .dataDirectory)
        try container.encode(logFile, forKey: .logFile)
        try container.encode(replication, forKey: .replication)
    }
}

/// How far the standby is behind; null where a server that is down could not say.
public struct ReplicationBody: Codable, Sendable, Equatable {
    public var state: String?
    public var lagBytes: Int?
    public var replayLagMs: Double?
    public var lastReplaySeconds: Double?
    public var inRecovery: Bool?

    enum CodingKeys: String, CodingKey {
        case state
        case lagBytes = "lag_bytes"
        case replayLagMs = "replay_lag_ms"
        case lastReplaySeconds = "last_replay_seconds"
        case inRecovery = "in_recovery"
    }

    public init(_ replication: StreamingStandby.Replication) {
        state = replication.state
        lagBytes = replication.lagBytes
        replayLagMs = replication.replayLagMs
        lastReplaySeconds = replication.lastReplaySeconds
        inRecovery = replication.inRecovery
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encode(lagBytes, forKey: .lagBytes)
        try container.encode(replayLagMs, forKey: .replayLagMs)
        try container.encode(lastReplaySeconds, forKey: .lastReplaySeconds)
        try container.encode(inRecovery, forKey: .inRecovery)
    }
}
