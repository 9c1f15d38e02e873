/// How complete one model's embeddings are: fresh, stale (text changed since) and missing, per content type.
public struct ModelStatus: Sendable, Equatable {
    public var model: EmbeddingModel
    public var fresh: Int
    public var stale: Int
    public var missing: Int
    public var chunkVectors: Int
    public var costUSD: Double

    /// One row per registered model, counting full-text embeddings against the artifacts there are.
    public static func all(connection: Connection) throws -> [ModelStatus] {
        try EmbeddingModelRegistry(connection: connection).all().map { try of($0, connection: connection) }
    }

    /// One model's counts; an all-zero vector (stored before `VectorCheck` existed) counts as stale, never fresh.
    public static func of(_ model: EmbeddingModel, connection: Connection) throws -> ModelStatus {
        do {
            let modelName = PostgresParameter(model.name)
            let row = try connection.query(
                """
                SELECT count(*) FILTER (WHERE e.id IS NOT NULL AND NOT e.stale AND e.content_hash = a.content_hash
                                          AND vector_norm(e.embedding_vector) > 0) AS fresh,
                       count(*) FILTER (WHERE e.id IS NOT NULL AND (e.stale OR e.content_hash <> a.content_hash
                                          OR vector_norm(e.embedding_vector) = 0)) AS stale,
                       count(*) FILTER (WHERE e.id IS NULL) AS missing,
                       (SELECT count(*) FROM chunk_embeddings c WHERE c.model_version = \(modelName)) AS chunk_vectors,
                       coalesce((SELECT sum(processing_cost_usd)::float8 FROM artifact_embeddings x
                                 WHERE x.model_version = \(modelName)), 0) AS cost_usd
                FROM artifacts a
                LEFT JOIN artifact_embeddings e
                       ON e.artifact_id = a.id AND e.model_version = \(modelName) AND e.content_type = 'full'
                """
            ).row(0)
            return ModelStatus(
                model: model, fresh: try row.decode("fresh"), stale: try row.decode("stale"),
                missing: try row.decode("missing"), chunkVectors: try row.decode("chunk_vectors"),
                costUSD: try row.decode("cost_usd"))
        }
    }

    /// Artifacts whose full text has no current vector of this model.
    public var needingEmbedding: Int { stale + missing }
}
