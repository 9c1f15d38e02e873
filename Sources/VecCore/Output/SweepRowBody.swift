import Foundation

/// One row of `vecscope bench --format json`: a setting's recall against exact search, latency and throughput.
/// `server_p50_ms`, `server_p95_ms` and `plan` are absent when the server's time was not sampled.
public struct SweepRowBody: Codable, Sendable, Equatable {
    public var efSearch: Int
    public var probes: Int
    public var iterativeScan: IterativeScan
    public var queries: Int
    public var k: Int
    public var recallMean: Double
    public var recallMin: Double
    public var p50Ms: Double
    public var p95Ms: Double
    public var p99Ms: Double
    public var maxMs: Double
    public var qps: Double
    public var concurrency: Int
    public var meanShortfall: Double
    public var queriesShort: Int
    public var pareto: Bool
    public var userScoped: Bool
    public var serverP50Ms: Double?
    public var serverP95Ms: Double?
    public var plan: String?
    /// `tune index`: the judged jobs' mean nDCG@k at this setting (measured once recall met the target).
    public var ndcg: Double?

    enum CodingKeys: String, CodingKey {
        case efSearch = "ef_search"
        case probes
        case iterativeScan = "iterative_scan"
        case queries, k
        case recallMean = "recall_mean"
        case recallMin = "recall_min"
        case p50Ms = "p50_ms"
        case p95Ms = "p95_ms"
        case p99Ms = "p99_ms"
        case maxMs = "max_ms"
        case qps, concurrency
        case meanShortfall = "mean_shortfall"
        case queriesShort = "queries_short"
        case pareto
        case userScoped = "user_scoped"
        case serverP50Ms = "server_p50_ms"
        case serverP95Ms = "server_p95_ms"
        case plan
        case ndcg
    }

    public init(_ row: SweepRow, k: Int, userScoped: Bool, ndcg: Double? = nil) {
        efSearch = row.setting.efSearch
        probes = row.setting.probes
        iterativeScan = row.setting.iterativeScan
        queries = row.queries
        self.k = k
        recallMean = row.recallMean
        recallMin = row.recallMin
        p50Ms = row.latency.p50
        p95Ms = row.latency.p95
        p99Ms = row.latency.p99
        maxMs = row.latency.max
        qps = row.queriesPerSecond
        concurrency = row.concurrency
        meanShortfall = row.meanShortfall
        queriesShort = row.queriesShort
        pareto = row.onParetoFront
        self.userScoped = userScoped
        serverP50Ms = row.serverLatency?.p50
        serverP95Ms = row.serverLatency?.p95
        plan = row.plan
        self.ndcg = ndcg
    }
}

/// `vecscope tune index --json`: the values swept, the choice (absent when none met the bounds) and why not.
public struct IndexTuningBody: Encodable, Sendable {
    public var index: String
    public var knob: String
    public var rows: [SweepRowBody]
    public var judged: Judged
    public var chosen: IndexTuning?
    public var applied: Bool
    public var reason: String?

    /// The judged jobs' check: how many, nDCG@k by exact search (the bar), or why they were not checked.
    public struct Judged: Encodable, Sendable, Equatable {
        public var jobs: Int
        public var k: Int
        public var exactNDCG: Double?
        public var skipped: String?

        enum CodingKeys: String, CodingKey {
            case jobs, k
            case exactNDCG = "exact_ndcg"
            case skipped
        }

        public init(jobs: Int, k: Int, exactNDCG: Double?, skipped: String?) {
            self.jobs = jobs
            self.k = k
            self.exactNDCG = exactNDCG
            self.skipped = skipped
        }
    }

    public init(
        index: String, knob: String, rows: [SweepRowBody], judged: Judged, chosen: IndexTuning?, applied: Bool,
        reason: String?
    ) {
        self.index = index
        self.knob = knob
        self.rows = rows
        self.judged = judged
        self.chosen = chosen
        self.applied = applied
        self.reason = reason
    }
}
