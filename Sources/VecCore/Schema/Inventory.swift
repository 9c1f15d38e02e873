import Foundation

/// What the database holds, for pickers and summaries.
public struct Inventory {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// User external ids, in order.
    public func userIDs() throws -> [String] {
        try connection.query("SELECT external_id FROM users ORDER BY external_id").rows.map { try $0.decode(0) }
    }

    /// Display names by user external id (users without a name are left out).
    public func userNames() throws -> [String: String] {
        var names: [String: String] = [:]
        for row in try connection.query("SELECT external_id, name FROM users WHERE name IS NOT NULL").rows {
            names[try row.decode(0, as: String.self)] = try row.decode(1, as: String.self)
        }
        return names
    }

    /// Models that have at least one stored artifact vector.
    public func modelsWithVectors() throws -> [String] {
        try connection.query(
            """
            SELECT m.name FROM embedding_models m
            WHERE EXISTS (SELECT 1 FROM artifact_embeddings e WHERE e.model_version = m.name) ORDER BY m.name
            """
        ).rows.map { try $0.decode(0) }
    }

    public func artifactCount() throws -> Int {
        try connection.query("SELECT count(*) FROM artifacts").scalar(Int.self) ?? 0
    }

    /// Artifacts per type, most first (ties by name).
    public func artifactCountsByType() throws -> [ArtifactTypeCount] {
        try connection.query(
            """
            SELECT artifact_type, count(*)::int8 AS artifacts FROM artifacts GROUP BY 1 ORDER BY 2 DESC, 1
            """
        ).rows.map {
            ArtifactTypeCount(type: try $0.decode("artifact_type"), count: try $0.decode("artifacts"))
        }
    }

    /// The artifacts and one model's vectors as they stand now: two reads differ once anything was loaded, deleted,
    /// edited or embedded in between (counts catch deletes, the newest timestamps catch edits and re-embeds).
    public func dataVersion(model: String) throws -> DataVersion {
        let row = try connection.query(
            """
            SELECT (SELECT count(*) FROM artifacts)::int8 AS artifacts,
                   (SELECT max(updated_at) FROM artifacts) AS artifacts_changed,
                   count(*)::int8 AS vectors, max(generated_at) AS vectors_changed
            FROM artifact_embeddings WHERE model_version = \(model)::text
            """
        ).rows.first
        guard let row else { return DataVersion(artifacts: 0, vectors: 0) }
        return DataVersion(
            artifacts: try row.decode("artifacts"), artifactsChanged: try row.decode("artifacts_changed"),
            vectors: try row.decode("vectors"), vectorsChanged: try row.decode("vectors_changed"))
    }

    /// The installed pgvector's version, e.g. "0.8.1"; nil when the extension is not installed.
    public func pgvectorVersion() throws -> String? {
        try connection.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'").scalar(String.self)
    }
}

/// What `Inventory.dataVersion(model:)` read: results measured under one version may not hold under another.
public struct DataVersion: Sendable, Equatable {
    public var artifacts: Int
    public var artifactsChanged: Date?
    /// The model's whole-text vectors (full and summary).
    public var vectors: Int
    public var vectorsChanged: Date?

    public init(artifacts: Int, artifactsChanged: Date? = nil, vectors: Int, vectorsChanged: Date? = nil) {
        self.artifacts = artifacts
        self.artifactsChanged = artifactsChanged
        self.vectors = vectors
        self.vectorsChanged = vectorsChanged
    }
}

/// How many artifacts of one type the database holds.
public struct ArtifactTypeCount: Sendable, Equatable {
    /// `artifacts.artifact_type` as stored (project, experience, …).
    public var type: String
    public var count: Int

    public init(type: String, count: Int) {
        self.type = type
        self.count = count
    }
}
