import Foundation

/// Scale data for tuning: users with skewed collection sizes, artifacts with generated titles and types, and
/// clustered unit vectors that behave like text embeddings (a mixture of random directions plus Gaussian noise).
///
/// Everything is a function of the seed and the artifact's number, so the same seed gives the same data whatever
/// the batch size, and only one batch of vectors is ever in memory.
public struct SyntheticData: Sendable {
    public var users: Int
    public var artifacts: Int
    public var dimensions: Int
    public var seed: UInt64
    /// Mixture components (directions vectors cluster around).
    public var clusters: Int
    /// Norm of the noise added to the unit cluster direction before normalising (≈ 0.75: cosine ≈ 0.8 to the centre).
    public var noise: Float
    /// Zipf exponent of the users' collection sizes.
    public var userSkew: Double
    public var batchSize: Int

    public init(
        users: Int, artifacts: Int, dimensions: Int, seed: UInt64 = 42, clusters: Int = 1_000,
        noise: Float = 0.75, userSkew: Double = 1.0, batchSize: Int = 2_000
    ) {
        self.users = users
        self.artifacts = artifacts
        self.dimensions = dimensions
        self.seed = seed
        self.clusters = clusters
        self.noise = noise
        self.userSkew = userSkew
        self.batchSize = batchSize
    }

    public var modelName: String { "synthetic-\(dimensions)" }

    /// The model the vectors are stored under: `vector` storage up to 2,000 dimensions, `halfvec` indexing above.
    public var model: EmbeddingModel {
        EmbeddingModel(
            name: modelName, provider: .synthetic, dimensions: dimensions,
            storage: dimensions > 2_000 ? .halfvec : .vector, costPerMTok: 0, maxInputTokens: 8_192)
    }

    public static let userPrefix = "synthetic-u"
    public static let artifactPrefix = "synthetic-a"

    public func validate() throws {
        guard users >= 1 else { throw VecscopeError(what: "--users must be at least 1") }
        guard artifacts >= 0 else { throw VecscopeError(what: "--artifacts must not be negative") }
        guard (1...16_000).contains(dimensions) else {
            throw VecscopeError(what: "--dims \(dimensions) is out of range", fix: "Use 1…16000.")
        }
        guard clusters >= 1, batchSize >= 1 else {
            throw VecscopeError(what: "clusters and batch size must be at least 1")
        }
    }

    // MARK: - Pure generation

    /// The cluster directions (unit vectors), from the seed alone.
    public func clusterCentres() -> [[Float]] {
        var rng = SplitMix64(seed: seed ^ 0xC1A5_7E12_0000_0000)
        return (0..<clusters).map { _ in Self.normalised(Self.gaussians(dimensions, &rng)) }
    }

    /// Cumulative weights of user i ∝ 1 / (i + 1)^skew, for inverse-CDF sampling.
    public func userCDF() -> [Double] {
        var cumulative: [Double] = []
        cumulative.reserveCapacity(users)
        var total = 0.0
        for rank in 0..<users {
            total += 1 / pow(Double(rank + 1), userSkew)
            cumulative.append(total)
        }
        return cumulative.map { $0 / total }
    }

    /// One artifact's generated content; `vector` is a unit vector near its cluster's direction.
    public struct Item: Sendable, Equatable {
        public var index: Int
        public var userIndex: Int
        public var cluster: Int
        public var type: String
        public var title: String
        public var description: String
        public var vector: [Float]
        public var uuid: UUID

        public var externalID: String { SyntheticData.artifactPrefix + String(index) }
        /// The hash every loader and the embedding pipeline use (of `EmbeddingText.full`): with a recipe of its own,
        /// a text model's vectors of these artifacts never matched it and they counted as stale for ever (the TUI
        /// offered to re-embed 3,000 synthetic artifacts on every start).
        public var contentHash: String {
            SHA256.hex(EmbeddingText.full(title: title, description: description, content: "", skills: []))
        }
    }

    public func item(_ index: Int, centres: [[Float]], userCDF: [Double]) -> Item {
        var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        _ = rng.next()
        // Clusters are skewed too (some topics are common), but more gently than users.
        let cluster = Int(Double(centres.count) * pow(Self.unit(&rng), 1.5)) % centres.count
        let userIndex = Self.lowerBound(userCDF, Self.unit(&rng))
        let type = Self.types[Int(rng.next() % UInt64(Self.types.count))]
        // Titles share a topic per cluster, so keyword search has something to find as well.
        let topic = Self.topics[cluster % Self.topics.count]
        let title =
            "\(Self.adjectives[Int(rng.next() % UInt64(Self.adjectives.count))].capitalized) \(topic) \(Self.nouns[Int(rng.next() % UInt64(Self.nouns.count))]) #\(index)"
        let description =
            "Synthetic \(type.replacingOccurrences(of: "_", with: " ")) about \(topic) (cluster \(cluster))."
        var bytes = (rng.next(), rng.next())
        var uuidBytes = withUnsafeBytes(of: &bytes) { Array($0) }
        uuidBytes[6] = (uuidBytes[6] & 0x0F) | 0x40
        uuidBytes[8] = (uuidBytes[8] & 0x3F) | 0x80
        let uuid = UUID(
            uuid: (
                uuidBytes[0], uuidBytes[1], uuidBytes[2], uuidBytes[3], uuidBytes[4], uuidBytes[5], uuidBytes[6],
                uuidBytes[7],
                uuidBytes[8], uuidBytes[9], uuidBytes[10], uuidBytes[11], uuidBytes[12], uuidBytes[13], uuidBytes[14],
                uuidBytes[15]
            ))
        let sigma = noise / Float(dimensions).squareRoot()
        var vector = Self.gaussians(dimensions, &rng)
        let centre = centres[cluster]
        for d in 0..<dimensions { vector[d] = centre[d] + sigma * vector[d] }
        return Item(
            index: index, userIndex: userIndex, cluster: cluster, type: type, title: title, description: description,
            vector: Self.normalised(vector), uuid: uuid)
    }

    static func unit(_ rng: inout SplitMix64) -> Double { Double(rng.next() >> 11) / Double(1 << 53) }

    /// `count` standard normal floats (Box–Muller, two per pair of uniforms).
    static func gaussians(_ count: Int, _ rng: inout SplitMix64) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        var i = 0
        while i < count {
            let u1 = Float(rng.next() >> 40) / Float(1 << 24) + 1e-7 / 2
            let u2 = Float(rng.next() >> 40) / Float(1 << 24)
            let r = (-2 * logf(max(u1, 1e-7))).squareRoot()
            let theta = 2 * Float.pi * u2
            out[i] = r * cosf(theta)
            if i + 1 < count { out[i + 1] = r * sinf(theta) }
            i += 2
        }
        return out
    }

    static func normalised(_ vector: [Float]) -> [Float] {
        var sum: Float = 0
        for x in vector { sum += x * x }
        let norm = sum.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    /// The first index whose cumulative value is ≥ x.
    static func lowerBound(_ cdf: [Double], _ x: Double) -> Int {
        var low = 0, high = cdf.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cdf[mid] < x { low = mid + 1 } else { high = mid }
        }
        return low
    }

    static let types = [
        "project", "publication", "work_experience", "certification", "education", "open_source", "talk", "award",
    ]
    static let adjectives = [
        "scalable", "realtime", "distributed", "secure", "embedded", "mobile", "open", "serverless", "robust",
        "adaptive", "lightweight", "federated", "streaming", "interactive", "automated", "private",
    ]
    static let nouns = [
        "platform", "pipeline", "service", "library", "dashboard", "engine", "toolkit", "framework", "model",
        "study", "system", "compiler", "gateway", "scheduler", "index", "API",
    ]
    static let topics = [
        "search", "payments", "vision", "speech", "robotics", "genomics", "logistics", "fraud detection",
        "recommendations", "observability", "databases", "networking", "compilers", "security", "climate",
        "healthcare", "education", "gaming", "finance", "retail", "translation", "maps", "energy", "chemistry",
    ]
}

/// Loads `SyntheticData` into the database by binary COPY, batch by batch (one transaction per batch).
public struct SyntheticDataLoader {
    public struct Summary: Sendable, Equatable {
        public var users: Int
        public var artifacts: Int
        public var model: String
        public var seconds: Double
        /// Wall time of the artifact + embedding batches (generation and COPY), without users and clean-up.
        public var loadSeconds: Double
        public var vectorsPerSecond: Double { loadSeconds > 0 ? Double(artifacts) / loadSeconds : 0 }
    }

    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// The LIKE pattern of every synthetic user's external id.
    private static let syntheticUsers = SyntheticData.userPrefix + "%"

    /// Whether synthetic users are there already.
    public func existingUsers() throws -> Int {
        try connection.query("SELECT count(*)::int8 FROM users WHERE external_id LIKE \(Self.syntheticUsers)")
            .row(0).decode(0)
    }

    /// Deletes every synthetic user (their artifacts and embeddings cascade).
    public func removeExisting() throws {
        try connection.execute("DELETE FROM users WHERE external_id LIKE \(Self.syntheticUsers)")
    }

    /// - Parameter progress: (artifacts done, total) after each batch.
    public func load(
        _ data: SyntheticData, replace: Bool = false, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Summary {
        try data.validate()
        let started = DispatchTime.now()
        if try existingUsers() > 0 {
            guard replace else {
                throw VecscopeError(
                    what: "synthetic data is loaded already", fix: "Pass --replace to delete it and generate again.")
            }
            try removeExisting()
        }
        let model = try EmbeddingModelRegistry(connection: connection).register(data.model)
        // A bulk load: losing the last few ms of it in a crash is fine, waiting for each WAL flush is not.
        try connection.execute("SET synchronous_commit = off")
        defer { _ = try? connection.execute("RESET synchronous_commit") }

        let userIDs: [Int64] = try connection.transaction { conn in
            let ids: [Int64] = try conn.query(
                """
                SELECT nextval(pg_get_serial_sequence('users', 'id')) FROM generate_series(1, \(data.users)::int8)
                """
            ).rows.map { try $0.decode(0) }
            let writer = try conn.copyIn("COPY users (id, external_id, name) FROM STDIN (FORMAT binary)")
            for (index, id) in ids.enumerated() {
                try writer.writeRow([
                    .int64(id), .text(SyntheticData.userPrefix + String(index)), .text("Synthetic user \(index)"),
                ])
            }
            try writer.finish()
            return ids
        }

        let centres = data.clusterCentres()
        let cdf = data.userCDF()
        let loadStarted = DispatchTime.now()
        var done = 0
        progress(0, data.artifacts)
        // The next batch is generated on another core while this one is sent.
        var pending: [SyntheticData.Item]? =
            data.artifacts > 0 ? Self.generate(data, 0..<min(data.batchSize, data.artifacts), centres, cdf) : nil
        while let items = pending {
            let nextStart = done + items.count
            let nextRange = nextStart..<min(nextStart + data.batchSize, data.artifacts)
            let producer = BatchProducer()
            if !nextRange.isEmpty { producer.start { Self.generate(data, nextRange, centres, cdf) } }
            try write(items, model: model, userIDs: userIDs)
            done = nextStart
            progress(done, data.artifacts)
            pending = nextRange.isEmpty ? nil : producer.result()
        }
        let loadSeconds = Self.seconds(since: loadStarted)
        // VACUUM as well as ANALYZE: freshly copied rows carry no hint bits and no visibility-map bits, so otherwise
        // the first searches set them (dirtying pages) and index-only scans visit the heap (100k × 1536: 1.9 s).
        // ANALYZE first, with synchronous commit back on: its commit flushes the WAL of the batches, and VACUUM
        // cannot mark a page all-visible while the commits of its rows are still unflushed.
        try connection.execute("RESET synchronous_commit")
        try connection.execute("ANALYZE users, artifacts, artifact_embeddings")
        try connection.execute("VACUUM users, artifacts, artifact_embeddings")
        return Summary(
            users: data.users, artifacts: data.artifacts, model: model.name, seconds: Self.seconds(since: started),
            loadSeconds: loadSeconds)
    }

    static func generate(
        _ data: SyntheticData, _ range: Range<Int>, _ centres: [[Float]], _ cdf: [Double]
    ) -> [SyntheticData.Item] {
        range.map { data.item($0, centres: centres, userCDF: cdf) }
    }

    private func write(_ items: [SyntheticData.Item], model: EmbeddingModel, userIDs: [Int64]) throws {
        try connection.transaction { conn in
            let ids: [Int64] = try conn.query(
                """
                SELECT nextval(pg_get_serial_sequence('artifacts', 'id')) FROM generate_series(1, \(items.count)::int8)
                """
            ).rows.map { try $0.decode(0) }
            let artifacts = try conn.copyIn(
                """
                COPY artifacts (id, user_id, external_id, artifact_type, title, description, content_hash, metadata)
                FROM STDIN (FORMAT binary)
                """)
            for (item, id) in zip(items, ids) {
                try artifacts.writeRow([
                    .int64(id), .int64(userIDs[item.userIndex]), .text(item.externalID), .text(item.type),
                    .text(item.title), .text(item.description), .text(item.contentHash),
                    .jsonb("{\"synthetic\": true, \"cluster\": \(item.cluster)}"),
                ])
            }
            try artifacts.finish()
            let embeddings = try conn.copyIn(
                """
                COPY artifact_embeddings (id, artifact_id, user_id, content_type, model_version, model_dimensions,
                    embedding_vector, content_hash)
                FROM STDIN (FORMAT binary)
                """)
            for (item, id) in zip(items, ids) {
                try embeddings.writeRow([
                    .uuid(item.uuid), .int64(id), .int64(userIDs[item.userIndex]), .text("full"), .text(model.name),
                    .int32(Int32(model.dimensions)),
                    .vector(Vector(item.vector)), .text(item.contentHash),
                ])
            }
            try embeddings.finish()
        }
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

/// Generates one batch on its own thread; `result()` waits for it.
private final class BatchProducer: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var items: [SyntheticData.Item] = []

    func start(_ work: @escaping @Sendable () -> [SyntheticData.Item]) {
        let thread = Thread { [self] in
            items = work()
            done.signal()
        }
        thread.start()
    }

    func result() -> [SyntheticData.Item] {
        done.wait()
        return items
    }
}
