/// What the database holds, for pickers and summaries.
public struct Inventory {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// User external ids, in order.
    public func userIDs() throws -> [String] {
        try connection.query("SELECT external_id FROM users ORDER BY external_id").rows.map { try $0.decode(0) }
    }

    /// Models that have at least one stored artifact vector.
    public func modelsWithVectors() throws -> [String] {
        try connection.query("""
            SELECT m.name FROM embedding_models m
            WHERE EXISTS (SELECT 1 FROM artifact_embeddings e WHERE e.model_version = m.name) ORDER BY m.name
            """).rows.map { try $0.decode(0) }
    }

    public func artifactCount() throws -> Int {
        try connection.query("SELECT count(*) FROM artifacts").scalar(Int.self) ?? 0
    }
}
