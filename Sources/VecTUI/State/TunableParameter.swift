import Foundation
import VecCore

/// The values some parameters can cycle through, discovered from the database at start-up.
public struct ParameterChoices: Equatable, Sendable {
    /// User external ids (`u01`, …), for the user scope.
    public var users: [String]
    /// Embedding model names with stored vectors.
    public var models: [String]
    /// Each model's vector indexes (HNSW first), which the plan parameter can pin.
    public var indexes: [String: [PlannableIndex]]
    /// Display names by user id, for the `:user` prompt's fuzzy match.
    public var userNames: [String: String]
    /// Each vector index's on-disk size in bytes by name, for compare mode's sides.
    public var indexSizes: [String: Int]

    public init(
        users: [String] = [], models: [String] = [SearchParams.defaultModel], indexes: [String: [PlannableIndex]] = [:],
        userNames: [String: String] = [:], indexSizes: [String: Int] = [:]
    ) {
        self.users = users
        self.models = models
        self.indexes = indexes
        self.userNames = userNames
        self.indexSizes = indexSizes
    }

    /// The plan choices for a model: auto, each of its indexes, exact.
    public func plans(model: String) -> [PlanChoice] {
        [.auto] + (indexes[model] ?? []).map { .index($0.name) } + [.exact]
    }

    /// The index of that name among any model's, for its type.
    public func index(named name: String) -> PlannableIndex? {
        indexes.values.lazy.flatMap { $0 }.first { $0.name == name }
    }
}

/// One row of the parameters pane: a knob of `SearchParams` with its label, display, help and key-driven steps.
public enum TunableParameter: String, CaseIterable, Sendable {
    case method, metric, fusion, fusionValue, limit, threshold, efSearch, probes, iterativeScan, maxScanTuples, plan
    case rerank, bm25K1, bm25B
    case userScope, artifactTypes, contentTypes, model, explain

    /// The name shown in the pane (pgvector's own name where it has one).
    public var label: String {
        switch self {
        case .method: return "method"
        case .metric: return "metric"
        case .fusion: return "fusion"
        case .fusionValue: return "fusion k/α"
        case .bm25K1: return "BM25 k1"
        case .bm25B: return "BM25 b"
        case .limit: return "limit"
        case .threshold: return "min similarity"
        case .efSearch: return "ef_search"
        case .probes: return "probes"
        case .iterativeScan: return "iterative_scan"
        case .maxScanTuples: return "max_scan_tuples"
        case .plan: return "plan"
        case .rerank: return "re-rank"
        case .userScope: return "users"
        case .artifactTypes: return "artifact types"
        case .contentTypes: return "content"
        case .model: return "model"
        case .explain: return "explain"
        }
    }

    /// What the knob does in at most 48 columns (two rows of the pane at 80×24), shown for the selected row.
    public var help: String {
        switch self {
        case .method: return "semantic, keyword (full text) or hybrid (both)"
        case .metric: return "distance: cosine <=>, L2 <->, inner product <#>"
        case .fusion: return "hybrid only: rank fusion (RRF) or weighted sum"
        case .fusionValue: return "RRF k: higher flattens ranks · α: 1 = semantic"
        case .bm25K1: return "keyword: term-frequency saturation (1.2)"
        case .bm25B: return "keyword: length normalisation 0…1 (0.75)"
        case .limit: return "how many results to return"
        case .threshold: return "drop results below this cosine similarity"
        case .efSearch: return "HNSW breadth: higher = better recall, slower"
        case .probes: return "IVFFlat lists: higher = better recall, slower"
        case .iterativeScan: return "scan on when filters drop rows (pgvector 0.8)"
        case .maxScanTuples: return "most tuples an iterative scan may visit"
        case .plan: return "auto, a pinned index, or exact (no index)"
        case .rerank: return "bit index: N × limit read, full-vector order"
        case .userScope: return "every user's artifacts, or one user's"
        case .artifactTypes: return "only artifacts of this type"
        case .contentTypes: return "texts searched: full, summary, chunks"
        case .model: return "embedding model (each has its own index)"
        case .explain: return "show the plan (EXPLAIN, cached per knobs)"
        }
    }

    /// The current value as shown in the pane.
    public func value(in params: SearchParams) -> String {
        switch self {
        case .method: return params.method.rawValue
        case .metric: return params.metric.label
        case .fusion:
            if case .weighted = params.fusion { return "weighted" }
            return "RRF"
        case .fusionValue:
            switch params.fusion {
            case .rrf(let k): return "k=\(k)"
            case .weighted(let alpha): return String(format: "α=%.2f", alpha)
            }
        case .bm25K1: return String(format: "%.2f", params.bm25.k1)
        case .bm25B: return String(format: "%.2f", params.bm25.b)
        case .limit: return "\(params.limit)"
        case .threshold: return params.similarityThreshold.map { String(format: "%.2f", $0) } ?? "off"
        case .efSearch: return "\(params.efSearch)"
        case .probes: return "\(params.probes)"
        case .iterativeScan: return params.iterativeScan.rawValue
        case .maxScanTuples: return "\(params.maxScanTuples)"
        case .plan: return params.plan.label
        case .rerank: return "\(params.rerankDepth)×"
        case .userScope:
            if case .user(let id) = params.userScope { return id }
            return "all"
        case .artifactTypes:
            return params.artifactTypes.isEmpty ? "all" : params.artifactTypes.map(\.rawValue).joined(separator: "+")
        case .contentTypes: return params.contentTypes.map(\.rawValue).joined(separator: "+")
        case .model: return params.model
        case .explain: return params.explain ? "on" : "off"
        }
    }

    /// Whether the knob affects the current method (fusion only matters to hybrid, ef_search not to keyword…);
    /// knobs that do not are drawn dimmed but can still be changed.
    public func isRelevant(to params: SearchParams) -> Bool {
        switch self {
        case .fusion, .fusionValue: return params.method == .hybrid
        case .bm25K1, .bm25B: return params.method != .semantic
        case .metric, .efSearch, .probes, .iterativeScan, .maxScanTuples, .model, .threshold, .plan, .rerank:
            return params.method != .keyword
        default: return true
        }
    }

    /// Whether the pane lists the knob at all: the re-ranking depth only while the plan pins a bit index (it means
    /// nothing to any other plan); every other knob always.
    public func isShown(for params: SearchParams, choices: ParameterChoices) -> Bool {
        guard self == .rerank else { return true }
        return params.plan.indexName.flatMap { choices.index(named: $0) }?.quantization == .bit
    }

    /// Why the knob cannot change now, or nil.
    public func disabledReason(choices: ParameterChoices) -> String? {
        switch self {
        case .model where choices.models.count < 2: return "only one embedding model has vectors"
        case .userScope where choices.users.isEmpty: return "no users loaded yet"
        default: return nil
        }
    }

    /// `params` with this knob moved one step in `direction` (−1 or +1); `large` takes the bigger step (Shift).
    /// Results always pass `SearchParams.validate()` when the input did.
    public func adjusted(_ params: SearchParams, direction: Int, large: Bool, choices: ParameterChoices) -> SearchParams
    {
        var p = params
        let d = direction < 0 ? -1 : 1
        switch self {
        case .method: p.method = Self.cycle(RankingMethod.allCases, from: p.method, by: d)
        case .metric: p.metric = Self.cycle(DistanceMetric.allCases, from: p.metric, by: d)
        case .fusion:
            if case .rrf = p.fusion {
                p.fusion = .weighted(alpha: HybridFusion.defaultAlpha)
            } else {
                p.fusion = .rrf(k: HybridFusion.defaultRRFK)
            }
        case .fusionValue:
            switch p.fusion {
            case .rrf(let k): p.fusion = .rrf(k: Self.step(k, by: d, size: large ? 20 : 5, in: 1...1000))
            case .weighted(let alpha):
                let next = (alpha + Double(d) * (large ? 0.25 : 0.05)) * 100
                p.fusion = .weighted(alpha: min(max(next.rounded() / 100, 0), 1))
            }
        case .bm25K1:
            let next = ((p.bm25.k1 + Double(d) * (large ? 0.5 : 0.1)) * 100).rounded() / 100
            p.bm25.k1 = min(max(next, 0), 10)
        case .bm25B:
            let next = ((p.bm25.b + Double(d) * (large ? 0.25 : 0.05)) * 100).rounded() / 100
            p.bm25.b = min(max(next, 0), 1)
        case .limit: p.limit = Self.step(p.limit, by: d, size: large ? 10 : 1, in: 1...1000)
        case .threshold:
            let size = large ? 0.25 : 0.05
            if let current = p.similarityThreshold {
                let next = ((current + Double(d) * size) * 100).rounded() / 100
                p.similarityThreshold = next < 0 ? nil : min(next, 1)
            } else if d > 0 {
                p.similarityThreshold = large ? 0.5 : 0
            }
        case .efSearch: p.efSearch = Self.step(p.efSearch, by: d, size: large ? 100 : 10, in: 1...1000)
        case .probes: p.probes = Self.step(p.probes, by: d, size: large ? 10 : 1, in: 1...1000)
        case .iterativeScan: p.iterativeScan = Self.cycle(IterativeScan.allCases, from: p.iterativeScan, by: d)
        case .maxScanTuples:
            p.maxScanTuples = Self.step(p.maxScanTuples, by: d, size: large ? 10_000 : 1_000, in: 1_000...1_000_000)
        case .userScope:
            let scopes: [UserScope] = [.all] + choices.users.map { .user($0) }
            p.userScope = Self.cycle(scopes, from: p.userScope, by: d)
        case .artifactTypes:
            let options: [[ArtifactType]] = [[]] + ArtifactType.allCases.map { [$0] }
            p.artifactTypes = Self.cycle(options, from: p.artifactTypes, by: d)
        case .contentTypes:
            let options: [[ContentType]] = [
                [.full], [.summary], [.chunk], [.full, .chunk], [.full, .summary, .chunk],
            ]
            p.contentTypes = Self.cycle(options, from: p.contentTypes, by: d)
        case .plan: p.plan = Self.cycle(choices.plans(model: p.model), from: p.plan, by: d)
        case .rerank:
            // Doubling steps, as `bench --rerank 1,2,4,8` sweeps them; Shift jumps two.
            let depths = [1, 2, 4, 8, 16, 32, 64, 100]
            let index = depths.firstIndex { $0 >= p.rerankDepth } ?? depths.count - 1
            let next = depths[min(max(index + d * (large ? 2 : 1), 0), depths.count - 1)]
            p.rerank = next == SearchParams.defaultRerank ? nil : next
        case .model:
            if !choices.models.isEmpty { p.model = Self.cycle(choices.models, from: p.model, by: d) }
            // An index pins one model's vectors: another model starts from the planner's choice.
            if p.model != params.model, p.plan.indexName != nil { p.plan = .auto }
        case .explain: p.explain.toggle()
        }
        return p
    }

    /// `params` with this knob back at its default.
    public func reset(_ params: SearchParams, defaults: SearchParams) -> SearchParams {
        var p = params
        switch self {
        case .method: p.method = defaults.method
        case .metric: p.metric = defaults.metric
        case .fusion, .fusionValue: p.fusion = defaults.fusion
        case .bm25K1: p.bm25.k1 = defaults.bm25.k1
        case .bm25B: p.bm25.b = defaults.bm25.b
        case .limit: p.limit = defaults.limit
        case .threshold: p.similarityThreshold = defaults.similarityThreshold
        case .efSearch: p.efSearch = defaults.efSearch
        case .probes: p.probes = defaults.probes
        case .iterativeScan: p.iterativeScan = defaults.iterativeScan
        case .maxScanTuples: p.maxScanTuples = defaults.maxScanTuples
        case .plan: p.plan = defaults.plan
        case .rerank: p.rerank = defaults.rerank
        case .userScope: p.userScope = defaults.userScope
        case .artifactTypes: p.artifactTypes = defaults.artifactTypes
        case .contentTypes: p.contentTypes = defaults.contentTypes
        case .model: p.model = defaults.model
        case .explain: p.explain = defaults.explain
        }
        return p
    }

    /// Moves to the next multiple of `size` in `direction` (so 1 → 10 → 20 with steps of 10), clamped to `range`.
    static func step(_ value: Int, by direction: Int, size: Int, in range: ClosedRange<Int>) -> Int {
        let next: Int
        if direction > 0 {
            next = (value / size + 1) * size
        } else {
            next = value % size == 0 ? value - size : (value / size) * size
        }
        return min(max(next, range.lowerBound), range.upperBound)
    }

    /// The neighbour of `current` in `options`, wrapping around; an unknown current value starts from the first.
    static func cycle<T: Equatable>(_ options: [T], from current: T, by direction: Int) -> T {
        guard !options.isEmpty else { return current }
        guard let index = options.firstIndex(of: current) else { return options[0] }
        let count = options.count
        return options[((index + direction) % count + count) % count]
    }
}
