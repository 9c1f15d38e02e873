/// Turns text into vectors; every caller that needs an embedding goes through this.
public protocol Embedder: AnyObject {
    /// The registry name (`embedding_models.name`), e.g. `all-MiniLM-L6-v2`.
    var modelName: String { get }
    var dimensions: Int { get }
    /// The longest input, in the model's tokens, that is embedded without truncation.
    var maxInputTokens: Int { get }
    /// One vector per input, in input order.
    func embed(_ texts: [String]) throws -> [[Float]]
}
