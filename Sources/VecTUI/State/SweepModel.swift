import VecCore

/// The index knob a sweep varies: ef_search for an HNSW index, probes for an IVFFlat one.
public enum SweepKnob: String, Equatable, Sendable {
    case efSearch = "ef_search"
    case probes

    /// The knob that tunes an index of this type.
    public init(for type: VectorIndexType?) {
        self = type == .ivfflat ? .probes : .efSearch
    }

    /// The knob's value in a parameter set.
    public func value(in params: SearchParams) -> Int {
        self == .probes ? params.probes : params.efSearch
    }

    /// `params` with the knob set to `value`.
    public func setting(_ value: Int, in params: SearchParams) -> SearchParams {
        var params = params
        if self == .probes { params.probes = value } else { params.efSearch = value }
        return params
    }

    /// The values a sweep measures: a doubling ladder, plus the current setting; probes stop at the index's lists
    /// when known (more probes than lists scan the same lists).
    public func values(around current: Int, lists: Int? = nil) -> [Int] {
        let ladder = self == .probes ? [1, 2, 4, 8, 16, 32, 64, 128] : [10, 20, 40, 80, 160, 320, 640]
        let top = self == .probes ? lists.map { max(1, $0) } : nil
        let range = self == .probes ? 1...(top ?? 32768) : 1...1000
        return Array(Set((ladder + [current] + (top.map { [$0] } ?? [])).filter { range.contains($0) })).sorted()
    }
}

/// One measured value of the swept knob for the current query.
public struct SweepPoint: Equatable, Sendable {
    /// The knob's value (ef_search or probes, as the sweep's `knob` says).
    public var value: Int
    /// Recall@k against exact search, 0…1.
    public var recall: Double
    /// Client wall time of the index query over the repetitions, in ms.
    public var p50Ms: Double
    public var p95Ms: Double

    public init(value: Int, recall: Double, p50Ms: Double, p95Ms: Double) {
        self.value = value
        self.recall = recall
        self.p50Ms = p50Ms
        self.p95Ms = p95Ms
    }
}

/// The sweep view: values of one index knob measured in the background for one query and parameter set.
public struct SweepModel: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        case running
        case finished
        case cancelled
        case failed(String)
    }

    /// The generation of the sweep (answers for another id are dropped).
    public var id: Int
    public var queryText: String
    /// The parameters swept (the knob varies; everything else is these, the pinned plan included).
    public var params: SearchParams
    public var knob: SweepKnob
    /// The knob's values in the order they are measured.
    public var values: [Int]
    public var points: [SweepPoint] = []
    public var phase: Phase = .running
    /// The selected point (Enter applies its value).
    public var selected: Int = 0
    /// The model's vector indexes when the sweep started: once they differ (one built, rebuilt away or dropped) the
    /// points no longer describe the database and the view marks the sweep stale.
    public var indexes: [String] = []
    /// The data when the sweep started, and as last checked (on reopening the view and when the sweep ends): once
    /// they differ (artifacts loaded, edited, deleted or embedded) the view marks the sweep stale.
    public var dataAtStart: DataVersion?
    public var dataNow: DataVersion?

    public init(id: Int, queryText: String, params: SearchParams, knob: SweepKnob = .efSearch, values: [Int]) {
        self.id = id
        self.queryText = queryText
        self.params = params
        self.knob = knob
        self.values = values
    }

    public var isRunning: Bool { phase == .running }

    /// The data changed since the sweep started (known once checked again).
    public var dataChanged: Bool {
        guard let dataAtStart, let dataNow else { return false }
        return dataAtStart != dataNow
    }

    /// How many times each value is run after a warm-up run: 20, so p95 (nearest rank: the 19th) is not simply the
    /// slowest run, as it was with 7.
    public static let repetitions = 20

    /// The points sorted by the knob's value.
    public var sortedPoints: [SweepPoint] { points.sorted { $0.value < $1.value } }
}
