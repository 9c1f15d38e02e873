/// The one test every vector passes before vecscope stores it, caches it or searches with it, whatever made it
/// (MiniLM, an OpenAI-compatible server, `--vector`): the model's length, finite values, not all zeros. A zero
/// vector has no direction: its cosine distance to anything is NaN, so it ranks nothing and, stored, looked "fresh".
public enum VectorCheck {
    /// What is wrong with `vector` for a model of `dimensions`, or nil when it is usable.
    public static func problem(_ vector: [Float], dimensions: Int) -> String? {
        guard vector.count == dimensions else { return "has \(vector.count) dimensions, expected \(dimensions)" }
        if let bad = vector.firstIndex(where: { !$0.isFinite }) {
            return "has a non-finite value (\(vector[bad])) at dimension \(bad)"
        }
        if vector.allSatisfy({ $0 == 0 }) { return "is all zeros, which has no direction to compare" }
        return nil
    }

    /// A short, one-line quotation of an input text for error messages.
    static func quoted(_ text: String, limit: Int = 40) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "\"" + (line.count > limit ? line.prefix(limit) + "…" : line) + "\""
    }
}
