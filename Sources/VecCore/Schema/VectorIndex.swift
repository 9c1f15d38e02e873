import Foundation

/// The two tables that hold searchable vectors.
public enum VectorTable: String, CaseIterable, Sendable {
    case artifactEmbeddings = "artifact_embeddings"
    case chunkEmbeddings = "chunk_embeddings"

    var shortName: String { self == .artifactEmbeddings ? "ae" : "ce" }
}

/// The index algorithms pgvector offers.
public enum VectorIndexType: String, CaseIterable, Sendable { case hnsw, ivfflat }

/// What an index stores of each vector (pgvector's README, "Half-precision indexing" and "Binary quantization"):
/// the vector as the model stores it, half precision (`::halfvec(n)`, half the size), or one bit a dimension
/// (`binary_quantize(v)::bit(n)` under Hamming distance, which a search re-ranks by the full-precision distance).
public enum VectorQuantization: String, CaseIterable, Sendable, Codable {
    case none, halfvec, bit

    /// The variant an operator class implies: `bit_hamming_ops` → bit, `halfvec_*` → halfvec (also a halfvec-stored
    /// model's plain index, which is the same index), anything else → none.
    public init(operatorClass: String) {
        if operatorClass.hasPrefix("bit_") {
            self = .bit
        } else if operatorClass.hasPrefix("halfvec_") {
            self = .halfvec
        } else {
            self = .none
        }
    }
}

/// One partial expression index over one model's vectors (ARCHITECTURE.md §3): the DDL is built only from
/// registry values and fixed words, never from free user text.
public struct VectorIndexSpec: Sendable, Equatable {
    public var model: EmbeddingModel
    public var table: VectorTable
    public var type: VectorIndexType
    public var metric: DistanceMetric
    public var quantization: VectorQuantization = .none
    public var m: Int = 16
    public var efConstruction: Int = 64
    public var lists: Int = 100

    public init(
        model: EmbeddingModel, table: VectorTable = .artifactEmbeddings, type: VectorIndexType = .hnsw,
        metric: DistanceMetric = .cosine, quantization: VectorQuantization = .none, m: Int = 16,
        efConstruction: Int = 64, lists: Int = 100
    ) {
        self.model = model
        self.table = table
        self.type = type
        self.metric = metric
        self.quantization = quantization
        self.m = m
        self.efConstruction = efConstruction
        self.lists = lists
    }

    /// pgvector's limits for indexing: 2,000 dimensions for vector, 4,000 for halfvec, 64,000 for bit.
    public func validate() throws {
        if quantization == .halfvec, model.storage == .halfvec {
            throw VecscopeError(
                what: "\(model.name) is indexed as halfvec already",
                why: "its vectors are stored and indexed in half precision (over 2,000 dimensions)",
                fix: "Use --quantization none for its half-precision index, or bit for binary quantization.",
                kind: .invalidInput)
        }
        let indexed: String
        let limit: Int
        switch quantization {
        case .none: (indexed, limit) = (model.storage.rawValue, model.storage == .halfvec ? 4_000 : 2_000)
        case .halfvec: (indexed, limit) = ("halfvec", 4_000)
        case .bit: (indexed, limit) = ("bit", 64_000)
        }
        guard model.dimensions <= limit else {
            throw VecscopeError(
                what:
                    "\(model.name) has \(model.dimensions) dimensions, over pgvector's \(limit) for an indexed \(indexed)",
                fix:
                    "Register the model with halfvec storage (up to 4,000 dimensions), or index it with --quantization bit."
            )
        }
        if type == .hnsw {
            guard (2...100).contains(m) else {
                throw VecscopeError(what: "m \(m) is out of range", fix: "Use 2…100; 16 is the usual value.")
            }
            guard efConstruction >= 2 * m, efConstruction <= 1_000 else {
                throw VecscopeError(
                    what: "ef_construction \(efConstruction) is out of range",
                    fix: "Use at least 2 × m and at most 1000; 64 is the usual value.")
            }
        } else {
            guard (1...32_768).contains(lists) else {
                throw VecscopeError(
                    what: "lists \(lists) is out of range", fix: "Use 1…32768; about rows/1000 up to 1M rows.")
            }
        }
    }

    /// e.g. `ae_hnsw_cosine_all_minilm_l6_v2`, `ae_hnsw_halfvec_cosine_…`, `ae_hnsw_bit_hamming_…`, at most 63 bytes
    /// (PostgreSQL's identifier limit).
    public var name: String {
        let slug = model.name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        let metricName =
            switch quantization {
            case .none: metric == .innerProduct ? "ip" : metric.rawValue
            case .halfvec: "halfvec_" + (metric == .innerProduct ? "ip" : metric.rawValue)
            case .bit: "bit_hamming"
            }
        var base = "\(table.shortName)_\(type.rawValue)_\(metricName)_\(slug)"
        if base.utf8.count > 63 {
            base = String(base.prefix(50)) + "_" + String(SHA256.hex(model.name).prefix(8))
        }
        return base
    }

    /// DDL takes no bound parameters: the cast and the model's literal come from the same `SQLFragment`s the
    /// search statements use, so the planner can match this index to them.
    public func createSQL(concurrently: Bool = false) -> String {
        let with = type == .hnsw ? "m = \(m), ef_construction = \(efConstruction)" : "lists = \(lists)"
        let expression = SQLFragment.indexedVector(model, quantization, column: "embedding_vector").ddlText
        let modelLiteral = SQLFragment.modelNameLiteral(model).ddlText
        return """
            CREATE INDEX \(concurrently ? "CONCURRENTLY " : "")IF NOT EXISTS \(name) ON \(table.rawValue)
            USING \(type.rawValue) ((\(expression)) \(operatorClass))
            WITH (\(with)) WHERE model_version = \(modelLiteral)
            """
    }

    /// `vector_cosine_ops`, `halfvec_cosine_ops` or `bit_hamming_ops`.
    public var operatorClass: String {
        switch quantization {
        case .none: metric.operatorClass(storage: model.storage)
        case .halfvec: metric.operatorClass(storage: .halfvec)
        case .bit: "bit_hamming_ops"
        }
    }
}
