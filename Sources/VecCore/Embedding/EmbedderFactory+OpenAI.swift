extension EmbedderFactory {
    /// An OpenAI-compatible provider; its errors become what/why/fix errors for the user.
    static func makeOpenAI(
        _ model: EmbeddingModel, environment: [String: String], purpose: EmbeddingPurpose
    ) throws -> any Embedder {
        do {
            return try OpenAIEmbedder.forModel(name: model.name, environment: environment, purpose: purpose)
        } catch let error as EmbeddingProviderError {
            throw error.vecscopeError
        }
    }
}
