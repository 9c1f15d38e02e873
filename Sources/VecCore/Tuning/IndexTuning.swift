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

    enum CodingKeys: String, CodingKey {
        case model, index, knob, value, k
        case targetRecall = "target_recall"
        case recall
        case p95Ms = "p95_ms"
    }

    public init(
        model: String, index: String, knob: String, value: Int, k: Int, targetRecall: Double, recall: Double,
        p95Ms: Double
    ) {
        self.model = model
        self.index = index
        self.knob = knob
        self.value = value
        self.k = k
        self.targetRecall = targetRecall
        self.recall = recall
        self.p95Ms = p95Ms
    }

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
/// the latency bound. The search stops there: every larger value costs more.
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

    public enum Verdict: Sendable, Equatable {
        /// This row meets both bounds and no smaller value did.
        case chosen(SweepRow)
        /// Recall reached the target only above the latency bound, or not at all: the best recall seen.
        case unmet(best: SweepRow?, reason: String)
        /// Keep sweeping.
        case undecided
    }

    /// Judges the rows swept so far (pure): the first meeting the target within the bound is chosen; once p95 passes
    /// the bound below the target, larger values (slower still) cannot help.
    public func verdict(_ rows: [SweepRow], exhausted: Bool) -> Verdict {
        func value(_ row: SweepRow) -> Int { index.type == .hnsw ? row.setting.efSearch : row.setting.probes }
        if let met = rows.first(where: { $0.recallMean >= targetRecall && $0.latency.p95 <= (maxP95Ms ?? .infinity) }) {
            return .chosen(met)
        }
        let best = rows.max { ($0.recallMean, -$0.latency.p95) < ($1.recallMean, -$1.latency.p95) }
        if let maxP95Ms, let last = rows.last, last.latency.p95 > maxP95Ms {
            return .unmet(
                best: best,
                reason: String(
                    format: "at %@ %d p95 is %.2f ms, over --max-p95 %.2f, with recall %.3f below %.3f", knob,
                    value(last),
                    last.latency.p95, maxP95Ms, last.recallMean, targetRecall))
        }
        if exhausted {
            return .unmet(
                best: best,
                reason: String(
                    format: "the largest %@ tried reaches recall %.3f, below %.3f", knob, best?.recallMean ?? 0,
                    targetRecall))
        }
        return .undecided
    }

    /// Sweeps `sweep` (its base pinned to the index here) value by value until a verdict; returns the rows swept.
    public func run(
        _ sweep: Sweep, queries: [SweepQuery], lists: Int?, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> (rows: [SweepRow], verdict: Verdict) {
        var pinned = sweep
        pinned.base.plan = .index(index.name)
        let values = Self.candidates(for: index.type, lists: lists)
        var rows: [SweepRow] = []
        for (position, value) in values.enumerated() {
            let setting =
                index.type == .hnsw
                ? SweepSetting(efSearch: value, probes: pinned.base.probes)
                : SweepSetting(efSearch: pinned.base.efSearch, probes: value)
            rows += try pinned.run([setting], queries: queries)
            progress(position + 1, values.count)
            let verdict = verdict(rows, exhausted: position == values.count - 1)
            if verdict != .undecided { return (rows, verdict) }
        }
        return (rows, verdict(rows, exhausted: true))
    }

    /// The stored form of a chosen row.
    public func tuning(_ row: SweepRow, k: Int) -> IndexTuning {
        IndexTuning(
            model: index.model ?? "", index: index.name, knob: knob,
            value: index.type == .hnsw ? row.setting.efSearch : row.setting.probes, k: k,
            targetRecall: targetRecall, recall: row.recallMean, p95Ms: row.latency.p95)
    }
}

extension IndexTuner.Verdict {
    /// Why no value was chosen; nil when one was (or the sweep goes on).
    public var reason: String? {
        if case .unmet(_, let reason) = self { return reason }
        return nil
    }
}
