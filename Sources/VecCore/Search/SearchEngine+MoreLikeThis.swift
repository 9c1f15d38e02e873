import Foundation

/// An artifact named as the query ("more like this"): `@a042`, or `@u01/a042` when two users hold the same id.
/// Its stored vector is the query, so data with no text model (`vecscope gen`) is searchable at once.
public struct MoreLikeThis: Sendable, Equatable {
    public var externalID: String
    /// The owner's external id, when given.
    public var user: String?

    public init(externalID: String, user: String? = nil) {
        self.externalID = externalID
        self.user = user
    }

    /// A query text that is one `@id` or `@user/id` token (surrounding blanks allowed); nil for any other text.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("@"), trimmed.count > 1,
            !trimmed.contains(where: { $0.isWhitespace || $0.isNewline })
        else { return nil }
        let body = trimmed.dropFirst()
        let parts = body.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2 {
            guard !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self.init(externalID: String(parts[1]), user: String(parts[0]))
        } else {
            self.init(externalID: String(body))
        }
    }

    /// "@a042" or "@u01/a042": what the query pane shows for it.
    public var text: String { "@" + (user.map { "\($0)/" } ?? "") + externalID }
}

extension SearchEngine {
    /// The query a text stands for: an artifact reference becomes that artifact's stored vector (full text, else
    /// summary) under the model, with its text for keyword matching, and `source` its row id — more like it, so
    /// not itself (it would be its own first result at similarity 1); any other text is itself, with no source.
    public func resolvedQuery(
        _ query: Query, model: EmbeddingModel, scope: UserScope
    ) throws -> (query: Query, source: Int?) {
        guard case .text(let text) = query, let reference = MoreLikeThis(parsing: text) else { return (query, nil) }
        let stored = try storedVector(of: reference, model: model, scope: scope)
        return (.textWithVector(stored.text, stored.vector), stored.id)
    }

    /// The referenced artifact's row id, stored vector and full text.
    func storedVector(
        of reference: MoreLikeThis, model: EmbeddingModel, scope: UserScope
    ) throws -> (id: Int, vector: [Float], text: String) {
        var owner = reference.user
        if owner == nil, case .user(let id) = scope { owner = id }
        let rows = try connection.query(
            """
            SELECT a.id, u.external_id AS owner, a.title, a.description, a.content, a.skills,
                   (SELECT e.embedding_vector FROM artifact_embeddings e
                    WHERE e.artifact_id = a.id AND e.user_id = a.user_id AND e.model_version = \(model.name)
                    ORDER BY e.content_type = 'full' DESC LIMIT 1) AS vector
            FROM artifacts a JOIN users u ON u.id = a.user_id
            WHERE a.external_id = \(reference.externalID) AND (\(owner)::text IS NULL OR u.external_id = \(owner)::text)
            ORDER BY u.external_id
            """
        ).rows
        guard let row = rows.first else {
            throw VecscopeError(
                what: "no artifact \(reference.text)",
                why: owner.map { "user \($0) has no artifact with that id" } ?? "no artifact has that external id",
                fix:
                    "Name an artifact by its id as loaded (e.g. @a042, or @u01/a042); results show ids in the detail pane.",
                kind: .notFound)
        }
        guard rows.count == 1 else {
            let owners = try rows.map { try $0.decode("owner", as: String.self) }
            throw VecscopeError(
                what: "\(reference.text) is ambiguous",
                why: "users \(owners.prefix(5).joined(separator: ", ")) each have an artifact \(reference.externalID)",
                fix: "Name the owner too: @\(owners[0])/\(reference.externalID).", kind: .invalidInput)
        }
        guard let vector = try row.decode("vector", as: Vector?.self) else {
            throw VecscopeError(
                what: "\(reference.text) has no \(model.name) vector",
                why: "more like this searches with the artifact's stored vector",
                fix: "Embed it (`vecscope embed --model \(model.name)`) or pick the model its vectors were made with.",
                kind: .invalidInput)
        }
        let text = EmbeddingText.full(
            title: try row.decode("title"), description: try row.decode("description"),
            content: try row.decode("content", as: String?.self) ?? "",
            skills: try row.decode("skills", as: [String]?.self) ?? [])
        return (try row.decode("id"), vector.values, text)
    }
}
