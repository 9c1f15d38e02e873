import Foundation

/// Which scan answers a search's semantic signal (`SearchParams.plan`). PostgreSQL has no planner hints, so a
/// choice other than `auto` is made with settings local to the search's transaction and checked with an EXPLAIN sent
/// just before the statement, in the same round trip: a pinned search never answers from another index without
/// saying so.
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
    /// What the index stores of each vector; a search pinned to it orders by the same expression.
    public var quantization: VectorQuantization
    /// Its partitions' indexes when the table is partitioned: the plan of a pinned search names one of them.
    public var partitionIndexes: [String] = []

    public init(
        name: String, type: VectorIndexType, metric: DistanceMetric?, table: VectorTable, model: String?,
        quantization: VectorQuantization = .none, partitionIndexes: [String] = []
    ) {
        self.name = name
        self.type = type
        self.metric = metric
        self.table = table
        self.model = model
        self.quantization = quantization
        self.partitionIndexes = partitionIndexes
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
        self.init(
            name: info.name, type: type, metric: metric, table: table, model: info.model,
            quantization: info.quantization, partitionIndexes: info.partitionIndexes)
    }

    /// The knob that widens this index's search: ef_search (HNSW) or probes (IVFFlat).
    public var beamKnob: String { type == .hnsw ? "ef_search" : "probes" }
}

extension SearchEngine {
    /// The valid vector indexes of a model, HNSW first, full vectors before quantized ones, by name (the TUI's plan
    /// choices, `vecscope search --plan`).
    public func plannableIndexes(model: String) throws -> [PlannableIndex] {
        func key(_ index: PlannableIndex) -> (Int, Int, String) {
            (
                index.type == .hnsw ? 0 : 1, VectorQuantization.allCases.firstIndex(of: index.quantization) ?? 0,
                index.name
            )
        }
        return try IndexManager(connection: connection).list(countingRows: false)
            .filter { $0.valid && $0.model == model }
            .compactMap(PlannableIndex.init)
            .sorted { key($0) < key($1) }
    }

    /// The index a pinned plan names and its rivals, from the engine's list of vector indexes (read once, then kept:
    /// each pinned search's EXPLAIN proves the pin still holds, and `run` reads the list afresh when it does not),
    /// or from a fresh list when the kept one cannot serve the pin. Nil for `auto` and `exact`.
    func pinnedIndex(_ plan: SearchPlan) throws -> PinnedIndex? {
        guard plan.params.plan.indexName != nil else { return nil }
        if let kept = vectorIndexes, let found = try? pinnedIndex(plan, among: kept) { return found }
        return try pinnedIndex(plan, among: try readVectorIndexes(on: connection)).map { $0.fresh() }
    }

    /// Every valid vector index, as a plan choice needs it; kept by the engine for the next pinned search.
    func readVectorIndexes(on conn: Connection) throws -> [PlannableIndex] {
        let all = try IndexManager(connection: conn).list(countingRows: false).filter(\.valid)
            .compactMap(PlannableIndex.init)
        vectorIndexes = all
        return all
    }

    /// A plan named by a client (the HTTP API's `plan`): auto, exact or one of the model's vector indexes, checked
    /// against that list before anything runs, so an unknown or malformed name is refused with every valid value.
    public func planChoice(named text: String, model: String) throws -> PlanChoice {
        let choice = PlanChoice(parsing: text)
        guard let name = choice.indexName else { return choice }
        let names = try plannableIndexes(model: model).map(\.name)
        guard names.contains(name) else {
            throw VecscopeError(
                what: "unknown plan \"\(name.prefix(64))\"",
                why: "a plan is auto, exact or the name of one of \(model)'s vector indexes",
                fix: "Use one of: \((["auto", "exact"] + names).joined(separator: ", ")).", kind: .invalidInput)
        }
        return choice
    }

    /// The index a pinned plan names, checked against the search it is to serve: same model, a table the content
    /// types search, the metric's operator. Nil for `auto` and `exact`.
    func pinnedIndex(_ plan: SearchPlan, among all: [PlannableIndex]) throws -> PinnedIndex? {
        guard let name = plan.params.plan.indexName else { return nil }
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
        // A bit index orders candidates by Hamming distance whatever the metric; the metric re-ranks them.
        guard pinned.quantization == .bit || pinned.metric == plan.params.metric else {
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
                && $0.quantization == pinned.quantization
        }
        return PinnedIndex(index: pinned, rivals: rivals, fromKeptList: true)
    }

    /// The settings that make the plan choice of `plan`, local to the transaction, and the check of the EXPLAIN that
    /// must show it. A search sends them in its one round trip (`run`); `withPlanChoice` one by one.
    ///
    /// - exact: index scans off, so every distance is computed (as recall's ground truth is).
    /// - a named index: sequential scans and sorts off, so only an index can produce ORDER BY … LIMIT, and indexes
    ///   of the other type serving the same operator priced out through the knob that cannot matter to the pin.
    ///   `PlanCheck.verify` then checks the EXPLAIN sent before the statement: the pinned index, or an error.
    func planChoice(_ plan: SearchPlan, pinned: PinnedIndex?) -> (settings: [PostgresQuery], check: PlanCheck) {
        switch plan.params.plan {
        case .auto:
            return ([], PlanCheck(pinned: nil))
        case .exact:
            let off: PostgresQuery = """
                SELECT set_config('enable_indexscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
                       set_config('enable_indexonlyscan', 'off', true), set_config('enable_seqscan', 'on', true),
                       set_config('enable_sort', 'on', true)
                """
            return ([off], PlanCheck(pinned: nil))
        case .index:
            guard let pinned else { return ([], PlanCheck(pinned: nil)) }
            var settings: [PostgresQuery] = [
                """
                SELECT set_config('enable_seqscan', 'off', true), set_config('enable_sort', 'off', true),
                       set_config('enable_bitmapscan', 'off', true), set_config('enable_indexscan', 'on', true)
                """
            ]
            // The other type's knob cannot matter to the pinned scan, so it is set to price that type out:
            // pgvector estimates HNSW by ef_search and IVFFlat by probes (its pages partly at seq_page_cost,
            // which no index scan of HNSW's pays). Same-type rivals have no such lever; `verify` says so.
            if pinned.index.type == .hnsw, pinned.rivals.contains(where: { $0.type == .ivfflat }) {
                settings.append(
                    "SELECT set_config('ivfflat.probes', '32768', true), set_config('seq_page_cost', '1000000', true)")
            }
            if pinned.index.type == .ivfflat, pinned.rivals.contains(where: { $0.type == .hnsw }) {
                settings.append("SELECT set_config('hnsw.ef_search', '1000', true)")
            }
            // An HNSW scan returns at most ef_search rows: re-ranking N × limit candidates needs at least that many.
            let candidates = semanticFetch(plan.params).largest * plan.params.rerankDepth
            if pinned.index.type == .hnsw, pinned.index.quantization == .bit, candidates > plan.params.efSearch {
                settings.append("SELECT set_config('hnsw.ef_search', \(String(min(candidates, 1_000))), true)")
            }
            return (settings, PlanCheck(pinned: pinned.index, rivals: pinned.rivals))
        }
    }

    /// Runs `body` under the plan choice of `plan` inside a transaction the caller opened (ground truth), then
    /// restores every setting, so statements after it run as the planner chooses. Reads the index list afresh.
    func withPlanChoice<T>(_ plan: SearchPlan, on conn: Connection, _ body: (PlanCheck) throws -> T) throws -> T {
        guard plan.params.plan != .auto else { return try body(PlanCheck(pinned: nil)) }
        let pinned =
            try plan.params.plan.indexName == nil
            ? nil : pinnedIndex(plan, among: try readVectorIndexes(on: conn))
        let (settings, check) = planChoice(plan, pinned: pinned)
        return try inSavepoint(on: conn) {
            for setting in settings { try conn.execute(setting) }
            return try body(check)
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

/// A pinned index with the indexes that could serve the same statement, and whether the list it came from was the
/// engine's kept one (a failed check then reads the list afresh and tries once more).
struct PinnedIndex {
    var index: PlannableIndex
    var rivals: [PlannableIndex]
    var fromKeptList: Bool

    func fresh() -> PinnedIndex { PinnedIndex(index: index, rivals: rivals, fromKeptList: false) }
}

/// Checks, before a pinned search's answer is used, that the planner took the pinned index for its statement.
struct PlanCheck {
    var pinned: PlannableIndex?
    var rivals: [PlannableIndex] = []

    /// Checks the plan EXPLAIN gave for the search statement (sent before it): the pinned index, or an error saying
    /// which path the planner took instead. Nothing pinned: nothing to check.
    func verify(_ chosen: QueryPlan) throws {
        guard let pinned, chosen.indexName != pinned.name else { return }
        if let chosenName = chosen.indexName, pinned.partitionIndexes.contains(chosenName) { return }
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
