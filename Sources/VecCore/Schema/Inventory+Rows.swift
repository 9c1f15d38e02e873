extension Inventory {
    /// Stored artifact vectors per model name: the rows an index on `artifact_embeddings` for that model covers.
    public func vectorCountsByModel() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        let rows = try connection.query("SELECT model_version, count(*)::int8 FROM artifact_embeddings GROUP BY 1").rows
        for row in rows { counts[try row.decode(0, as: String.self)] = try row.decode(1, as: Int.self) }
        return counts
    }
}
