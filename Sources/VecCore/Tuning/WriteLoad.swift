import Foundation

/// `make bench`'s search under write load: the writes go through the worker path (queue, claim, pipeline, HNSW
/// inserts into the index being searched) with this stand-in for a text model. A synthetic model has none, and MiniLM
/// would spend the cores on inference rather than on writes; this makes vectors the way `gen` does (a cluster
/// direction plus noise, the cluster picked by the text's hash) in microseconds, so a worker writes as fast as
/// PostgreSQL takes the inserts. Never registered with `EmbedderFactory`: searching by text with it means nothing.
public final class SyntheticTextEmbedder: Embedder {
    public let modelName: String
    public let dimensions: Int
    public let maxInputTokens: Int
    private let centres: [[Float]]
    private let noise: Float

    public init(model: EmbeddingModel) {
        modelName = model.name
        dimensions = model.dimensions
        maxInputTokens = model.maxInputTokens
        let data = SyntheticData(users: 1, artifacts: 0, dimensions: model.dimensions)
        centres = data.clusterCentres()
        noise = data.noise
    }

    public func embed(_ texts: [String]) throws -> [[Float]] {
        texts.map { text in
            var rng = SplitMix64(seed: Self.fnv1a(text))
            let centre = centres[Int(rng.next() % UInt64(centres.count))]
            let sigma = noise / Float(dimensions).squareRoot()
            var vector = SyntheticData.gaussians(dimensions, &rng)
            for d in 0..<dimensions { vector[d] = centre[d] + sigma * vector[d] }
            return SyntheticData.normalised(vector)
        }
    }

    public func countTokens(_ text: String) -> Int { max(1, text.utf8.count / 4) }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}

/// The data changes behind the write load.
public struct WriteLoad {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// Changes the description of up to `count` artifacts that have a full-text vector of `model`, so their vectors
    /// are stale and a worker has them to embed again; returns how many changed.
    @discardableResult
    public func reviseArtifacts(model: String, count: Int) throws -> Int {
        try connection.execute(
            """
            UPDATE artifacts SET description = description || ' Revised.', updated_at = now()
            WHERE id IN (SELECT artifact_id FROM artifact_embeddings
                         WHERE model_version = \(model) AND content_type = 'full'
                         ORDER BY artifact_id LIMIT \(count))
            """)
    }

    /// Writes the changed pages out and refreshes statistics, so the timed phases do not share the machine with a
    /// checkpoint or autovacuum the update set off.
    public func settle() throws {
        try connection.execute("VACUUM ANALYZE artifacts")
        try connection.execute("CHECKPOINT")
    }
}
