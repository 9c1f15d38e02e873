import Foundation
import Logging

/// Similar-artifact search and job ranking: semantic (pgvector), keyword (full text) or hybrid, with explanations.
///
/// One search = embed the query (cached in job_embeddings) → one transaction with `set_config(…, true)` for the
/// tuning knobs → candidate SELECTs → scores for every candidate → fusion → explanations (ARCHITECTURE.md §2).
public final class SearchEngine {
    /// What to search with: text (embedded by the model) or a raw vector of the model's dimensions.
    public enum Query: Sendable, Equatable {
        case text(String)
        case vector([Float])
        /// Text whose vector is already known (the benchmarks: generated data has no text model): keyword and hybrid
        /// match the text, the semantic signal uses the vector.
        case textWithVector(String, [Float])

        /// The words keyword matching reads; nil for a raw vector.
        var text: String? {
            switch self {
            case .text(let text), .textWithVector(let text, _): return text
            case .vector: return nil
            }
        }
    }

    public let connection: Connection
    private let makeEmbedder: (EmbeddingModel) throws -> any Embedder
    private var embedders: [String: any Embedder] = [:]
    private var models: [String: EmbeddingModel] = [:]
    /// Candidate counts by filter set, reused for a few seconds: counting every row of a 100k-vector model cost
    /// more than the ANN search itself, on every keystroke of the TUI and every query of a benchmark.
    var candidateCounts: [CandidateCountKey: (count: Int, measuredAt: Date)] = [:]
    static let candidateCountLifetime: TimeInterval = 30
    /// Plans by statement shape and knob values (`planCacheKey`): asked for once, not on every search.
    var cachedPlans: [PlanCacheKey: QueryPlan] = [:]
    static let cachedPlanCapacity = 256
    /// Search statements by shape, each with the parameter its query vector is bound to (`builtSearchStatement`).
    var builtSearchStatements = BoundedCache<SearchStatementKey, BuiltSearchStatement>(
        capacity: SearchEngine.recentQueryCapacity)
    /// Users' row ids by external id; each search checks its id in the same round trip (`run`).
    var userRowIDs: [String: Int] = [:]
    /// The valid vector indexes, read by the first pinned search (`pinnedIndex`); its EXPLAIN checks them every time.
    var vectorIndexes: [PlannableIndex]?
    /// Vectors of recent query texts by model and sha256(text), as `job_embeddings` holds them: a search repeated with
    /// other knobs (the TUI's every parameter change) needs no round trip for its vector; its access count is still
    /// kept, by an UPDATE in the search's own round trip.
    private var recentQueryVectors: [String: [Float]] = [:]
    private var recentQueryOrder: [String] = []
    static let recentQueryCapacity = 64
    /// Keyword candidates by query text, BM25 knobs and filters (`keywordCacheKey`), with the version of the corpus
    /// statistics they were computed under: a knob change that leaves keywords alone (ef_search, probes, plan,
    /// fusion…) does not score the corpus again. Checked against the statistics in every search's round trip.
    var keywordCandidateCache = BoundedCache<String, KeywordCandidates>(capacity: SearchEngine.recentQueryCapacity)
    /// Each lexeme of a recent query text with the word typed (`queryWordsStatement`): a function of the text alone.
    var recentQueryWords = BoundedCache<String, [String: String]>(capacity: SearchEngine.recentQueryCapacity)
    /// Where a new text's keyword candidates are scored in memory (`KeywordIndex`, read on the first keyword or
    /// hybrid search that needs it), shared by engines that give the same store: for engines that live through many
    /// searches (the TUI, the API, evaluation, benchmarks). Nil, the search statement scores them, which needs no
    /// memory and no loading.
    public var keywordIndexes: KeywordIndexStore?
    /// The index this engine's kept keyword candidates were scored with (`keywordsInMemory` scores their rows).
    var keywordIndex: KeywordIndex?
    /// The corpus statistics' version last read: a loaded index of another version is outdated.
    var latestCorpusVersion: String?
    /// How soon an outdated index may be read again; until then the statement scores the candidates (under a
    /// stream of writes, reading the whole index again on every search would cost more than it saves).
    var keywordIndexReloadInterval: TimeInterval = 5
    let logger = Logger(label: "vecscope.search")

    public init(
        connection: Connection,
        makeEmbedder: @escaping (EmbeddingModel) throws -> any Embedder = {
            try EmbedderFactory.make(for: $0, purpose: .query)
        }
    ) {
        self.connection = connection
        self.makeEmbedder = makeEmbedder
    }

    /// Most similar artifacts to `query` under `params`; a database error says it happened while searching.
    public func search(_ query: Query, params: SearchParams) throws -> SearchResponse {
        try PostgresError.during("searching with \(params.model) (\(params.method.rawValue))") {
            try searchInContext(query, params: params)
        }
    }

    private func searchInContext(_ query: Query, params: SearchParams) throws -> SearchResponse {
        try params.validate()
        let started = DispatchTime.now()
        let model = try model(named: params.model)
        let (query, source) = try resolvedQuery(query, model: model, scope: params.userScope)
        let (vector, cached, embeddingMs, touch) = try searchVector(query, model: model)
        let queryText = query.text
        if params.method != .semantic, queryText == nil {
            throw VecscopeError(
                what: "\(params.method.rawValue) ranking needs query text", why: "a raw vector has no words to match",
                fix: "Search by text, or use --method semantic.", kind: .invalidInput)
        }
        var plan = SearchPlan(model: model, params: params, vector: vector, queryText: queryText ?? "", restrictTo: nil)
        plan.touchQuery = touch
        plan.excluding = source
        var response = try run(plan)
        response.info.clientWallMs = Self.milliseconds(since: started)
        response.info.embeddingMs = embeddingMs
        response.info.embeddingCached = cached
        noteServer(&response.info, cached: cached)
        return response
    }

    /// Readies a new connection off the request path: pgvector's types, the model's registry entry, and a few
    /// searches with different stored vectors, which fill the backend's catalog caches, map more of the pages
    /// searches touch, and prepare the search statement and make its generic plan (`usesGenericPlan`); with
    /// `keywordIndexes`, the keyword index too, so no request waits for its reading. Without vectors of that
    /// model there is no search to warm.
    public func warmUp(model name: String) throws {
        let model = try model(named: name)
        let stored = try connection.query(
            """
            SELECT embedding_vector FROM artifact_embeddings WHERE model_version = \(model.name)
            LIMIT \(Self.warmUpSearches)
            """)
        var params = SearchParams()
        params.model = model.name
        for row in stored.rows {
            _ = try search(.vector(try row.decode("embedding_vector", as: Vector.self).values), params: params)
        }
        if keywordIndexes != nil { _ = try currentKeywordIndex() }
    }

    static let warmUpSearches = 6

    public func search(text: String, params: SearchParams) throws -> SearchResponse {
        try search(.text(text), params: params)
    }

    /// Which artifacts `rank` may return, within the user scope of its parameters.
    public enum ArtifactSelection: Sendable, Equatable {
        /// External ids as loaded (`a001`), as the command line names artifacts.
        case externalIDs([String])
        /// Row ids (`artifacts.id`), as the HTTP API names them.
        case ids([Int])
    }

    /// Ranks artifacts (all, one user's, or the selected ones) against a job description.
    public func rank(
        jobDescription: String, artifacts selection: ArtifactSelection? = nil, method: RankingMethod = .hybrid,
        topK: Int = 10, params base: SearchParams = SearchParams()
    ) throws -> SearchResponse {
        try PostgresError.during("ranking with \(base.model) (\(method.rawValue))") {
            try rankInContext(
                jobDescription: jobDescription, selection: selection, method: method, topK: topK, params: base)
        }
    }

    private func rankInContext(
        jobDescription: String, selection: ArtifactSelection?, method: RankingMethod, topK: Int,
        params base: SearchParams
    ) throws -> SearchResponse {
        var params = base
        params.method = method
        params.limit = topK
        try params.validate()
        guard !jobDescription.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw VecscopeError(
                what: "the job description is empty", fix: "Pass the text, --job-file FILE or --job-id ID.",
                kind: .invalidInput)
        }
        let started = DispatchTime.now()
        let model = try model(named: params.model)
        let (vector, cached, embeddingMs, touch) = try searchVector(.text(jobDescription), model: model)
        let restrict = try selection.map { try resolve($0, scope: params.userScope) }
        var plan = SearchPlan(
            model: model, params: params, vector: vector, queryText: jobDescription, restrictTo: restrict)
        plan.touchQuery = touch
        var response = try run(plan)
        response.info.clientWallMs = Self.milliseconds(since: started)
        response.info.embeddingMs = embeddingMs
        response.info.embeddingCached = cached
        noteServer(&response.info, cached: cached)
        return response
    }

    /// Which server answered, and whether the query's vector went unstored because that server is a standby.
    private func noteServer(_ info: inout QueryInfo, cached: Bool) {
        info.servedBy = connection.serverRole
        info.embeddingCacheSkipped = info.servedBy == .standby && !cached && info.embeddingMs > 0
        if info.embeddingCacheSkipped {
            logger.info("the query's vector was not cached: \(connection.serverAddress) is a read-only standby")
        }
    }

    /// The registry entry for a model name (cached).
    public func model(named name: String) throws -> EmbeddingModel {
        if let model = models[name] { return model }
        let model = try EmbeddingModelRegistry(connection: connection).model(named: name)
        models[name] = model
        return model
    }

    /// The largest magnitude a query vector's component may have (embeddings are unit vectors).
    static let maxVectorComponent: Float = 1_000_000

    /// The query's vector under a model (text is embedded once and cached in job_embeddings).
    public func queryVector(_ query: Query, model: EmbeddingModel) throws -> (vector: [Float], cached: Bool, ms: Double)
    {
        switch query {
        case .vector(let values), .textWithVector(_, let values):
            try Self.requireUsable(values, model: model)
            return (values, false, 0)
        case .text(let text):
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw VecscopeError(
                    what: "the query is empty", fix: "Type a job description or a few words to search for.",
                    kind: .invalidInput)
            }
            let started = DispatchTime.now()
            let (vector, cached) = try QueryEmbeddingCache(connection: connection).vector(
                for: text, model: model, embedder: { try self.embedder(for: model) })
            return (vector, cached, Self.milliseconds(since: started))
        }
    }

    /// The query's vector for a search: a text searched recently is answered from memory, with the UPDATE of its
    /// access count to send in the search's round trip; otherwise as `queryVector`.
    private func searchVector(
        _ query: Query, model: EmbeddingModel
    ) throws -> (
        vector: [Float], cached: Bool, ms: Double, touch: PostgresQuery?
    ) {
        guard case .text(let text) = query else {
            let (vector, cached, ms) = try queryVector(query, model: model)
            return (vector, cached, ms, nil)
        }
        let hash = SHA256.hex(text)
        let key = model.name + "|" + hash
        if let vector = recentQueryVectors[key] {
            // A standby cannot write: there the access count is not kept (as `QueryEmbeddingCache` on a standby).
            guard !connection.isHotStandby else { return (vector, true, 0, nil) }
            let touch: PostgresQuery = """
                UPDATE job_embeddings SET access_count = access_count + 1, last_accessed_at = now()
                WHERE job_description_hash = \(hash) AND model_version = \(model.name)
                """
            return (vector, true, 0, touch)
        }
        let (vector, cached, ms) = try queryVector(query, model: model)
        recentQueryVectors[key] = vector
        recentQueryOrder.append(key)
        if recentQueryOrder.count > Self.recentQueryCapacity {
            recentQueryVectors[recentQueryOrder.removeFirst()] = nil
        }
        return (vector, cached, ms, nil)
    }

    /// Refuses a raw query vector of the wrong length, with NaN or ∞, all zeros (`VectorCheck`), or components beyond
    /// ±1e6, which overflow the distances.
    static func requireUsable(_ vector: [Float], model: EmbeddingModel) throws {
        if let problem = VectorCheck.problem(vector, dimensions: model.dimensions) {
            throw VecscopeError(
                what: "the query vector \(problem)",
                why: "\(model.name) compares vectors of \(model.dimensions) finite numbers, not all zero",
                fix: "Pass a vector of \(model.dimensions) finite numbers, not all zero, or choose the matching model.",
                kind: .invalidInput)
        }
        guard vector.allSatisfy({ abs($0) <= Self.maxVectorComponent }) else {
            throw VecscopeError(
                what: "the query vector is not usable", why: "its components must be within ±1e6",
                fix: "Pass the embedding of a text (vecscope embed-text prints one).", kind: .invalidInput)
        }
    }

    /// The model's embedder, made once per engine (MiniLM maps its weights; an API client keeps its handle).
    public func embedder(for model: EmbeddingModel) throws -> any Embedder {
        if let embedder = embedders[model.name] { return embedder }
        let embedder = try makeEmbedder(model)
        embedders[model.name] = embedder
        return embedder
    }

    /// The row ids of the selected artifacts; one outside the scope is reported exactly like one that does not
    /// exist, so a scoped caller cannot learn which ids other users hold.
    private func resolve(_ selection: ArtifactSelection, scope: UserScope) throws -> [Int] {
        let user: String? = if case .user(let id) = scope { id } else { nil }
        let inScope: PostgresQuery = """
             AND (\(user)::text IS NULL OR a.user_id = (SELECT u.id FROM users u WHERE u.external_id = \(user)::text))
            """
        let wanted: [String]
        var sql: PostgresQuery
        switch selection {
        case .externalIDs(let ids):
            wanted = ids
            sql = "SELECT a.id, a.external_id AS key FROM artifacts a WHERE a.external_id = ANY(\(ids)::text[])"
        case .ids(let ids):
            wanted = ids.map(String.init)
            sql = "SELECT a.id, a.id::text AS key FROM artifacts a WHERE a.id = ANY(\(wanted)::text[]::int8[])"
        }
        sql += inScope
        let rows = try connection.query(sql).rows
        let found = Set(try rows.map { try $0.decode("key", as: String.self) })
        let missing = wanted.filter { !found.contains($0) }
        guard missing.isEmpty else {
            let fix: String =
                switch selection {
                case .externalIDs: "Use external ids as loaded (e.g. a001); `vecscope load` loads artifacts."
                case .ids: "Use the numeric ids of your own artifacts, as search results give them (artifact_id)."
                }
            throw VecscopeError(
                what: "unknown artifact id(s): \(missing.prefix(10).joined(separator: ", "))",
                why: user.map { "no such artifact belongs to user \($0)" }, fix: fix, kind: .notFound)
        }
        return try rows.map { try $0.decode("id") }
    }

    /// One search in one round trip and one implicit transaction (`Connection.pipelinedTransaction`): the knobs, the
    /// plan choice's settings, the check of a cached user id, the search's statements (`searchWork`, with the EXPLAIN
    /// a pinned index is checked by). Only a user's first search (its id) and a plan's first pin (the index list) add
    /// a round trip, and so do a write to artifacts since kept keyword candidates were computed and, with the keyword
    /// index, a new text's keyword search (its terms, `keepKeywordCandidatesFromIndex`).
    func run(_ plan: SearchPlan) throws -> SearchResponse {
        var plan = plan
        var checkedUser: (externalID: String, id: Int)?
        if case .user(let externalID) = plan.params.userScope {
            if let id = userRowIDs[externalID] {
                checkedUser = (externalID, id)
                plan.userRowID = id
            } else {
                let id = try userRowID(externalID, on: connection)
                userRowIDs[externalID] = id
                plan.userRowID = id
            }
        }
        try keepKeywordCandidatesFromIndex(plan)
        let pinned = try pinnedIndex(plan)
        let (pinSettings, check) = planChoice(plan, pinned: pinned)
        let work = searchWork(plan, check: check)
        // The knobs and the user check are the same text every search: prepared, they are parsed and planned once per
        // connection.
        var statements =
            [PipelineStatement(settingsStatement(plan.params, genericPlan: usesGenericPlan(plan)), prepared: true)]
            + pinSettings.map { PipelineStatement($0) }
        if let touch = plan.touchQuery { statements.append(PipelineStatement(touch)) }
        if let checkedUser {
            statements.append(
                PipelineStatement(
                    "SELECT id FROM users WHERE external_id = \(checkedUser.externalID)", prepared: true))
        }
        let skipped = statements.count
        statements += work.statements
        let results = try connection.pipelinedTransaction(statements)
        if let checkedUser, try results[skipped - 1].scalar(Int.self) != checkedUser.id {
            // The user was removed (or removed and loaded again) since its id was cached: look it up afresh.
            userRowIDs[checkedUser.externalID] = nil
            plan.userRowID = nil
            plan.touchQuery = nil
            return try run(plan)
        }
        do {
            return try work.read(Array(results.dropFirst(skipped)))
        } catch is StaleKeywordCandidates {
            // The kept keyword candidates predate a write to artifacts (now forgotten): score the words afresh.
            plan.touchQuery = nil
            return try run(plan)
        } catch  where pinned?.fromKeptList == true {
            // The kept index list may be stale (an index created or dropped since): read it afresh, try once more.
            vectorIndexes = nil
            plan.touchQuery = nil
            return try run(plan)
        }
    }

    /// `SET LOCAL` of every tuning knob, through set_config so values are bound, never spliced.
    func applySettings(_ params: SearchParams, on conn: Connection) throws {
        try conn.execute(settingsStatement(params))
    }

    /// All five knobs in one statement (each a bound value, never spliced), local to the transaction, and the plan
    /// cache mode of the statements after it: `force_generic_plan` for a search statement planned once per knob
    /// combination (`usesGenericPlan`), PostgreSQL's own choice otherwise.
    func settingsStatement(_ params: SearchParams, genericPlan: Bool = false) -> PostgresQuery {
        let ivfflatScan = params.iterativeScan == .off ? "off" : "relaxed_order"  // ivfflat has no strict_order
        let planCacheMode = genericPlan ? "force_generic_plan" : "auto"
        return """
            SELECT set_config('hnsw.ef_search', \(String(params.efSearch)), true),
                   set_config('hnsw.iterative_scan', \(params.iterativeScan.rawValue), true),
                   set_config('hnsw.max_scan_tuples', \(String(params.maxScanTuples)), true),
                   set_config('ivfflat.probes', \(String(params.probes)), true),
                   set_config('ivfflat.iterative_scan', \(ivfflatScan), true),
                   set_config('plan_cache_mode', \(planCacheMode), true)
            """
    }

    /// Milliseconds since `start` on the monotonic clock (what every timing here reports).
    public static func milliseconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000
    }
}
