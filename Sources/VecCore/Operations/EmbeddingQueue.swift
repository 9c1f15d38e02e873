import Foundation

/// The work `vecscope worker` does (migration 5): artifacts whose embedded text changed, per followed model.
///
/// A row is a hint, not the truth: the pipeline re-checks every text's hash before embedding, so a row for an
/// artifact that is already current costs one look-up and is deleted.
public struct EmbeddingQueue {
    public let connection: Connection
    public let model: String

    public init(connection: Connection, model: String) {
        self.connection = connection
        self.model = model
    }

    /// What the queue holds for one model (`vecscope stats`).
    public struct Counts: Sendable, Equatable {
        public var followed: Bool
        /// Rows not yet embedded, failed ones included.
        public var pending: Int
        /// Rows whose last attempt failed (they are retried with a growing delay).
        public var failed: Int
        /// Age of the oldest pending row, in seconds.
        public var oldestSeconds: Double?
        public var lastError: String?
    }

    /// From now on the trigger queues every change of an artifact's text for this model.
    public func follow() throws {
        try connection.execute(
            "INSERT INTO worker_models (model_version) VALUES (\(model)) ON CONFLICT (model_version) DO NOTHING")
    }

    /// Queues every artifact whose vectors of this model are missing, stale (text changed, flagged, or all zero) or
    /// lack a chunk; skips those already queued. Returns how many it queued.
    @discardableResult
    public func queueEverythingStale(contentTypes: Set<ContentType>) throws -> Int {
        let summary = contentTypes.contains(.summary)
        let chunks = contentTypes.contains(.chunk)
        let queued = try connection.execute(
            """
            INSERT INTO embedding_queue (artifact_id, model_version)
            SELECT a.id, \(model) FROM artifacts a
            LEFT JOIN artifact_embeddings f
                   ON f.artifact_id = a.id AND f.model_version = \(model) AND f.content_type = 'full'
            LEFT JOIN artifact_embeddings s
                   ON s.artifact_id = a.id AND s.model_version = \(model) AND s.content_type = 'summary'
            WHERE (f.id IS NULL OR f.stale OR f.content_hash <> a.content_hash OR vector_norm(f.embedding_vector) = 0
                   OR (\(summary) AND (s.id IS NULL OR s.stale OR vector_norm(s.embedding_vector) = 0))
                   OR (\(chunks) AND EXISTS (
                       SELECT 1 FROM artifact_chunks c
                       LEFT JOIN chunk_embeddings ce ON ce.artifact_chunk_id = c.id AND ce.model_version = \(model)
                       WHERE c.artifact_id = a.id AND ce.id IS NULL)))
              AND NOT EXISTS (SELECT 1 FROM embedding_queue q
                              WHERE q.artifact_id = a.id AND q.model_version = \(model))
            ORDER BY a.id
            """)
        if queued > 0 { try notify() }
        return queued
    }

    /// Queues these artifacts (the loader's and the API's `async`), unless already queued, and wakes the workers.
    @discardableResult
    public func queue(artifactIDs: [Int]) throws -> Int {
        let ids = artifactIDs.map(String.init)
        let queued = try connection.execute(
            """
            INSERT INTO embedding_queue (artifact_id, model_version)
            SELECT a.id, \(model) FROM artifacts a
            WHERE a.id = ANY(\(ids)::text[]::int8[])
              AND NOT EXISTS (SELECT 1 FROM embedding_queue q
                              WHERE q.artifact_id = a.id AND q.model_version = \(model) AND q.attempts = 0)
            ORDER BY a.id
            """)
        if queued > 0 { try notify() }
        return queued
    }

    private func notify() throws {
        try connection.execute("SELECT pg_notify(\(NotificationChannel.embeddingQueue.rawValue), '')")
    }

    public func counts() throws -> Counts {
        let row = try connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM worker_models WHERE model_version = \(model)) AS followed,
                   count(*) AS pending, count(*) FILTER (WHERE attempts > 0) AS failed,
                   extract(epoch FROM now() - min(queued_at))::float8 AS oldest,
                   (SELECT last_error FROM embedding_queue WHERE model_version = \(model) AND last_error IS NOT NULL
                    ORDER BY id DESC LIMIT 1) AS last_error
            FROM embedding_queue WHERE model_version = \(model)
            """
        ).row(0)
        return Counts(
            followed: try row.decode("followed"), pending: try row.decode("pending"), failed: try row.decode("failed"),
            oldestSeconds: try row.decode("oldest"), lastError: try row.decode("last_error"))
    }

    // MARK: - Claiming (the worker's transaction)

    /// Rows claimed by one worker: locked until its transaction ends, so no other worker sees them.
    struct Claim {
        var rowIDs: [Int] = []
        /// Artifacts this worker embeds now; each also holds an advisory lock, so a second queue row for the same
        /// artifact claimed by another worker waits (`deferred`) instead of being embedded twice at once.
        var artifactIDs: [Int] = []
        /// Rows left for later: another worker holds their artifact.
        var deferred = 0
        var isEmpty: Bool { rowIDs.isEmpty && deferred == 0 }
    }

    /// Claims up to `limit` rows, oldest first, skipping rows other workers hold (`FOR UPDATE SKIP LOCKED`). Must run
    /// inside a transaction: the locks last until it ends, and a killed worker's locks end with its connection.
    func claim(limit: Int) throws -> Claim {
        let rows = try connection.query(
            """
            WITH claimed AS (
                SELECT id, artifact_id FROM embedding_queue
                WHERE model_version = \(model) AND not_before <= now()
                ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            SELECT id, artifact_id,
                   pg_try_advisory_xact_lock(hashtext('vecscope.embed:' || \(model)),
                                             (artifact_id % 2147483647)::int4) AS mine
            FROM claimed ORDER BY id
            """
        ).rows
        var claim = Claim()
        for row in rows {
            guard try row.decode("mine", as: Bool.self) else {
                claim.deferred += 1
                continue
            }
            claim.rowIDs.append(try row.decode("id"))
            let artifact: Int = try row.decode("artifact_id")
            if !claim.artifactIDs.contains(artifact) { claim.artifactIDs.append(artifact) }
        }
        return claim
    }

    /// Ends a claim inside its transaction: rows of embedded artifacts go; rows of failed ones stay, retried after a
    /// delay that doubles with each attempt (up to ten minutes).
    func finish(_ claim: Claim, failedArtifactIDs: Set<Int>, error: String?) throws {
        let rows = claim.rowIDs.map(String.init)
        let failed = failedArtifactIDs.map(String.init)
        try connection.execute(
            """
            DELETE FROM embedding_queue
            WHERE id = ANY(\(rows)::text[]::int8[]) AND NOT artifact_id = ANY(\(failed)::text[]::int8[])
            """)
        guard !failed.isEmpty else { return }
        try connection.execute(
            """
            UPDATE embedding_queue SET attempts = attempts + 1, last_error = \(PostgresParameter(error)),
                   not_before = now() + least(interval '1 second' * power(2, attempts), interval '10 minutes')
            WHERE id = ANY(\(rows)::text[]::int8[]) AND artifact_id = ANY(\(failed)::text[]::int8[])
            """)
    }
}
