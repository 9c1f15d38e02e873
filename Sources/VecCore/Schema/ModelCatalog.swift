/// A model vecscope knows without asking a database: the registry row it seeds, plus what its API accepts.
public struct BuiltInModel: Sendable, Equatable {
    /// The `embedding_models` row.
    public var model: EmbeddingModel
    /// Whether the API can return shorter vectors when asked (the `dimensions` request parameter).
    public var acceptsDimensions: Bool

    public var name: String { model.name }
}

/// The built-in models, defined once: the registry seed (`Migrator`), the OpenAI client, `embed-text` and the
/// embedder factory all read them here.
public enum ModelCatalog {
    /// sentence-transformers' all-MiniLM-L6-v2, run locally (`MiniLM`); 256 tokens as it was trained.
    public static let miniLM = BuiltInModel(
        model: EmbeddingModel(
            name: "all-MiniLM-L6-v2", provider: .local, dimensions: 384, storage: .vector,
            costPerMTok: 0, maxInputTokens: 256),
        acceptsDimensions: false)

    public static let textEmbedding3Small = BuiltInModel(
        model: EmbeddingModel(
            name: "text-embedding-3-small", provider: .openai, dimensions: 1536, storage: .vector,
            costPerMTok: 0.02, maxInputTokens: 8191),
        acceptsDimensions: true)

    /// halfvec: pgvector's HNSW indexes `vector` up to 2000 dimensions only.
    public static let textEmbedding3Large = BuiltInModel(
        model: EmbeddingModel(
            name: "text-embedding-3-large", provider: .openai, dimensions: 3072, storage: .halfvec,
            costPerMTok: 0.13, maxInputTokens: 8191),
        acceptsDimensions: true)

    public static let textEmbeddingAda002 = BuiltInModel(
        model: EmbeddingModel(
            name: "text-embedding-ada-002", provider: .openai, dimensions: 1536, storage: .vector,
            costPerMTok: 0.10, maxInputTokens: 8191),
        acceptsDimensions: false)

    public static let all: [BuiltInModel] = [miniLM, textEmbedding3Small, textEmbedding3Large, textEmbeddingAda002]

    /// The models OpenAI's API serves by their plain names.
    public static var openAI: [BuiltInModel] { all.filter { $0.model.provider == .openai } }

    public static func model(named name: String) -> BuiltInModel? { all.first { $0.name == name } }

    /// The longest input assumed for a model of a compatible server, whose limit vecscope cannot know.
    public static let compatibleServerMaxInputTokens = 2048

    /// How vectors of a model not in the catalog are stored: HNSW takes `vector` up to 2000 dimensions,
    /// `halfvec` up to 4000.
    public static func storage(forDimensions dimensions: Int) -> VectorStorage {
        dimensions > 2000 ? .halfvec : .vector
    }
}
