import Foundation

/// A row of `embedding_models`: a model vecscope can embed with and search by.
public struct EmbeddingModel: Sendable, Equatable {
    public enum Provider: String, Sendable { case local, openai, synthetic }

    public var name: String
    public var provider: Provider
    public var dimensions: Int
    public var storage: VectorStorage
    /// US dollars per million input tokens.
    public var costPerMTok: Double
    public var maxInputTokens: Int

    public init(
        name: String, provider: Provider, dimensions: Int, storage: VectorStorage,
        costPerMTok: Double = 0, maxInputTokens: Int = 256
    ) {
        self.name = name
        self.provider = provider
        self.dimensions = dimensions
        self.storage = storage
        self.costPerMTok = costPerMTok
        self.maxInputTokens = maxInputTokens
    }

    /// Model names end up as SQL literals in partial-index predicates (`SQLFragment.modelNameLiteral`): only these
    /// characters are allowed.
    static let allowedNameCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.:/"))

    static func validateName(_ name: String) throws {
        guard !name.isEmpty, name.count <= 100, name.unicodeScalars.allSatisfy(allowedNameCharacters.contains),
            name.unicodeScalars.allSatisfy(\.isASCII)
        else {
            throw VecscopeError(
                what: "invalid model name \"\(name)\"",
                fix: "Use letters, digits and - _ . : / only (at most 100 characters).", kind: .invalidInput)
        }
    }
}

/// Reads and extends the `embedding_models` registry.
public struct EmbeddingModelRegistry {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    public func all() throws -> [EmbeddingModel] {
        try connection.query("\(sql: Self.columns) FROM embedding_models ORDER BY name").rows.map(Self.decode)
    }

    /// The model with that name; an error listing the known ones otherwise.
    public func model(named name: String) throws -> EmbeddingModel {
        let rows = try connection.query("\(sql: Self.columns) FROM embedding_models WHERE name = \(name)").rows
        if let row = rows.first { return try Self.decode(row) }
        let known = try all().map(\.name).joined(separator: ", ")
        throw VecscopeError(
            what: "unknown model \"\(name)\"", why: "it is not in the embedding_models registry",
            fix: "Use one of: \(known); or openai:<name>:<dimensions> for an OpenAI-compatible server.",
            kind: .invalidInput)
    }

    /// The model by name; a built-in model or an `openai:<name>:<dims>` spec (`ModelSpec`) missing from the
    /// registry is registered on first use.
    public func resolve(_ name: String) throws -> EmbeddingModel {
        let registered = try connection.query("SELECT 1 FROM embedding_models WHERE name = \(name)").rowCount > 0
        if !registered, let model = try ModelSpec(name).catalogModel() { return try register(model) }
        return try model(named: name)
    }

    /// Adds a model (or leaves an identical one alone); a different definition under the same name is refused.
    @discardableResult
    public func register(_ model: EmbeddingModel) throws -> EmbeddingModel {
        try EmbeddingModel.validateName(model.name)
        try connection.execute(
            """
            INSERT INTO embedding_models (name, provider, dimensions, storage, cost_per_mtok, max_input_tokens)
            VALUES (\(model.name), \(model.provider.rawValue), \(model.dimensions), \(model.storage.rawValue),
                    \(model.costPerMTok), \(model.maxInputTokens)) ON CONFLICT (name) DO NOTHING
            """)
        let stored = try self.model(named: model.name)
        guard stored.dimensions == model.dimensions, stored.storage == model.storage else {
            throw VecscopeError(
                what:
                    "model \"\(model.name)\" is registered with \(stored.dimensions) dimensions (\(stored.storage.rawValue))",
                why: "the new definition says \(model.dimensions) (\(model.storage.rawValue))",
                fix: "Use another name for the new model; vectors of different sizes cannot share one name.")
        }
        return stored
    }

    /// Writes the catalog's built-in models: missing ones are added, changed costs and input limits updated. A row
    /// whose provider, dimensions or storage differ is left alone: its stored vectors were made that way.
    func seedBuiltInModels() throws {
        let stored = try all()
        for builtIn in ModelCatalog.all where !stored.contains(builtIn.model) {
            let model = builtIn.model
            try connection.execute(
                """
                INSERT INTO embedding_models (name, provider, dimensions, storage, cost_per_mtok, max_input_tokens)
                VALUES (\(model.name), \(model.provider.rawValue), \(model.dimensions), \(model.storage.rawValue),
                        \(model.costPerMTok), \(model.maxInputTokens))
                ON CONFLICT (name) DO UPDATE
                    SET cost_per_mtok = EXCLUDED.cost_per_mtok, max_input_tokens = EXCLUDED.max_input_tokens
                    WHERE (embedding_models.provider, embedding_models.dimensions, embedding_models.storage)
                        = (EXCLUDED.provider, EXCLUDED.dimensions, EXCLUDED.storage)
                """)
        }
    }

    /// What `decode` reads.
    private static let columns: SQLFragment = """
        SELECT name, provider, dimensions, storage, cost_per_mtok::float8 AS cost_per_mtok, max_input_tokens
        """

    private static func decode(_ row: Row) throws -> EmbeddingModel {
        EmbeddingModel(
            name: try row.decode("name"),
            provider: EmbeddingModel.Provider(rawValue: try row.decode("provider")) ?? .local,
            dimensions: try row.decode("dimensions"),
            storage: VectorStorage(rawValue: try row.decode("storage")) ?? .vector,
            costPerMTok: try row.decode("cost_per_mtok"), maxInputTokens: try row.decode("max_input_tokens"))
    }
}
