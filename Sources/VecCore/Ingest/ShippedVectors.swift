import Foundation

/// The fixtures' vectors as vecscope's own model made them, shipped in `Fixtures/` so a first run stores them
/// instead of embedding about a thousand texts (full, summary, chunks). Each vector is keyed by the SHA-256 of the
/// exact text that was embedded, so a text that changed since (an edited fixture, another chunker) finds no vector
/// and is embedded as usual. The file also holds a probe text and its vector: on load the local model embeds the
/// probe, and a model that no longer makes the same vector (other weights, other tokenizer) gets no shipped vector.
///
/// Format (`vectors-<model>.tsv`, one record a line, tab-separated; vectors are float32 little-endian, base64):
/// `model <name> <dimensions>`, `probe <text> <vector>`, then `<sha256 of text> <vector>` per text.
public struct ShippedVectors: Sendable {
    public var model: String
    public var dimensions: Int
    public var probeText: String
    public var probeVector: [Float]
    /// Vector by SHA-256 (hex) of the embedded text.
    public var vectors: [String: [Float]]

    public static func fileName(model: String) -> String { "vectors-\(model).tsv" }

    /// The probe embedded at export and again on load.
    public static let defaultProbe = "vecscope shipped vectors check: PostgreSQL, pgvector and HNSW search"

    public init(model: String, dimensions: Int, probeText: String, probeVector: [Float], vectors: [String: [Float]]) {
        self.model = model
        self.dimensions = dimensions
        self.probeText = probeText
        self.probeVector = probeVector
        self.vectors = vectors
    }

    /// Reads a file written by `write(to:)`; a malformed file is an error naming the line.
    public init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var model: String?, dimensions = 0, probe: (String, [Float])?
        var vectors: [String: [Float]] = [:]
        func bad(_ number: Int, _ why: String) -> VecscopeError {
            VecscopeError(
                what: "\(url.lastPathComponent):\(number): \(why)",
                fix: "Write the file again with `make fixture-vectors`, or delete it (the texts are then embedded).")
        }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch fields.first {
            case "model" where fields.count == 3:
                model = fields[1]
                dimensions = Int(fields[2]) ?? 0
            case "probe" where fields.count == 3:
                guard let vector = Self.decode(fields[2], dimensions: dimensions) else {
                    throw bad(index + 1, "the probe vector is not \(dimensions) float32 values")
                }
                probe = (fields[1], vector)
            case .some(let hash) where fields.count == 2 && hash.count == 64:
                guard let vector = Self.decode(fields[1], dimensions: dimensions) else {
                    throw bad(index + 1, "the vector is not \(dimensions) float32 values")
                }
                vectors[hash] = vector
            default:
                throw bad(index + 1, "expected model, probe or <sha256> <vector>")
            }
        }
        guard let model, dimensions > 0, let probe else {
            throw bad(1, "the model and probe lines are missing")
        }
        self.init(model: model, dimensions: dimensions, probeText: probe.0, probeVector: probe.1, vectors: vectors)
    }

    /// Writes the file, vectors sorted by hash so the same vectors always make the same file.
    public func write(to url: URL) throws {
        var lines = ["model\t\(model)\t\(dimensions)", "probe\t\(probeText)\t\(Self.encode(probeVector))"]
        for hash in vectors.keys.sorted() {
            if let vector = vectors[hash] { lines.append("\(hash)\t\(Self.encode(vector))") }
        }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    /// Whether `embedder` is the model these vectors came from: same name and dimensions, and the probe text embeds
    /// to the shipped probe vector (cosine similarity ≥ 0.9999, which float rounding across machines keeps).
    public func isMade(by embedder: any Embedder) throws -> Bool {
        guard embedder.modelName == model, embedder.dimensions == dimensions else { return false }
        guard let fresh = try embedder.embed([probeText]).first, fresh.count == probeVector.count else { return false }
        var dot: Float = 0, a: Float = 0, b: Float = 0
        for index in fresh.indices {
            dot += fresh[index] * probeVector[index]
            a += fresh[index] * fresh[index]
            b += probeVector[index] * probeVector[index]
        }
        return a > 0 && b > 0 && dot / (a.squareRoot() * b.squareRoot()) >= 0.9999
    }

    /// Every stored vector of `model` with the hash of its text (artifact texts and chunks), for `write(to:)`.
    public static func export(
        connection: Connection, model: EmbeddingModel, embedder: any Embedder
    ) throws -> ShippedVectors {
        var vectors: [String: [Float]] = [:]
        for row in try connection.query(
            """
            SELECT content_hash::text AS hash, embedding_vector FROM artifact_embeddings
            WHERE model_version = \(model.name) AND NOT stale AND vector_norm(embedding_vector) > 0
            UNION ALL
            SELECT content_hash::text, embedding_vector FROM chunk_embeddings
            WHERE model_version = \(model.name) AND vector_norm(embedding_vector) > 0
            """
        ).rows {
            vectors[try row.decode("hash")] = try row.decode("embedding_vector", as: Vector.self).values
        }
        guard let probe = try embedder.embed([defaultProbe]).first else {
            throw VecscopeError(what: "the model returned no vector for the probe text")
        }
        return ShippedVectors(
            model: model.name, dimensions: model.dimensions, probeText: defaultProbe, probeVector: probe,
            vectors: vectors)
    }

    static func encode(_ vector: [Float]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return Data(bytes).base64EncodedString()
    }

    static func decode(_ text: String, dimensions: Int) -> [Float]? {
        guard let data = Data(base64Encoded: text), data.count == dimensions * 4 else { return nil }
        return (0..<dimensions).map { index in
            let base = index * 4
            let bits =
                UInt32(data[base]) | UInt32(data[base + 1]) << 8 | UInt32(data[base + 2]) << 16
                | UInt32(data[base + 3]) << 24
            return Float(bitPattern: bits)
        }
    }
}

/// An embedder that answers each text whose SHA-256 the shipped file holds with the shipped vector, and embeds the
/// rest with the model: the pipeline around it (batches, progress, storing, skipping current vectors) is unchanged.
public final class ShippedVectorEmbedder: Embedder {
    private let base: any Embedder
    private let shipped: ShippedVectors
    /// Texts answered from the file, and texts the model embedded.
    public private(set) var reused = 0
    public private(set) var embedded = 0

    public init(base: any Embedder, shipped: ShippedVectors) {
        self.base = base
        self.shipped = shipped
    }

    public var modelName: String { base.modelName }
    public var dimensions: Int { base.dimensions }
    public var maxInputTokens: Int { base.maxInputTokens }
    public func countTokens(_ text: String) -> Int { base.countTokens(text) }

    public func embed(_ texts: [String]) throws -> [[Float]] {
        var found = texts.map { shipped.vectors[SHA256.hex($0)] }
        let missing = found.indices.filter { found[$0] == nil }
        if !missing.isEmpty {
            let fresh = try base.embed(missing.map { texts[$0] })
            for (offset, index) in missing.enumerated() where offset < fresh.count { found[index] = fresh[offset] }
        }
        reused += texts.count - missing.count
        embedded += missing.count
        return found.compactMap { $0 }
    }
}
