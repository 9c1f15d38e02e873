/// A model as a user names it: a plain name (a built-in model or a registry row) or
/// `openai:<server model>[:<dimensions>]` for any OpenAI-compatible server. The server's model name may contain
/// colons (Ollama tags: `openai:llama3:8b:4096`); only a last part that is a number is read as the dimensions.
///
/// The one parser of model names: the registry, the OpenAI client and `embed-text` all resolve names here.
public struct ModelSpec: Sendable, Equatable {
    public enum Form: Sendable, Equatable {
        case named(String)
        /// `dimensions` is nil when the spec leaves it out (allowed for a built-in model only).
        case openAICompatible(model: String, dimensions: Int?)
    }

    public static let openAIPrefix = "openai:"

    /// The name as written, without surrounding spaces.
    public let text: String
    public let form: Form

    public init(_ text: String) {
        let spec = text.trimmingCharacters(in: .whitespaces)
        self.text = spec
        guard spec.hasPrefix(Self.openAIPrefix) else {
            form = .named(spec)
            return
        }
        let rest = String(spec.dropFirst(Self.openAIPrefix.count))
        if let colon = rest.lastIndex(of: ":"), let size = Int(rest[rest.index(after: colon)...]) {
            form = .openAICompatible(model: String(rest[..<colon]), dimensions: size)
        } else {
            form = .openAICompatible(model: rest, dimensions: nil)
        }
    }

    /// Whether an OpenAI-compatible API serves this model: an `openai:` spec or one of OpenAI's built-in models.
    public var namesOpenAIModel: Bool {
        switch form {
        case .openAICompatible: return true
        case .named(let name): return ModelCatalog.openAI.contains { $0.name == name }
        }
    }

    /// The registry row this spec stands for when no database is needed to know it (a built-in model, an
    /// `openai:` spec); nil for any other name, which only the registry can resolve.
    public func catalogModel() throws -> EmbeddingModel? {
        if namesOpenAIModel { return try openAIModel().model }
        if case .named(let name) = form { return ModelCatalog.model(named: name)?.model }
        return nil
    }

    /// The model as an OpenAI-compatible server is asked for it; throws for a spec no server can serve as written.
    public func openAIModel() throws -> OpenAIModelChoice {
        let serverModel: String
        let asked: Int?
        switch form {
        case .named(let name): (serverModel, asked) = (name, nil)
        case .openAICompatible(let model, let dimensions): (serverModel, asked) = (model, dimensions)
        }
        guard !serverModel.isEmpty else { throw unknownOpenAIModel(why: "the model name is missing") }
        guard namesOpenAIModel else {
            throw unknownOpenAIModel(why: "it is not an OpenAI embedding model vecscope knows")
        }
        let builtIn = ModelCatalog.openAI.first { $0.name == serverModel }
        guard let dimensions = asked ?? builtIn?.model.dimensions else {
            throw unknownOpenAIModel(why: "the number of dimensions is missing")
        }
        guard (1...16_000).contains(dimensions) else {
            throw unknownOpenAIModel(why: "\(dimensions) dimensions is outside 1–16000")
        }
        guard let builtIn else {
            let model = EmbeddingModel(
                name: Self.openAIPrefix + "\(serverModel):\(dimensions)", provider: .openai, dimensions: dimensions,
                storage: ModelCatalog.storage(forDimensions: dimensions), costPerMTok: 0,
                maxInputTokens: ModelCatalog.compatibleServerMaxInputTokens)
            return OpenAIModelChoice(serverModel: serverModel, model: model, builtIn: nil)
        }
        // A built-in model at its own size keeps its plain name, so `openai:text-embedding-3-small:1536` and
        // `text-embedding-3-small` are one registry row; a shortened one is a model of its own.
        if dimensions == builtIn.model.dimensions {
            return OpenAIModelChoice(serverModel: serverModel, model: builtIn.model, builtIn: builtIn)
        }
        guard builtIn.acceptsDimensions, dimensions < builtIn.model.dimensions else {
            throw unknownOpenAIModel(
                why: builtIn.acceptsDimensions
                    ? "\(builtIn.name) returns at most \(builtIn.model.dimensions) dimensions"
                    : "\(builtIn.name) always returns \(builtIn.model.dimensions) dimensions")
        }
        var shortened = builtIn.model
        shortened.name = Self.openAIPrefix + "\(serverModel):\(dimensions)"
        shortened.dimensions = dimensions
        shortened.storage = ModelCatalog.storage(forDimensions: dimensions)
        return OpenAIModelChoice(serverModel: serverModel, model: shortened, builtIn: builtIn)
    }

    private func unknownOpenAIModel(why: String) -> VecscopeError {
        let names = ModelCatalog.openAI.map(\.name).joined(separator: ", ")
        return VecscopeError(
            what: "unknown OpenAI embedding model \"\(text)\"", why: why,
            fix: "Use \(names), or openai:<model>:<dimensions> for a compatible server "
                + "(e.g. openai:nomic-embed-text:768).")
    }
}

/// An OpenAI-compatible model resolved against the catalog: what to ask the server for, and the registry row.
public struct OpenAIModelChoice: Sendable, Equatable {
    /// The `model` field of requests, e.g. `text-embedding-3-small` or `llama3:8b`.
    public var serverModel: String
    /// The built-in row, or `openai:<model>:<dimensions>` for a compatible server or a shortened built-in model.
    public var model: EmbeddingModel
    /// The catalog entry when the server model is one of OpenAI's built-in models.
    public var builtIn: BuiltInModel?

    /// Send `dimensions` in requests: only built-in models that can shorten their vectors accept it.
    public var sendsDimensions: Bool { builtIn?.acceptsDimensions ?? false }
}
