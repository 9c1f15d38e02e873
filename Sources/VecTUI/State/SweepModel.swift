import VecCore

/// One measured ef_search value of a sweep for the current query.
public struct SweepPoint: Equatable, Sendable {
    public var efSearch: Int
    /// Recall@k against exact search, 0…1.
    public var recall: Double
    /// Client wall time of the index query over the repetitions, in ms.
    public var p50Ms: Double
    public var p95Ms: Double

    public init(efSearch: Int, recall: Double, p50Ms: Double, p95Ms: Double) {
        self.efSearch = efSearch
        self.recall = recall
        self.p50Ms = p50Ms
        self.p95Ms = p95Ms
    }
}

/// The sweep view: ef_search values measured in the background for one query and parameter set.
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
    /// The parameters swept (ef_search varies; everything else is these).
    public var params: SearchParams
    /// The ef_search values in the order they are measured.
    public var values: [Int]
    public var points: [SweepPoint] = []
    public var phase: Phase = .running
    /// The selected point (Enter applies its ef_search).
    public var selected: Int = 0
    /// The model's vector indexes when the sweep started: once they differ (one built, rebuilt away or dropped) the
    /// points no longer describe the database and the view marks the sweep stale.
    public var indexes: [String] = []

    public init(id: Int, queryText: String, params: SearchParams, values: [Int]) {
        self.id = id
        self.queryText = queryText
        self.params = params
        self.values = values
    }

    public var isRunning: Bool { phase == .running }

    /// The ef_search values a sweep measures: a doubling ladder around the default, plus the current setting.
    public static func values(around current: Int) -> [Int] {
        Array(Set([10, 20, 40, 80, 160, 320, 640, current].filter { (1...1000).contains($0) })).sorted()
    }

    /// How many times each value is run after a warm-up run: 20, so p95 (nearest rank: the 19th) is not simply the
    /// slowest run, as it was with 7.
    public static let repetitions = 20

    /// The points sorted by ef_search.
    public var sortedPoints: [SweepPoint] { points.sorted { $0.efSearch < $1.efSearch } }
}
