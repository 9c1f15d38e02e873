import Foundation

/// One stored vector of an artifact: a whole text (`full`, `summary`) or one of its chunks.
public struct StoredEmbedding: Sendable, Equatable {
    public var id: UUID
    public var artifactID: Int
    public var contentType: ContentType
    public var model: String
    public var dimensions: Int
    public var contentHash: String
    public var generatedAt: Date
}

/// An artifact as the API names it: its row id, its external id, and whose it is.
public struct ArtifactReference: Sendable, Equatable {
    public var id: Int
    public var externalID: String
    public var user: String
}

/// One artifact's vectors: looking them up, and embedding that artifact alone (the HTTP API's embeddings routes).
/// The embedding itself is `EmbeddingPipeline`'s, restricted to the one artifact.
public struct ArtifactEmbeddings {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// The artifact with row id `id`, if it exists within `scope`. One outside the scope is reported exactly like
    /// one that does not exist, so a scoped caller cannot learn which ids other users hold.
    public func artifact(id: Int, scope: UserScope) throws -> ArtifactReference {
        let user: String? = if case .user(let external) = scope { external } else { nil }
        let rows = try connection.query(
            """
            SELECT a.id, a.external_id, u.external_id AS user_external_id
            FROM artifacts a JOIN users u ON u.id = a.user_id
            WHERE a.id = \(id) AND (\(user)::text IS NULL OR u.external_id = \(user)::text)
            """
        ).rows
        guard let row = rows.first else {
            throw VecscopeError(
                what: "no artifact \(id)", why: user.map { "no such artifact belongs to user \($0)" },
                fix: "Use the numeric id of one of your artifacts, as search results give it (artifact_id).",
                kind: .notFound)
        }
        return ArtifactReference(
            id: try row.decode("id"), externalID: try row.decode("external_id"),
            user: try row.decode("user_external_id"))
    }

    /// Every vector stored for the artifact, whole texts first, then chunks in order; all models, or one.
    public func stored(artifactID: Int, model: String? = nil) throws -> [StoredEmbedding] {
        try connection.query(
            """
            SELECT id, content_type, model_version, model_dimensions, content_hash, generated_at FROM (
                SELECT e.id, e.content_type, e.model_version, e.model_dimensions, e.content_hash::text AS content_hash,
                       e.generated_at, 0 AS chunk_index
                FROM artifact_embeddings e WHERE e.artifact_id = \(artifactID)
                UNION ALL
                SELECT e.id, 'chunk', e.model_version, e.model_dimensions, e.content_hash::text, e.generated_at,
                       c.chunk_index + 1
                FROM chunk_embeddings e JOIN artifact_chunks c ON c.id = e.artifact_chunk_id
                WHERE c.artifact_id = \(artifactID)) s
            WHERE \(model)::text IS NULL OR model_version = \(model)::text
            ORDER BY model_version, chunk_index, content_type
            """
        ).rows.map { row in
            StoredEmbedding(
                id: try row.decode("id"), artifactID: artifactID,
                contentType: ContentType(rawValue: try row.decode("content_type")) ?? .full,
                model: try row.decode("model_version"), dimensions: try row.decode("model_dimensions"),
                contentHash: try row.decode("content_hash"), generatedAt: try row.decode("generated_at"))
        }
    }

    /// Embeds one of the artifact's texts unless it is stored unchanged (or `force`). Returns whether it embedded,
    /// and the stored vector: for chunks, the first chunk's.
    public func embed(
        artifactID: Int, contentType: ContentType, force: Bool, model: EmbeddingModel, embedder: any Embedder
    ) throws -> (embedded: Bool, embedding: StoredEmbedding) {
        var options = EmbeddingPipeline.Options()
        options.contentTypes = [contentType]
        options.force = force
        options.artifactIDs = [artifactID]
        // An index build or ANALYZE inside one request would cost far more than the request; `vecscope embed`
        // does both for whole runs.
        options.createIndexes = false
        options.analyze = false
        let summary = try EmbeddingPipeline(connection: connection, embedder: embedder, model: model).run(options)
        guard summary.failedItems == 0 else {
            throw VecscopeError(
                what: "embedding artifact \(artifactID) with \(model.name) failed",
                why: summary.failures.joined(separator: "; "),
                fix: "Check the embedding provider (`vecscope embed-text` tries it), then send the request again.")
        }
        guard
            let stored = try stored(artifactID: artifactID, model: model.name).first(where: {
                $0.contentType == contentType
            })
        else {
            throw VecscopeError(
                what: "artifact \(artifactID) has no \(contentType.rawValue) text to embed",
                why: "its content is empty, so it has no chunks", fix: "Embed its full text or summary instead.",
                kind: .invalidInput)
        }
        return (summary.embeddedCount > 0, stored)
    }

    /// What `queue` left to the worker.
    public struct Queued: Sendable, Equatable {
        /// False when a row for the artifact was already waiting.
        public var added: Bool
        /// Rows waiting for the model, this one included.
        public var pending: Int
    }

    /// Leaves the artifact to `vecscope worker` (the API's `async`) instead of embedding it here: the model is
    /// followed from now on, as `load --async` does, so later changes of the artifact are queued too, and the
    /// artifact is queued unless a row for it is already waiting. The worker embeds whatever of it is stale.
    public func queue(artifactID: Int, model: EmbeddingModel) throws -> Queued {
        try connection.transaction { _ in
            let queue = EmbeddingQueue(connection: connection, model: model.name)
            try queue.follow()
            let added = try queue.queue(artifactIDs: [artifactID]) > 0
            return Queued(added: added, pending: try queue.counts().pending)
        }
    }
}
