import Foundation

/// The knob value `vecscope tune index` chose for an index (issue 18, item 4), stored by `--apply` in
/// `settings.index_tuning` and used by the CLI and the TUI wherever no flag sets that knob.
public struct IndexTuning: Sendable, Equatable, Codable {
    public var model: String
    public var index: String
    /// `ef_search` (HNSW) or `probes` (IVFFlat).
    public var knob: String
    public var value: Int
    public var k: Int
    public var targetRecall: Double
    /// What the chosen value measured: mean recall@k against exact search, and p95 latency.
    public var recall: Double
    public var p95Ms: Double
    /// The judged jobs' mean nDCG@k at the chosen value and by exact search; nil when none were checked.
    public var ndcg: Double?
    public var exactNDCG: Double?

    enum CodingKeys: String, CodingKey {
        case model, index, knob, value, k
        case targetRecall = "target_recall"
        case recall
        case p95Ms = "p95_ms"
        case ndcg
        case exactNDCG = "exact_ndcg"
    }

    public init(
        model: String, index: String, knob: String, value: Int, k: Int, targetRecall: Double, recall: Double,
        p95Ms: Double, ndcg: Double? = nil, exactNDCG: Double? = nil
    ) {
        self.model = model
        self.index = index
        self.knob = knob
        self.value = value
        self.k = k
        self.targetRecall = targetRecall
        self.recall = recall
        self.p95Ms = p95Ms
        self.ndcg = ndcg
        self.exactNDCG = exactNDCG
    }

    /// Whether `params` search with the tuned value (same model, the knob at the stored value).
    public func isInEffect(in params: SearchParams) -> Bool {
        params.model == model && (knob == "probes" ? params.probes : params.efSearch) == value
    }

    /// The knob's value in `params`.
    public func current(in params: SearchParams) -> Int { knob == "probes" ? params.probes : params.efSearch }

    /// "tuned: ef_search 64 for recall@10 ≥ 0.95".
    public var summary: String {
        "tuned: \(knob) \(value) for recall@\(k) ≥ \(String(format: "%.2f", targetRecall))"
    }

    static let key = "index_tuning"

    /// The stored choice; nil when none was applied.
    public static func stored(in connection: Connection) throws -> IndexTuning? {
        guard
            let json = try connection.query("SELECT value::text FROM settings WHERE key = \(key)").scalar(String.self)
        else { return nil }
        do {
            return try JSONDecoder().decode(IndexTuning.self, from: Data(json.utf8))
        } catch {
            throw VecscopeError(
                what: "the stored index tuning cannot be read", why: "settings.\(key) holds \(json.prefix(120))",
                fix: "Run `vecscope tune index --target-recall R --apply` again to store it anew.")
        }
    }

    public func store(in connection: Connection) throws {
        let json = try JSONText.encode(self, pretty: false)
        try connection.execute(
            """
            INSERT INTO settings (key, value) VALUES (\(Self.key), \(json)::jsonb)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
            """)
    }

    /// Sets the tuned knob on `params` when they search the tuned model; true when it did.
    @discardableResult
    public func apply(to params: inout SearchParams) -> Bool {
        guard params.model == model else { return false }
        if knob == "probes" { params.probes = value } else { params.efSearch = value }
        return true
    }
}

/// `vecscope tune index`: sweeps the index's knob upwards with stored-vector queries (recall@k against exact
/// full-precision search, the index pinned) and takes the first — cheapest — value meeting the recall target within
/// the latency bound whose judged jobs rank as well as exact search does (nDCG@k not below it). The search stops
/// there: every larger value costs more.
public struct IndexTuner {
    public var index: PlannableIndex
    public var targetRecall: Double
    public var maxP95Ms: Double?

    public init(index: PlannableIndex, targetRecall: Double, maxP95Ms: Double?) {
        self.index = index
        self.targetRecall = targetRecall
        self.maxP95Ms = maxP95Ms
    }

    public var knob: String { index.beamKnob }

    /// The values tried, smallest first: pgvector's ef_search range, or probes up to the index's lists.
    public static func candidates(for type: VectorIndexType, lists: Int?) -> [Int] {
        switch type {
        case .hnsw:
            return [10, 16, 20, 24, 32, 40, 48, 64, 80, 100, 128, 160, 200, 256, 320, 400, 500, 640, 800, 1000]
        case .ivfflat:
            let all = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 100, 128, 160, 200, 256]
            let most = lists ?? 256
            return all.filter { $0 <= most } + (most > 256 || all.contains(most) ? [] : [most])
        }
    }

    /// One swept value: its stored-vector measurement and, once it met recall and latency, the judged jobs' nDCG.
    public struct Step: Sendable, Equatable {
        public var row: SweepRow
        public var ndcg: Double?

        public init(row: SweepRow, ndcg: Double? = nil) {
            self.row = row
            self.ndcg = ndcg
        }
    }

    public enum Verdict: Sendable, Equatable {
        /// This value meets every bound and no smaller value did.
        case chosen(Step)
        /// Recall reached the target only above the latency bound or with the judged jobs ranking worse, or not at
        /// all: the best recall seen.
        case unmet(best: SweepRow?, reason: String)
        /// Keep sweeping.
        case undecided
    }

    func value(_ row: SweepRow) -> Int { index.type == .hnsw ? row.setting.efSearch : row.setting.probes }

    /// Whether a row meets the recall target within the latency bound (the judged jobs are measured only then).
    public func meetsRecall(_ row: SweepRow) -> Bool {
        row.recallMean >= targetRecall && row.latency.p95 <= (maxP95Ms ?? .infinity)
    }

    /// Judges the values swept so far (pure): the first meeting the target within the bound, and not ranking the
    /// judged jobs below exact search's `exactNDCG` (when given), is chosen; once p95 passes the bound, larger
    /// values (slower still) cannot help.
    public func verdict(_ steps: [Step], exactNDCG: Double? = nil, exhausted: Bool) -> Verdict {
        // nDCG is a sum of the same terms for the same ranking: equal rankings give equal numbers.
        func keepsRanking(_ step: Step) -> Bool {
            guard let exactNDCG else { return true }
            return (step.ndcg ?? -1) >= exactNDCG - 1e-9
        }
        if let met = steps.first(where: { meetsRecall($0.row) && keepsRanking($0) }) { return .chosen(met) }
        let rows = steps.map(\.row)
        let best = rows.max { ($0.recallMean, -$0.latency.p95) < ($1.recallMean, -$1.latency.p95) }
        let dropped = steps.filter { meetsRecall($0.row) }
        let ndcgNote =
            dropped.isEmpty || exactNDCG == nil
            ? ""
            : String(
                format: "; where recall met it, the judged jobs' nDCG@k stayed below exact search's %.3f (best %.3f)",
                exactNDCG ?? 0, dropped.compactMap(\.ndcg).max() ?? 0)
        if let maxP95Ms, let last = rows.last, last.latency.p95 > maxP95Ms {
            return .unmet(
                best: best,
                reason: String(
                    format: "at %@ %d p95 is %.2f ms, over --max-p95 %.2f, with recall %.3f (target %.3f)", knob,
                    value(last), last.latency.p95, maxP95Ms, last.recallMean, targetRecall) + ndcgNote)
        }
        if exhausted {
            return .unmet(
                best: best,
                reason: String(
                    format: "the largest %@ tried reaches recall %.3f (target %.3f)", knob, best?.recallMean ?? 0,
                    targetRecall) + ndcgNote)
        }
        return .undecided
    }

    /// Sweeps `sweep` (its base pinned to the index here) value by value until a verdict; `judged`, when given,
    /// measures the judged jobs at a value that met recall and latency, against `judged.exactNDCG`.
    public func run(
        _ sweep: Sweep, queries: [SweepQuery], lists: Int?, judged: JudgedCheck? = nil,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> (steps: [Step], verdict: Verdict) {
        var pinned = sweep
        pinned.base.plan = .index(index.name)
        let values = Self.candidates(for: index.type, lists: lists)
        var steps: [Step] = []
        for (position, value) in values.enumerated() {
            let setting =
                index.type == .hnsw
                ? SweepSetting(efSearch: value, probes: pinned.base.probes)
                : SweepSetting(efSearch: pinned.base.efSearch, probes: value)
            for row in try pinned.run([setting], queries: queries) {
                var step = Step(row: row)
                if let judged, meetsRecall(row) {
                    var params = pinned.base
                    params.efSearch = setting.efSearch
                    params.probes = setting.probes
                    step.ndcg = try judged.ndcg(params)
                }
                steps.append(step)
            }
            progress(position + 1, values.count)
            let verdict = verdict(steps, exactNDCG: judged?.exactNDCG, exhausted: position == values.count - 1)
            if verdict != .undecided { return (steps, verdict) }
        }
        return (steps, verdict(steps, exactNDCG: judged?.exactNDCG, exhausted: true))
    }

    /// The stored form of a chosen value.
    public func tuning(_ step: Step, k: Int, exactNDCG: Double? = nil) -> IndexTuning {
        IndexTuning(
            model: index.model ?? "", index: index.name, knob: knob, value: value(step.row), k: k,
            targetRecall: targetRecall, recall: step.row.recallMean, p95Ms: step.row.latency.p95, ndcg: step.ndcg,
            exactNDCG: exactNDCG)
    }
}

/// The judged jobs' part of `tune index`: each graded job ranked by the semantic method (the ranking the index
/// serves) to depth k, mean nDCG@k over the jobs with a relevant artifact, through the pinned index at a swept value
/// and once by exact search — the number a value must not fall below.
public struct JudgedCheck {
    public let engine: SearchEngine
    public let queries: [JudgedQuery]
    public let k: Int
    /// The same rankings by exact search (no index).
    public private(set) var exactNDCG: Double = 0

    /// Measures the exact baseline with `base` (its plan replaced by exact).
    public init(engine: SearchEngine, queries: [JudgedQuery], k: Int, base: SearchParams) throws {
        self.engine = engine
        self.queries = queries.filter(\.hasRelevant)
        self.k = k
        var exact = base
        exact.plan = .exact
        exactNDCG = try ndcg(exact)
    }

    /// How many jobs count (those with an artifact graded 2 or more).
    public var jobs: Int { queries.count }

    /// Mean nDCG@k of the judged jobs' semantic rankings under `params`.
    public func ndcg(_ params: SearchParams) throws -> Double {
        guard !queries.isEmpty else { return 0 }
        var params = params
        params.explain = false
        var total = 0.0
        for query in queries {
            var scoped = params
            scoped.userScope = query.userExternalID.map(UserScope.user) ?? params.userScope
            let ranking = try engine.rank(jobDescription: query.text, method: .semantic, topK: k, params: scoped)
            total += RankingMetrics.ndcg(ranking: ranking.results.map(\.artifactID), grades: query.grades, k: k)
        }
        return total / Double(queries.count)
    }
}

extension IndexTuner.Verdict {
    /// Why no value was chosen; nil when one was (or the sweep goes on).
    public var reason: String? {
        if case .unmet(_, let reason) = self { return reason }
        return nil
    }
}
