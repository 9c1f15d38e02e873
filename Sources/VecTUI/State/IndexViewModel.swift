import VecCore

/// The vector indexes as the index view shows them, plus the row count of each model (for the build advice).
public struct IndexInventory: Equatable, Sendable {
    public var indexes: [VectorIndexInfo]
    /// Stored full-text vectors per model name: what an index on `artifact_embeddings` would cover.
    public var rowsByModel: [String: Int]

    public init(indexes: [VectorIndexInfo], rowsByModel: [String: Int]) {
        self.indexes = indexes
        self.rowsByModel = rowsByModel
    }
}

/// What to build: the create form's values, turned into a `VectorIndexSpec` by the backend (which knows the model).
public struct IndexRequest: Equatable, Sendable {
    public var model: String
    public var type: VectorIndexType
    public var metric: DistanceMetric
    public var m: Int
    public var efConstruction: Int
    public var lists: Int

    public init(
        model: String, type: VectorIndexType = .hnsw, metric: DistanceMetric = .cosine, m: Int = 16,
        efConstruction: Int = 64, lists: Int = 100
    ) {
        self.model = model
        self.type = type
        self.metric = metric
        self.m = m
        self.efConstruction = efConstruction
        self.lists = lists
    }

    /// "hnsw cosine m 16 ef_construction 64 on all-MiniLM-L6-v2".
    public var summary: String {
        let shape = type == .hnsw ? "m \(m) ef_construction \(efConstruction)" : "lists \(lists)"
        return "\(type.rawValue) \(metric.rawValue) \(shape) on \(model)"
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
    case model, type, metric, m, efConstruction, lists

    public var label: String {
        switch self {
        case .model: return "model"
        case .type: return "type"
        case .metric: return "metric"
        case .m: return "m"
        case .efConstruction: return "ef_construction"
        case .lists: return "lists"
        }
    }

    /// Whether the field means anything for this index type (m and ef_construction are HNSW's, lists IVFFlat's).
    public func applies(to type: VectorIndexType) -> Bool {
        switch self {
        case .m, .efConstruction: return type == .hnsw
        case .lists: return type == .ivfflat
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
    public var fields: [IndexFormField] { IndexFormField.allCases.filter { $0.applies(to: request.type) } }

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
