import Foundation

/// Which scan answers a search's semantic signal (`SearchParams.plan`). PostgreSQL has no planner hints, so a
/// choice other than `auto` is made with settings local to the ANN statement and checked with EXPLAIN before the
/// statement runs: a pinned search never runs on another index without saying so.
public enum PlanChoice: Sendable, Equatable, Hashable, Codable {
    /// The planner chooses: a vector index when it estimates it cheaper, else a Seq Scan (small tables).
    case auto
    /// This vector index (a name from `vecscope index list`), and no other path.
    case index(String)
    /// Every distance computed, no index: the answer recall is measured against.
    case exact

    /// "auto", "exact", or an index name.
    public init(parsing text: String) {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "auto", "": self = .auto
        case "exact": self = .exact
        default: self = .index(text.trimmingCharacters(in: .whitespaces))
        }
    }

    public var label: String {
        switch self {
        case .auto: return "auto"
        case .exact: return "exact"
        case .index(let name): return name
        }
    }

    /// The pinned index's name, if any.
    public var indexName: String? {
        if case .index(let name) = self { return name }
        return nil
    }

    /// An index name is an identifier as PostgreSQL prints it (it is only ever bound or compared, never spliced).
    func validate() throws {
        guard let name = indexName else { return }
        let allowed = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
        guard !name.isEmpty, name.utf8.count <= 63, allowed else {
            throw VecscopeError(
                what: "plan \"\(name)\" is not an index name",
                fix: "Use auto, exact, or a vector index's name from `vecscope index list`.", kind: .invalidInput)
        }
    }
}

/// A vector index as a plan choice needs it: which statement it can serve.
public struct PlannableIndex: Sendable, Equatable, Hashable {
    public var name: String
    public var type: VectorIndexType
    /// The metric its operator class serves; nil for one vecscope cannot search with (e.g. L1).
    public var metric: DistanceMetric?
    public var table: VectorTable
    public var model: String?

    public init(name: String, type: VectorIndexType, metric: DistanceMetric?, table: VectorTable, model: String?) {
        self.name = name
        self.type = type
        self.metric = metric
        self.table = table
        self.model = model
    }

    init?(_ info: VectorIndexInfo) {
        guard let type = VectorIndexType(rawValue: info.type), let table = VectorTable(rawValue: info.table) else {
            return nil
        }
        let metric: DistanceMetric? =
            switch info.metricName {
            case "cosine": .cosine
            case "l2": .l2
            case "ip": .innerProduct
            default: nil
            }
        self.init(name: info.name, type: type, metric: metric, table: table, model: info.model)
    }

    /// The knob that widens this index's search: ef_search (HNSW) or probes (IVFFlat).
    public var beamKnob: String { type == .hnsw ? "ef_search" : "probes" }
}

extension SearchEngine {
    /// The valid vector indexes of a model, HNSW first, by name (the TUI's plan choices, `vecscope search --plan`).
    public func plannableIndexes(model: String) throws -> [PlannableIndex] {
        try IndexManager(connection: connection).list(countingRows: false)
            .filter { $0.valid && $0.model == model }
            .compactMap(PlannableIndex.init)
            .sorted { ($0.type == .hnsw ? 0 : 1, $0.name) < ($1.type == .hnsw ? 0 : 1, $1.name) }
    }

    /// The index a pinned plan names, checked against the search it is to serve: same model, a table the content
    /// types search, the metric's operator. Nil for `auto` and `exact`.
    func pinnedIndex(
        _ plan: SearchPlan, on conn: Connection
    ) throws -> (pinned: PlannableIndex, rivals: [PlannableIndex])? {
        guard let name = plan.params.plan.indexName else { return nil }
        let all = try IndexManager(connection: conn).list(countingRows: false).filter(\.valid)
            .compactMap(PlannableIndex.init)
        let model = plan.model.name
        guard let pinned = all.first(where: { $0.name == name }) else {
            let known = all.filter { $0.model == model }.map(\.name)
            throw VecscopeError(
                what: "plan: no vector index \(name)",
                why: "the plan names an HNSW or IVFFlat index of the model being searched (\(model))",
                fix: known.isEmpty
                    ? "\(model) has no vector index: use plan auto or exact, or create one (`vecscope index create`)."
                    : "Use auto, exact or one of: \(known.joined(separator: ", ")).",
                kind: .invalidInput)
        }
        guard pinned.model == model else {
            throw VecscopeError(
                what: "plan: \(name) indexes \(pinned.model ?? "another model"), not \(model)",
                fix: "Pin one of \(model)'s indexes, or search with model \(pinned.model ?? "that model").",
                kind: .invalidInput)
        }
        guard pinned.metric == plan.params.metric else {
            throw VecscopeError(
                what:
                    "plan: \(name) serves \(pinned.metric?.label ?? "another") distance, the search uses \(plan.params.metric.label)",
                why: "an index answers ORDER BY only for its operator class's distance",
                fix:
                    "Set metric to \(pinned.metric?.label ?? "the index's"), or pin an index built for \(plan.params.metric.label).",
                kind: .invalidInput)
        }
        let searchesChunks = plan.params.contentTypes.contains(.chunk)
        let searchesTexts = !plan.params.storedContentTypes.isEmpty
        if (pinned.table == .artifactEmbeddings && searchesChunks)
            || (pinned.table == .chunkEmbeddings && searchesTexts)
        {
            throw VecscopeError(
                what: "plan: \(name) indexes \(pinned.table.rawValue) only",
                why: "content \(plan.params.contentTypes.map(\.rawValue).joined(separator: "+")) searches "
                    + (searchesChunks && searchesTexts ? "both vector tables" : "the other vector table"),
                fix: pinned.table == .artifactEmbeddings
                    ? "Search full and/or summary texts, or use plan auto." : "Search chunks only, or use plan auto.",
                kind: .invalidInput)
        }
        let rivals = all.filter {
            $0.name != name && $0.model == model && $0.table == pinned.table && $0.metric == pinned.metric
        }
        return (pinned, rivals)
    }

    /// Runs `body` (the semantic statements) under the plan choice of `plan`, then restores every setting: the
    /// keyword and scoring statements after it run as the planner chooses.
    ///
    /// - exact: index scans off, so every distance is computed (as recall's ground truth is).
    /// - a named index: sequential scans and sorts off, so only an index can produce ORDER BY … LIMIT, and indexes
    ///   of the other type serving the same operator priced out through the knob that cannot matter to the pin.
    ///   `verify` then checks with EXPLAIN that the statement would use the pinned index before it runs.
    func withPlanChoice<T>(_ plan: SearchPlan, on conn: Connection, _ body: (PlanCheck) throws -> T) throws -> T {
        switch plan.params.plan {
        case .auto:
            return try body(PlanCheck(pinned: nil))
        case .exact:
            return try inSavepoint(on: conn) {
                try conn.execute(
                    """
                    SELECT set_config('enable_indexscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
                           set_config('enable_indexonlyscan', 'off', true), set_config('enable_seqscan', 'on', true),
                           set_config('enable_sort', 'on', true)
                    """)
                return try body(PlanCheck(pinned: nil))
            }
        case .index:
            guard let (pinned, rivals) = try pinnedIndex(plan, on: conn) else {
                return try body(PlanCheck(pinned: nil))
            }
            return try inSavepoint(on: conn) {
                try conn.execute(
                    """
                    SELECT set_config('enable_seqscan', 'off', true), set_config('enable_sort', 'off', true),
                           set_config('enable_bitmapscan', 'off', true), set_config('enable_indexscan', 'on', true)
                    """)
                // The other type's knob cannot matter to the pinned scan, so it is set to price that type out:
                // pgvector estimates HNSW by ef_search and IVFFlat by probes (its pages partly at seq_page_cost,
                // which no index scan of HNSW's pays). Same-type rivals have no such lever; `verify` says so.
                if pinned.type == .hnsw, rivals.contains(where: { $0.type == .ivfflat }) {
                    try conn.execute(
                        "SELECT set_config('ivfflat.probes', '32768', true), set_config('seq_page_cost', '1000000', true)"
                    )
                }
                if pinned.type == .ivfflat, rivals.contains(where: { $0.type == .hnsw }) {
                    try conn.execute("SELECT set_config('hnsw.ef_search', '1000', true)")
                }
                return try body(PlanCheck(pinned: pinned, rivals: rivals))
            }
        }
    }

    /// Settings made inside `body` end with it: the savepoint is rolled back (the statements in it only read).
    private func inSavepoint<T>(on conn: Connection, _ body: () throws -> T) throws -> T {
        try conn.execute("SAVEPOINT vecscope_plan")
        let result = try body()
        try conn.execute("ROLLBACK TO SAVEPOINT vecscope_plan")
        try conn.execute("RELEASE SAVEPOINT vecscope_plan")
        return result
    }
}

/// Checks, before a semantic statement runs, that the planner takes the pinned index for it.
struct PlanCheck {
    var pinned: PlannableIndex?
    var rivals: [PlannableIndex] = []

    /// The plan the statement will run with (its scan and index, no times); nil when nothing is pinned.
    @discardableResult
    func verify(_ statement: PostgresQuery, on conn: Connection) throws -> QueryPlan? {
        guard let pinned else { return nil }
        let json = try conn.query("EXPLAIN (FORMAT JSON) \(statement)").scalar(String.self) ?? "[]"
        let chosen = QueryPlan.parse(explainJSON: json)
        guard chosen.indexName != pinned.name else { return chosen }
        let other = chosen.indexName ?? chosen.scan ?? "another path"
        let rival = rivals.first { $0.name == chosen.indexName }
        throw VecscopeError(
            what: "plan: could not pin \(pinned.name); the planner chose \(other)",
            why: rival.map {
                "\($0.name) serves the same \(pinned.metric?.label ?? "") operator and PostgreSQL has no planner hints; "
                    + "its estimated cost is lower"
            } ?? "no plan through \(pinned.name) was found for this statement's filters",
            fix: rival.map { "Drop \($0.name) (i, D) to compare, or use plan \($0.name) or exact." }
                ?? "Use plan auto or exact.",
            kind: .invalidInput)
    }
}

extension SearchEngine {
    /// The exact answer's ids that `measured` lacks, with their exact rank, external id and title.
    func missedNeighbours(exact: [Int], measured: [Int]) throws -> [MissedNeighbour] {
        let shown = Set(measured)
        let missing = exact.enumerated().filter { !shown.contains($0.element) }
        guard !missing.isEmpty else { return [] }
        let ids = missing.map { String($0.element) }
        var titles: [Int: (String, String)] = [:]
        for row in try connection.query(
            "SELECT a.id, a.external_id, a.title FROM artifacts a WHERE a.id = ANY(\(ids)::text[]::int8[])"
        ).rows {
            titles[try row.decode("id")] = (try row.decode("external_id"), try row.decode("title"))
        }
        return missing.map { offset, id in
            let (externalID, title) = titles[id] ?? ("?", "")
            return MissedNeighbour(artifactID: id, exactRank: offset + 1, externalID: externalID, title: title)
        }
    }
}
