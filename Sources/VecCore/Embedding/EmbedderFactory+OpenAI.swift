/// Placeholder until the OpenAI provider lands: says clearly that it is not available yet.
extension EmbedderFactory {
    static func makeOpenAI(_ model: EmbeddingModel, environment: [String: String]) throws -> any Embedder {
        throw VecscopeError(what: "\(model.name) needs the OpenAI provider, which this build does not include")
    }
}
