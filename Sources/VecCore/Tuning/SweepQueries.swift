import Foundation

extension SweepQuery {
    /// A repeatable sample of a model's stored full-text vectors as queries; each excludes its own artifact. With
    /// `userScoped`, each is also scoped to the artifact's owner (the "rank this person's artifacts" case, where a
    /// filtered HNSW scan can return fewer rows than asked for).
    public static func storedSample(
        _ connection: Connection, model: String, count: Int, userScoped: Bool = false
    ) throws
        -> [SweepQuery]
    {
        try connection.query(
            """
            SELECT e.artifact_id, e.embedding_vector, u.external_id
            FROM artifact_embeddings e JOIN artifacts a ON a.id = e.artifact_id JOIN users u ON u.id = a.user_id
            WHERE e.model_version = \(model) AND e.content_type = 'full'
            ORDER BY md5(e.artifact_id::text) LIMIT \(count)::int8
            """
        ).rows.map { row in
            let id: Int = try row.decode(0)
            let owner: String = try row.decode(2)
            return SweepQuery(
                label: "artifact \(id)" + (userScoped ? " in \(owner)" : ""),
                vector: try row.decode(1, as: Vector.self).values, excluding: id,
                userID: userScoped ? owner : nil)
        }
    }

    /// Scopes queries that have no user (text queries) to users round robin, taking the users with the most vectors
    /// of the model first: a job ranked against one candidate's collection, where the collection is big enough to
    /// fill k.
    public static func scopingUnscoped(
        _ queries: [SweepQuery], connection: Connection, model: String
    ) throws -> [SweepQuery] {
        let unscoped = queries.filter { $0.userID == nil }.count
        guard unscoped > 0 else { return queries }
        let users: [String] = try connection.query(
            """
            SELECT u.external_id FROM artifact_embeddings e JOIN artifacts a ON a.id = e.artifact_id
            JOIN users u ON u.id = a.user_id
            WHERE e.model_version = \(model) AND e.content_type = 'full'
            GROUP BY u.external_id ORDER BY count(*) DESC, u.external_id LIMIT \(unscoped)::int8
            """
        ).rows.map { try $0.decode(0) }
        guard !users.isEmpty else { return queries }
        var next = 0
        return queries.map { query in
            guard query.userID == nil else { return query }
            var scoped = query
            scoped.userID = users[next % users.count]
            scoped.label += " in \(users[next % users.count])"
            next += 1
            return scoped
        }
    }
}
