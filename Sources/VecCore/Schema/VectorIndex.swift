import Foundation

/// The two tables that hold searchable vectors.
public enum VectorTable: String, CaseIterable, Sendable {
    case artifactEmbeddings = "artifact_embeddings"
    case chunkEmbeddings = "chunk_embeddings"

    var shortName: String { self == .artifactEmbeddings ? "ae" : "ce" }
}

/// The index algorithms pgvector offers.
public enum VectorIndexType: String, CaseIterable, Sendable { case hnsw, ivfflat }

/// One partial expression index over one model's vectors (ARCHITECTURE.md §3): the DDL is built only from
/// registry values and fixed words, never from free user text.
public struct VectorIndexSpec: Sendable, Equatable {
    public var model: EmbeddingModel
    public var table: VectorTable
    public var type: VectorIndexType
    public var metric: DistanceMetric
    public var m: Int = 16
    public var efConstruction: Int = 64
    public var lists: Int = 100

    public init(
        model: EmbeddingModel, table: VectorTable = .artifactEmbeddings, type: VectorIndexType = .hnsw,
        metric: DistanceMetric = .cosine, m: Int = 16, efConstruction: Int = 64, lists: Int = 100
    ) {
        self.model = model
        self.table = table
        self.type = type
        self.metric = metric
        self.m = m
        self.efConstruction = efConstruction
        self.lists = lists
    }

    /// pgvector's limits for indexing: 2,000 dimensions for vector, 4,000 for halfvec.
    public func validate() throws {
        let limit = model.storage == .halfvec ? 4_000 : 2_000
        guard model.dimensions <= limit else {
            throw VecscopeError(
                what:
                    "\(model.name) has \(model.dimensions) dimensions, over pgvector's \(limit) for an indexed \(model.storage.rawValue)",
                fix: "Register the model with halfvec storage (up to 4,000 dimensions).")
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

    /// e.g. `ae_hnsw_cosine_all_minilm_l6_v2`, at most 63 bytes (PostgreSQL's identifier limit).
    public var name: String {
        let slug = model.name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        let metricName = metric == .innerProduct ? "ip" : metric.rawValue
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
        let cast = SQLFragment.vectorCast(model).ddlText
        let modelLiteral = SQLFragment.modelNameLiteral(model).ddlText
        return """
            CREATE INDEX \(concurrently ? "CONCURRENTLY " : "")IF NOT EXISTS \(name) ON \(table.rawValue)
            USING \(type.rawValue) ((embedding_vector\(cast)) \(metric.operatorClass(storage: model.storage)))
            WITH (\(with)) WHERE model_version = \(modelLiteral)
            """
    }
}
