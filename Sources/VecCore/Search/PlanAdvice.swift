import Foundation

/// What the scan that answered a search's semantic signal was, as far as the knobs are concerned.
public enum ScanKind: Equatable, Sendable {
    /// Every distance computed: a Seq Scan, or plan exact.
    case everyDistance(String)
    /// A vector index of this type.
    case index(String, VectorIndexType)
    /// Not explained (explain off, plan auto): nothing can be said.
    case unknown

    /// The scan of a finished search; `indexType` names the type of an index by name (from the catalog).
    public init(_ info: QueryInfo, indexType: (String) -> VectorIndexType?) {
        if info.parameters.plan == .exact {
            self = .everyDistance("exact")
        } else if let name = info.indexName, let type = indexType(name) ?? Self.guessType(name) {
            self = .index(name, type)
        } else if let plan = info.plan, plan.lowercased().contains("seq scan") {
            self = .everyDistance("Seq Scan")
        } else {
            self = .unknown
        }
    }

    /// vecscope's own index names carry their type (`ae_hnsw_…`, `ae_ivfflat_…`).
    private static func guessType(_ name: String) -> VectorIndexType? {
        name.contains("ivfflat") ? .ivfflat : name.contains("hnsw") ? .hnsw : nil
    }

    /// "Seq Scan", "exact", "HNSW ae_hnsw_…".
    public var label: String? {
        switch self {
        case .everyDistance(let label): return label
        case .index(let name, let type): return "\(type == .hnsw ? "HNSW" : "IVFFlat") \(name)"
        case .unknown: return nil
        }
    }
}

/// Warnings for a tuner: a knob that cannot matter under the plan that ran, a plan that changed index between two
/// runs (so a difference is not the knob's doing), and an index scan that returned fewer rows than the limit.
public enum PlanAdvice {
    /// The index knobs, by pgvector's names.
    public static let knobs = ["ef_search", "probes", "iterative_scan", "max_scan_tuples"]

    /// The knobs whose value cannot change the answer under `scan`, each with why and what to do.
    public static func idleKnobs(_ params: SearchParams, scan: ScanKind) -> [String: String] {
        guard params.method != .keyword else { return [:] }
        switch scan {
        case .unknown: return [:]
        case .everyDistance(let label):
            let why =
                label == "exact"
                ? "plan exact computes every distance" : "the plan is a Seq Scan (every distance computed)"
            let fix = label == "exact" ? "set plan to an index to tune it" : "pin an index with plan to tune it"
            return Dictionary(uniqueKeysWithValues: knobs.map { ($0, "\($0) cannot matter: \(why) — \(fix)") })
        case .index(let name, let type):
            var idle: [String: String] = [:]
            if type == .hnsw {
                idle["probes"] = "probes cannot matter: the plan is HNSW \(name) — probes tunes IVFFlat"
            } else {
                idle["ef_search"] = "ef_search cannot matter: the plan is IVFFlat \(name) — ef_search tunes HNSW"
                idle["max_scan_tuples"] = "max_scan_tuples cannot matter: it bounds HNSW's iterative scans"
            }
            if params.iterativeScan == .off, idle["max_scan_tuples"] == nil {
                idle["max_scan_tuples"] = "max_scan_tuples cannot matter: iterative_scan is off"
            }
            return idle
        }
    }

    /// The knobs that differ between two parameter sets.
    public static func changedKnobs(_ a: SearchParams, _ b: SearchParams) -> [String] {
        var changed: [String] = []
        if a.efSearch != b.efSearch { changed.append("ef_search") }
        if a.probes != b.probes { changed.append("probes") }
        if a.iterativeScan != b.iterativeScan { changed.append("iterative_scan") }
        if a.maxScanTuples != b.maxScanTuples { changed.append("max_scan_tuples") }
        return changed
    }

    /// Every warning for a finished search, most useful first. `previous` is the run before it on the same side;
    /// `watched` adds knobs to check beyond those changed since then (the TUI's selected parameter).
    public static func warnings(
        _ info: QueryInfo, previous: QueryInfo?, watched: [String] = [],
        indexType: (String) -> VectorIndexType? = { _ in nil }
    ) -> [String] {
        let params = info.parameters
        guard params.method != .keyword else { return [] }
        let scan = ScanKind(info, indexType: indexType)
        var warnings: [String] = []
        if let shortfall = shortfall(info, scan: scan) { warnings.append(shortfall) }
        if let previous {
            let before = ScanKind(previous, indexType: indexType)
            if previous.parameters.plan == params.plan, let from = before.label, let to = scan.label, from != to {
                warnings.append("plan changed since the last run: \(from) → \(to) — pin one with plan to compare")
            }
        }
        let idle = idleKnobs(params, scan: scan)
        let changed = previous.map { changedKnobs($0.parameters, params) } ?? []
        for knob in knobs where changed.contains(knob) || watched.contains(knob) {
            if let text = idle[knob] { warnings.append(text) }
        }
        return warnings
    }

    /// An index scan that returned fewer rows than the limit though more pass the filters, and the knob to turn.
    static func shortfall(_ info: QueryInfo, scan: ScanKind) -> String? {
        guard case .index(_, let type) = scan, info.rowsReturned < info.limit,
            info.totalCandidates > info.rowsReturned
        else { return nil }
        let params = info.parameters
        let rows = "\(info.rowsReturned)/\(info.limit) rows"
        let filtered = params.userScope != .all || !params.artifactTypes.isEmpty || params.similarityThreshold != nil
        if type == .hnsw, params.efSearch < info.limit, params.iterativeScan == .off {
            return "HNSW returned \(rows): ef_search \(params.efSearch) is below the limit — raise ef_search"
        }
        guard filtered else {
            return "the index scan returned \(rows) — raise \(type == .hnsw ? "ef_search" : "probes")"
        }
        if params.iterativeScan == .off {
            return "index scan + filter returned \(rows) — turn on iterative_scan (or raise "
                + (type == .hnsw ? "ef_search" : "probes") + ")"
        }
        return "index scan + filter returned \(rows) — raise "
            + (type == .hnsw ? "max_scan_tuples" : "probes")
    }
}
