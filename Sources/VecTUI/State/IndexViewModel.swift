import VecCore

/// The vector indexes as the index view shows them, plus the row count of each model (for the build advice).
public struct IndexInventory: Equatable, Sendable {
    public var indexes: [VectorIndexInfo]
    /// Stored full-text vectors per model name: what an index on `artifact_embeddings` would cover.
    public var rowsByModel: [String: Int]
    /// The registered models by name (dimensions, storage): what the create form checks a variant against.
    public var models: [String: EmbeddingModel]

    public init(indexes: [VectorIndexInfo], rowsByModel: [String: Int], models: [String: EmbeddingModel] = [:]) {
        self.indexes = indexes
        self.rowsByModel = rowsByModel
        self.models = models
    }
}

/// What to build: the create form's values, turned into a `VectorIndexSpec` by the backend (which knows the model).
public struct IndexRequest: Equatable, Sendable {
    public var model: String
    public var type: VectorIndexType
    public var metric: DistanceMetric
    /// What the index stores of each vector (issue 18): full vectors, half precision or one bit a dimension.
    public var quantization: VectorQuantization
    public var m: Int
    public var efConstruction: Int
    public var lists: Int

    public init(
        model: String, type: VectorIndexType = .hnsw, metric: DistanceMetric = .cosine,
        quantization: VectorQuantization = .none, m: Int = 16, efConstruction: Int = 64, lists: Int = 100
    ) {
        self.model = model
        self.type = type
        self.metric = metric
        self.quantization = quantization
        self.m = m
        self.efConstruction = efConstruction
        self.lists = lists
    }

    /// "hnsw cosine m 16 ef_construction 64 on all-MiniLM-L6-v2", "hnsw bit m 16 … on …".
    public var summary: String {
        let shape = type == .hnsw ? "m \(m) ef_construction \(efConstruction)" : "lists \(lists)"
        let stored =
            switch quantization {
            case .none: metric.rawValue
            case .halfvec: "halfvec \(metric.rawValue)"
            case .bit: "bit"
            }
        return "\(type.rawValue) \(stored) \(shape) on \(model)"
    }

    /// The index the backend would build for `model` (the registered row).
    public func spec(for model: EmbeddingModel) -> VectorIndexSpec {
        VectorIndexSpec(
            model: model, type: type, metric: metric, quantization: quantization, m: m, efConstruction: efConstruction,
            lists: lists)
    }

    /// Why the engine would refuse this request for `model` (pgvector's limits: halfvec of a model stored as halfvec
    /// already, dimensions over 2,000 / 4,000 / 64,000 for vector / halfvec / bit), or nil when it would build it.
    public func problem(for model: EmbeddingModel?) -> String? {
        guard let model else { return nil }
        do {
            try spec(for: model).validate()
            return nil
        } catch let error as VecscopeError {
            return error.why.map { "\(error.what): \($0)" } ?? error.what
        } catch {
            return "\(error)"
        }
    }

    /// The usual parameters for `rows` vectors (IndexAdvice), keeping model, type and metric.
    public func recommended(rows: Int) -> IndexRequest {
        var next = self
        let hnsw = IndexAdvice.recommendedHNSW(rows: rows)
        next.m = hnsw.m
        next.efConstruction = hnsw.efConstruction
        next.lists = IndexAdvice.recommendedLists(rows: rows)
        return next
    }
}

/// One field of the create form.
public enum IndexFormField: String, CaseIterable, Sendable {
    case model, type, metric, m, efConstruction, lists, quantization

    public var label: String {
        switch self {
        case .model: return "model"
        case .type: return "type"
        case .quantization: return "quantization"
        case .metric: return "metric"
        case .m: return "m"
        case .efConstruction: return "ef_construction"
        case .lists: return "lists"
        }
    }

    /// Whether the field means anything for this request (m and ef_construction are HNSW's, lists IVFFlat's; a bit
    /// index has one distance, Hamming, whatever the metric).
    public func applies(to request: IndexRequest) -> Bool {
        switch self {
        case .m, .efConstruction: return request.type == .hnsw
        case .lists: return request.type == .ivfflat
        case .metric: return request.quantization != .bit
        default: return true
        }
    }
}

/// The create form: a request being edited, and the field with focus.
public struct IndexForm: Equatable, Sendable {
    public var request: IndexRequest
    public var field: IndexFormField = .model

    public init(request: IndexRequest) { self.request = request }

    /// The fields shown for the request's type, in order.
    public var fields: [IndexFormField] { IndexFormField.allCases.filter { $0.applies(to: request) } }

    /// Moves the focus among the shown fields.
    public mutating func moveField(by delta: Int) {
        let shown = fields
        let index = shown.firstIndex(of: field) ?? 0
        field = shown[min(max(0, index + delta), shown.count - 1)]
    }

    /// Steps the focused field (Shift: a large step), within pgvector's limits.
    public mutating func adjust(direction: Int, large: Bool, models: [String]) {
        func cycle<T: Equatable>(_ all: [T], _ current: T) -> T {
            guard !all.isEmpty else { return current }
            let index = all.firstIndex(of: current) ?? 0
            return all[(index + direction % all.count + all.count) % all.count]
        }
        switch field {
        case .model: request.model = cycle(models, request.model)
        case .type: request.type = cycle(VectorIndexType.allCases, request.type)
        case .quantization: request.quantization = cycle(VectorQuantization.allCases, request.quantization)
        case .metric: request.metric = cycle(DistanceMetric.allCases, request.metric)
        case .m:
            request.m = min(100, max(2, request.m + direction * (large ? 8 : 2)))
            request.efConstruction = max(request.efConstruction, 2 * request.m)
        case .efConstruction:
            request.efConstruction = min(
                1000, max(2 * request.m, request.efConstruction + direction * (large ? 64 : 8)))
        case .lists:
            let step = large ? max(10, request.lists / 2) : max(1, request.lists / 10)
            request.lists = min(32_768, max(1, request.lists + direction * step))
        }
    }
}

/// A create, reindex or drop running in the background, with the latest progress from pg_stat_progress_create_index.
public struct IndexJob: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case create(IndexRequest)
        case reindex(String)
        case drop(String)
    }

    public var kind: Kind
    /// Monotonic seconds when it started, for the elapsed time and rate.
    public var startedAt: Double
    public var progress: IndexBuildProgress?
    /// When the current phase began and its count then, so the rate is the current phase's.
    public var phaseStartedAt: Double
    public var cancelRequested = false

    public init(kind: Kind, startedAt: Double) {
        self.kind = kind
        self.startedAt = startedAt
        self.phaseStartedAt = startedAt
    }

    /// "creating hnsw cosine … on model", "rebuilding ae_…", "dropping ae_…".
    public var title: String {
        switch kind {
        case .create(let request): return "creating " + request.summary
        case .reindex(let name): return "rebuilding " + name
        case .drop(let name): return "dropping " + name
        }
    }
}

/// The index view (i): the vector indexes with their parameters, size and scans; create, drop and reindex.
public struct IndexViewModel: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        case loading
        case loaded
        case failed(String)
    }

    public var phase: Phase = .loading
    public var inventory = IndexInventory(indexes: [], rowsByModel: [:])
    public var selected: Int = 0
    /// The create form while it is open.
    public var form: IndexForm?
    /// The index name awaiting "y" to be dropped.
    public var pendingDrop: String?
    /// The job running now (one at a time: a build holds the table's lock anyway).
    public var job: IndexJob?
    /// How the last job ended ("built ae_… in 3.2s"), shown until the next one starts.
    public var lastOutcome: StatusMessage?

    public init() {}

    public var selectedIndex: VectorIndexInfo? {
        inventory.indexes.indices.contains(selected) ? inventory.indexes[selected] : nil
    }
}
