import Foundation

/// An HTTP API error: `{"error": {"code", "message", "hint", …}}`, from the same `ErrorReport` every face shows.
/// The server's DETAIL is left out: it can quote the row's values.
public struct ErrorResponseBody: Codable, Sendable, Equatable {
    public struct Content: Codable, Sendable, Equatable {
        /// A stable, machine-readable name (`invalid_request`, `not_found`, …).
        public var code: String
        /// What happened and why, in one sentence.
        public var message: String
        /// What to do about it.
        public var hint: String?
        public var what: String
        public var why: String?
        public var fix: String?
        public var sqlstate: String?
    }

    public var error: Content

    public init(code: String, report: ErrorReport) {
        error = Content(
            code: code, message: report.why.map { "\(report.what): \($0)" } ?? report.what,
            hint: report.fix ?? report.hint, what: report.what, why: report.why, fix: report.fix,
            sqlstate: report.sqlState)
    }
}

/// `POST /api/v1/artifacts/{id}/embeddings/`: the vector stored for one of the artifact's texts.
public struct ArtifactEmbeddingBody: Codable, Sendable, Equatable {
    public var artifactID: Int
    public var externalID: String
    public var embeddingID: String
    public var contentType: ContentType
    public var model: String
    public var dimensions: Int
    /// ISO 8601.
    public var generatedAt: String
    public var contentHash: String
    /// False when the stored vector was current and returned as it was.
    public var generated: Bool

    enum CodingKeys: String, CodingKey {
        case artifactID = "artifact_id"
        case externalID = "external_id"
        case embeddingID = "embedding_id"
        case contentType = "content_type"
        case model, dimensions
        case generatedAt = "generated_at"
        case contentHash = "content_hash"
        case generated
    }

    public init(_ embedding: StoredEmbedding, artifact: ArtifactReference, generated: Bool) {
        artifactID = artifact.id
        externalID = artifact.externalID
        embeddingID = embedding.id.uuidString.lowercased()
        contentType = embedding.contentType
        model = embedding.model
        dimensions = embedding.dimensions
        generatedAt = embedding.generatedAt.formatted(.iso8601)
        contentHash = embedding.contentHash
        self.generated = generated
    }
}

/// `POST /api/v1/artifacts/{id}/embeddings/` with `async`: what was left to `vecscope worker` (202).
public struct QueuedEmbeddingBody: Codable, Sendable, Equatable {
    public var artifactID: Int
    public var externalID: String
    public var contentType: ContentType
    public var model: String
    /// Always true: the artifact is waiting in the worker's queue.
    public var queued: Bool
    /// True when a row for the artifact was already waiting (none was added).
    public var alreadyQueued: Bool
    /// Rows waiting for the model, this one included.
    public var queuePending: Int

    enum CodingKeys: String, CodingKey {
        case artifactID = "artifact_id"
        case externalID = "external_id"
        case contentType = "content_type"
        case model, queued
        case alreadyQueued = "already_queued"
        case queuePending = "queue_pending"
    }

    public init(
        _ queued: ArtifactEmbeddings.Queued, artifact: ArtifactReference, contentType: ContentType, model: String
    ) {
        artifactID = artifact.id
        externalID = artifact.externalID
        self.contentType = contentType
        self.model = model
        self.queued = true
        alreadyQueued = !queued.added
        queuePending = queued.pending
    }
}

/// `GET /api/v1/artifacts/{id}/embeddings/`: every vector stored for the artifact.
public struct ArtifactEmbeddingListBody: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var id: String
        public var contentType: ContentType
        public var model: String
        public var dimensions: Int
        /// ISO 8601: when this vector was (last) generated.
        public var createdAt: String
        public var contentHash: String

        enum CodingKeys: String, CodingKey {
            case id
            case contentType = "content_type"
            case model, dimensions
            case createdAt = "created_at"
            case contentHash = "content_hash"
        }
    }

    public var artifactID: Int
    public var externalID: String
    public var embeddings: [Entry]

    enum CodingKeys: String, CodingKey {
        case artifactID = "artifact_id"
        case externalID = "external_id"
        case embeddings
    }

    public init(_ embeddings: [StoredEmbedding], artifact: ArtifactReference) {
        artifactID = artifact.id
        externalID = artifact.externalID
        self.embeddings = embeddings.map {
            Entry(
                id: $0.id.uuidString.lowercased(), contentType: $0.contentType, model: $0.model,
                dimensions: $0.dimensions, createdAt: $0.generatedAt.formatted(.iso8601), contentHash: $0.contentHash)
        }
    }
}

/// `GET /healthz`: the database answers and has pgvector.
public struct HealthBody: Codable, Sendable, Equatable {
    public var status: String
    public var pgvector: String
    public var postgresql: Int

    public init(pgvector: String, serverVersion: Int) {
        status = "ok"
        self.pgvector = pgvector
        postgresql = serverVersion
    }
}
