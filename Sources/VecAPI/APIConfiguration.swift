import Foundation
import VecCore

/// How `vecscope serve` runs: where it listens, how much it accepts, and how many requests reach the database at
/// once.
public struct APIConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Request bodies over this many bytes are refused with 413 (a 200 KB job description fits the default).
    public var maxBodyBytes = 1 << 20
    /// Database connections, each serving one request at a time on a thread of its own; requests beyond them queue.
    public var connections = APIConfiguration.defaultConnections
    /// Two per core of this machine (the embedded server's; a remote server's cores are not visible from here): with
    /// a connection per caller, a 2-core server ran 100 callers slower than a queue in front of a few backends
    /// (`make bench` measures both).
    public static var defaultConnections: Int { max(2, 2 * ProcessInfo.processInfo.activeProcessorCount) }
    /// A model to warm each new connection with (`SearchEngine.warmUp`) before it serves; nil: not warmed.
    public var warmUpModel: String? = SearchParams.defaultModel
    /// The knob `vecscope tune index --apply` stored (read when `serve` starts): a request that sets neither
    /// ef_search nor probes searches with it.
    public var indexTuning: IndexTuning? = nil
    /// Requests that may wait for a connection; one more is refused with 503 at once.
    public var maxQueuedRequests = 64
    /// How long a request may wait for a connection, and then run on it (statement_timeout), before 503.
    public var requestDeadline: Duration = .seconds(30)
    /// The embedder for a model; nil: `EmbedderFactory` (each connection then loads its own).
    public var makeEmbedder: (@Sendable (EmbeddingModel) throws -> any Embedder)?

    public init() {}
}
