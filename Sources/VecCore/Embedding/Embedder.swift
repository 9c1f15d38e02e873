/// Turns text into vectors; every caller that needs an embedding goes through this.
public protocol Embedder: AnyObject {
    /// The registry name (`embedding_models.name`), e.g. `all-MiniLM-L6-v2`.
    var modelName: String { get }
    var dimensions: Int { get }
    /// The longest input, in the model's tokens, that is embedded without truncation.
    var maxInputTokens: Int { get }
    /// One vector per input, in input order.
    func embed(_ texts: [String]) throws -> [[Float]]
    /// Like `embed`, plus the tokens the provider billed (0 for local models).
    func embedReportingUsage(_ texts: [String]) throws -> EmbeddingOutput
    /// The model's token count for a text (an estimate where the provider's tokenizer is not local).
    func countTokens(_ text: String) -> Int
}

/// Vectors plus what producing them cost.
public struct EmbeddingOutput: Sendable, Equatable {
    public var vectors: [[Float]]
    public var totalTokens: Int
    public init(vectors: [[Float]], totalTokens: Int) {
        self.vectors = vectors
        self.totalTokens = totalTokens
    }
}

extension Embedder {
    public func embedReportingUsage(_ texts: [String]) throws -> EmbeddingOutput {
        EmbeddingOutput(vectors: try embed(texts), totalTokens: 0)
    }

    /// About four characters a token, the usual rule of thumb for English BPE tokenizers.
    public func countTokens(_ text: String) -> Int { max(1, (text.utf8.count + 3) / 4) }
}
