extension QueryEmbeddingCache {
    /// The stored vector for `text`, or nil when it was never embedded; reads only (no access count, no insert), for
    /// work that follows a search which already went through `vector(for:…)`, such as measuring its recall.
    public func storedVector(for text: String, model: EmbeddingModel) throws -> [Float]? {
        let vector = try connection.query(
            """
            SELECT embedding_vector FROM job_embeddings
            WHERE job_description_hash = \(SHA256.hex(text)) AND model_version = \(model.name)
            """
        ).scalar(Vector.self)?.values
        return vector.flatMap { VectorCheck.problem($0, dimensions: model.dimensions) == nil ? $0 : nil }
    }
}
