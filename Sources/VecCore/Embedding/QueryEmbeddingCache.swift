import Foundation

/// Query and job-description vectors, cached in `job_embeddings` by sha256(text) + model.
public struct QueryEmbeddingCache {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// The vector for `text`, embedding and storing it on a miss. `cached` says whether it came from the table.
    /// `embedder` is only called on a miss, so a cache hit never loads a model. On a standby, which cannot write, the
    /// table is only read: the access count is not kept and a miss is embedded but not stored
    /// (`QueryInfo.embeddingCacheSkipped` says so).
    public func vector(
        for text: String, model: EmbeddingModel, embedder: () throws -> any Embedder, userID: Int? = nil
    )
        throws -> (vector: [Float], cached: Bool)
    {
        let hash = SHA256.hex(text)
        let readOnly = connection.isHotStandby
        if readOnly {
            if let vector = try storedVector(for: text, model: model) { return (vector, true) }
        } else {
            let hit = try connection.query(
                """
                UPDATE job_embeddings SET access_count = access_count + 1, last_accessed_at = now()
                WHERE job_description_hash = \(hash) AND model_version = \(model.name)
                RETURNING embedding_vector
                """)
            // A degenerate vector cached before `VectorCheck` is a miss: embedded again and replaced below.
            if let vector = try hit.scalar(Vector.self)?.values,
                VectorCheck.problem(vector, dimensions: model.dimensions) == nil
            {
                return (vector, true)
            }
        }
        let vector = try embedder().embed([text]).first ?? []
        if let problem = VectorCheck.problem(vector, dimensions: model.dimensions) {
            // Counted for `vecscope stats` where the server may write; the error below is thrown either way.
            if !readOnly {
                _ = try? connection.execute(
                    """
                    INSERT INTO refused_vectors (model_version, source, problem)
                    VALUES (\(model.name), 'query', \(problem))
                    """)
            }
            throw VecscopeError(
                what: "\(model.name) returned an unusable vector for the query \(VectorCheck.quoted(text))",
                why: "it \(problem); such a vector is neither searched with nor cached",
                fix: "Check the embedding server (OPENAI_BASE_URL) and its model; the same query is embedded again "
                    + "next time.")
        }
        if readOnly { return (vector, false) }
        try connection.execute(
            """
            INSERT INTO job_embeddings (user_id, job_description_hash, model_version, model_dimensions, embedding_vector,
                                        access_count)
            VALUES (\(userID), \(hash), \(model.name), \(model.dimensions), \(Vector(vector)), 1)
            ON CONFLICT (job_description_hash, model_version) DO UPDATE SET access_count = job_embeddings.access_count + 1,
                miss_count = job_embeddings.miss_count + 1,
                last_accessed_at = now(), embedding_vector = EXCLUDED.embedding_vector
            """)
        return (vector, false)
    }
}
