import Foundation

/// Everything one execution needs, resolved: the model, the knobs, the query vector and text.
struct SearchPlan {
    var model: EmbeddingModel
    var params: SearchParams
    var vector: [Float]
    var queryText: String
    /// Only these artifact ids (rank --artifact-ids).
    var restrictTo: [Int]?
    /// The scoped user's row id (`users.id`), resolved by `execute` from the external id in `params.userScope`.
    var userRowID: Int?
}

/// One candidate from a signal, before scoring.
struct Candidate {
    var artifactID: Int
    var distance: Double
    var contentType: ContentType
    var chunkText: String?
}

extension SearchParams {
    /// The content types stored as whole-text vectors (`artifact_embeddings`), as the statements bind them.
    var storedContentTypes: [String] { contentTypes.filter { $0 != .chunk }.map(\.rawValue) }
}

extension SearchEngine {
    func execute(_ plan: SearchPlan, on conn: Connection) throws -> SearchResponse {
        var plan = plan
        if case .user(let externalID) = plan.params.userScope { plan.userRowID = try userRowID(externalID, on: conn) }
        let params = plan.params
        let fetch = max(params.limit * 3, 30)
        var semantic: [Candidate] = []
        var keyword: [(id: Int, score: Double)] = []
        var explained = QueryPlan.notExplained

        if params.method != .keyword {
            let (candidates, explain) = try withPlanChoice(plan, on: conn) { check in
                try semanticCandidates(
                    plan, fetch: params.method == .semantic ? params.limit : fetch, check: check, on: conn)
            }
            semantic = candidates
            explained = explain
        }
        if params.method != .semantic {
            let (matches, explain) = try keywordCandidates(
                plan, fetch: params.method == .keyword ? params.limit : fetch, on: conn)
            keyword = matches
            if params.method == .keyword { explained = explain }
        }

        var ids: [Int] = []
        for id in semantic.map(\.artifactID) + keyword.map(\.id) where !ids.contains(id) { ids.append(id) }
        let words = try queryWordsByLexeme(plan.queryText, on: conn)
        let total = try candidateCount(plan, on: conn)
        // Last: it switches the transaction to generic plans.
        let scored = try scores(for: ids, plan: plan, on: conn)
        let results = fuse(plan: plan, semantic: semantic, keyword: keyword, scored: scored, wordsByLexeme: words)
        var info = QueryInfo(
            method: params.method, totalCandidates: total, rowsReturned: results.count, limit: params.limit,
            plan: explained.scan, indexName: explained.indexName,
            serverExecutionMs: explained.serverExecutionMs,
            clientWallMs: 0, embeddingMs: 0, embeddingCached: false, parameters: params)
        info.semanticCandidateIDs = semantic.map(\.artifactID)
        return SearchResponse(results: results, info: info)
    }

    // MARK: - Filters

    /// The user's row id, looked up on its own so that the statements filter on `a.user_id = <constant>`: the
    /// planner then reads that user's collection size from the column statistics (a filtered HNSW scan for 10,000
    /// artifacts, the user's rows exactly for 20). Through a join on external_id it assumed the average size for
    /// everyone and always went exact: 110 ms for a 3,400-artifact user, and iterative scan never came into play.
    func userRowID(_ externalID: String, on conn: Connection) throws -> Int {
        guard let id = try conn.query("SELECT id FROM users WHERE external_id = \(externalID)").scalar(Int.self) else {
            throw VecscopeError(
                what: "no user \(externalID)", why: "no user with that external id is loaded",
                fix: "Use a user's external id as loaded (e.g. u01), or search every user.")
        }
        return id
    }

    /// WHERE conditions shared by every statement (user scope, artifact types, restricted ids), each after AND.
    func filters(_ plan: SearchPlan) -> PostgresQuery {
        var clauses = PostgresQuery()
        if let userRowID = plan.userRowID {
            clauses += " AND a.user_id = \(userRowID)::int8"
        }
        if !plan.params.artifactTypes.isEmpty {
            clauses += " AND a.artifact_type = ANY(\(plan.params.artifactTypes.map(\.rawValue))::text[])"
        }
        if let ids = plan.restrictTo {
            clauses += " AND a.id = ANY(\(ids.map(String.init))::text[]::int8[])"
        }
        return clauses
    }

    func queryVectorBind(_ plan: SearchPlan) -> any PostgresEncodable {
        plan.model.storage == .halfvec ? HalfVector(rounding: plan.vector) : Vector(plan.vector)
    }

    // MARK: - Semantic

    /// The ANN (or exact, when no index serves it) top rows per stored text, one per artifact, best first.
    private func semanticCandidates(
        _ plan: SearchPlan, fetch: Int, check: PlanCheck, on conn: Connection
    )
        throws -> ([Candidate], QueryPlan)
    {
        let params = plan.params
        let storedTypes = params.storedContentTypes
        var candidates: [Candidate] = []
        var explain = QueryPlan.notExplained
        // Over-fetch so that one artifact's several texts do not crowd out others.
        if !storedTypes.isEmpty {
            let statement = semanticStatement(
                plan, table: .artifactEmbeddings, storedTypes: storedTypes,
                fetch: fetch * storedTypes.count)
            let pinned = try check.verify(statement, on: conn)
            candidates += try conn.query(statement).rows.map { row in
                Candidate(
                    artifactID: try row.decode("artifact_id"), distance: try row.decode("distance"),
                    contentType: ContentType(rawValue: try row.decode("content_type")) ?? .full, chunkText: nil)
            }
            if params.explain {
                explain = try self.explain(statement, on: conn)
            } else if let pinned {
                explain = pinned
            }
        }
        if params.contentTypes.contains(.chunk) {
            let statement = semanticStatement(plan, table: .chunkEmbeddings, storedTypes: [], fetch: fetch * 4)
            try check.verify(statement, on: conn)
            candidates += try conn.query(statement).rows.map { row in
                Candidate(
                    artifactID: try row.decode("artifact_id"), distance: try row.decode("distance"),
                    contentType: .chunk, chunkText: try row.decode("text"))
            }
            if params.explain && explain.scan == nil { explain = try self.explain(statement, on: conn) }
        }
        // One row per artifact (its best text), in the metric's order; the ANN order is what is being tuned.
        var best: [Int: Candidate] = [:]
        for candidate in candidates where best[candidate.artifactID].map({ candidate.distance < $0.distance }) ?? true {
            best[candidate.artifactID] = candidate
        }
        let ordered = best.values.sorted { ($0.distance, $0.artifactID) < ($1.distance, $1.artifactID) }
        return (Array(ordered.prefix(params.limit)), explain)
    }

    /// The ANN statement over stored texts that a semantic search under `params` sends for `vector`, for
    /// `QueryPathBenchmark` to time exactly what a search runs.
    func annStatement(for vector: [Float], params: SearchParams, on conn: Connection) throws -> PostgresQuery {
        var plan = SearchPlan(model: try model(named: params.model), params: params, vector: vector, queryText: "")
        if case .user(let externalID) = params.userScope { plan.userRowID = try userRowID(externalID, on: conn) }
        let storedTypes = params.storedContentTypes
        return semanticStatement(
            plan, table: .artifactEmbeddings, storedTypes: storedTypes,
            fetch: params.limit * storedTypes.count)
    }

    private func semanticStatement(
        _ plan: SearchPlan, table: VectorTable, storedTypes: [String], fetch: Int
    )
        -> PostgresQuery
    {
        let q = PostgresParameter(queryVectorBind(plan))
        let expression: PostgresQuery = "e.embedding_vector\(sql: .vectorCast(plan.model))"
        let op = SQLFragment.distanceOperator(plan.params.metric)
        let model = SQLFragment.modelNameLiteral(plan.model)
        let filterClauses = filters(plan)
        // Artifacts are joined only for a filter to read: joining them (and users) to drop nothing cost every search
        // ten lookups in each and a third of its planning time.
        let joinsArtifacts = !filterClauses.isEmpty
        var sql: PostgresQuery
        if table == .artifactEmbeddings {
            let join: SQLFragment = joinsArtifacts ? " JOIN artifacts a ON a.id = e.artifact_id" : ""
            sql = """
                SELECT e.artifact_id, (\(expression) \(sql: op) \(q))::float8 AS distance, e.content_type
                FROM artifact_embeddings e\(sql: join)
                WHERE e.model_version = \(sql: model) AND e.content_type = ANY(\(storedTypes)::text[])
                """
        } else {
            let join: SQLFragment = joinsArtifacts ? " JOIN artifacts a ON a.id = c.artifact_id" : ""
            sql = """
                SELECT c.artifact_id, (\(expression) \(sql: op) \(q))::float8 AS distance, c.text
                FROM chunk_embeddings e JOIN artifact_chunks c ON c.id = e.artifact_chunk_id\(sql: join)
                WHERE e.model_version = \(sql: model)
                """
        }
        sql += filterClauses
        if let threshold = plan.params.similarityThreshold {
            sql += " AND (\(expression) <=> \(q)) <= \(1 - threshold)::float8"
        }
        // An explicit artifact list is ranked exactly: "+ 0" keeps the ANN index (and its recall loss) out of it.
        let exact: SQLFragment = plan.restrictTo == nil ? "" : " + 0"
        sql += " ORDER BY (\(expression) \(sql: op) \(q))\(sql: exact) LIMIT \(fetch)::int8"
        return sql
    }

    // MARK: - Keyword

    private func keywordCandidates(
        _ plan: SearchPlan, fetch: Int, on conn: Connection
    )
        throws -> ([(id: Int, score: Double)], QueryPlan)
    {
        let bm25 = BM25SQL(queryText: plan.queryText, parameters: plan.params.bm25)
        var sql: PostgresQuery = """
            WITH \(bm25.ctes)
            SELECT a.id, kw.score
            FROM artifacts a CROSS JOIN bm25_query q CROSS JOIN \(bm25.lateral)
            WHERE a.search @@ q.query
            """
        sql += filters(plan)
        sql += " ORDER BY kw.score DESC, a.id LIMIT \(fetch)::int8"
        let rows = try conn.query(sql).rows.map { row in
            (id: try row.decode("id", as: Int.self), score: try row.decode("score", as: Double.self))
        }
        let explain = plan.params.explain ? try self.explain(sql, on: conn) : QueryPlan.notExplained
        return (rows, explain)
    }

    // MARK: - Scores for candidates

    /// Every score for each candidate: distances of its best stored text, keyword score and terms, best chunk.
    struct Scores {
        var externalID: String
        var userExternalID: String
        var userName: String?
        var title: String
        var type: ArtifactType
        var description: String
        var content: String
        var contentType: ContentType
        var cosineDistance: Double
        var l2Distance: Double
        var innerProduct: Double
        var keywordScore: Double
        /// Matched lexemes and their BM25 contributions, largest first.
        var matchedLexemes: [String]
        var contributions: [Double]
        var bestChunk: String?
        var bestChunkDistance: Double?
        var bestChunkL2: Double?
        var bestChunkInnerProduct: Double?
    }

    private func scores(for ids: [Int], plan: SearchPlan, on conn: Connection) throws -> [Int: Scores] {
        guard !ids.isEmpty else { return [:] }
        let v = PostgresParameter(queryVectorBind(plan))
        let storedTypes = plan.params.storedContentTypes + ["full"]
        let expression: PostgresQuery = "e.embedding_vector\(sql: .vectorCast(plan.model))"
        let model = SQLFragment.modelNameLiteral(plan.model)
        // LATERAL lookups by artifact id: the same plan whatever the ids, so a generic plan is as good as a custom one.
        let bm25 = BM25SQL(queryText: plan.queryText, parameters: plan.params.bm25)
        let sql: PostgresQuery = """
            WITH \(bm25.ctes)
            SELECT a.id, a.external_id, u.external_id AS user_external_id, u.name AS user_name, a.title,
                   a.artifact_type, a.description, a.content, best.content_type,
                   best.cd AS cosine_distance, best.l2 AS l2_distance, best.ip AS inner_product,
                   kw.score AS keyword_score, kw.lexemes AS matched_lexemes, kw.parts AS contributions,
                   chunk.text AS chunk_text, chunk.cd AS chunk_cosine_distance, chunk.l2 AS chunk_l2_distance,
                   chunk.ip AS chunk_inner_product
            FROM artifacts a JOIN users u ON u.id = a.user_id CROSS JOIN \(bm25.lateral)
            LEFT JOIN LATERAL (
                SELECT e.content_type, (\(expression) <=> \(v))::float8 AS cd, (\(expression) <-> \(v))::float8 AS l2,
                       ((\(expression) <#> \(v)) * -1)::float8 AS ip
                FROM artifact_embeddings e
                WHERE e.artifact_id = a.id AND e.model_version = \(sql: model)
                      AND e.content_type = ANY(\(storedTypes)::text[])
                ORDER BY cd, e.content_type LIMIT 1) best ON true
            LEFT JOIN LATERAL (
                SELECT c.text, (\(expression) <=> \(v))::float8 AS cd, (\(expression) <-> \(v))::float8 AS l2,
                       ((\(expression) <#> \(v)) * -1)::float8 AS ip
                FROM artifact_chunks c JOIN chunk_embeddings e ON e.artifact_chunk_id = c.id
                WHERE c.artifact_id = a.id AND e.model_version = \(sql: model)
                ORDER BY cd, c.id LIMIT 1) chunk ON true
            WHERE a.id = ANY(\(ids.map(String.init))::text[]::int8[])
            """
        // Planning this statement cost more than the ANN search it explains, on every search; prepared, with the
        // generic plan forced for the rest of the transaction (this is its last statement), it is planned once per
        // connection. The ANN statement before it keeps custom plans: there the planner's choice is what is tuned.
        try conn.execute("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
        var result: [Int: Scores] = [:]
        for row in try conn.queryPrepared(sql).rows {
            let id: Int = try row.decode("id")
            result[id] = Scores(
                externalID: try row.decode("external_id"), userExternalID: try row.decode("user_external_id"),
                userName: try row.decode("user_name"), title: try row.decode("title"),
                type: ArtifactType(rawValue: try row.decode("artifact_type")) ?? .project,
                description: try row.decode("description"), content: try row.decode("content"),
                contentType: ContentType(rawValue: try row.decode("content_type", as: String?.self) ?? "full") ?? .full,
                cosineDistance: try row.decode("cosine_distance", as: Double?.self) ?? .nan,
                l2Distance: try row.decode("l2_distance", as: Double?.self) ?? .nan,
                innerProduct: try row.decode("inner_product", as: Double?.self) ?? .nan,
                keywordScore: try row.decode("keyword_score"), matchedLexemes: try row.decode("matched_lexemes"),
                contributions: try row.decode("contributions"),
                bestChunk: try row.decode("chunk_text"), bestChunkDistance: try row.decode("chunk_cosine_distance"),
                bestChunkL2: try row.decode("chunk_l2_distance"),
                bestChunkInnerProduct: try row.decode("chunk_inner_product"))
        }
        return result
    }

    /// Each lexeme of the query mapped back to the word the user typed, so explanations show "kubernetes", not "kubernet".
    private func queryWordsByLexeme(_ text: String, on conn: Connection) throws -> [String: String] {
        guard !text.isEmpty else { return [:] }
        let rows = try conn.query(
            """
            SELECT w.word, l.lexeme
            FROM unnest(regexp_split_to_array(lower(\(text)), '[^[:alnum:]+#-]+')) WITH ORDINALITY w(word, n)
            CROSS JOIN LATERAL unnest(to_tsvector('english', w.word)) l WHERE w.word <> '' ORDER BY w.n
            """
        ).rows
        var map: [String: String] = [:]
        for row in rows {
            let lexeme: String = try row.decode("lexeme")
            if map[lexeme] == nil { map[lexeme] = try row.decode("word") }
        }
        return map
    }

    // MARK: - Counting and plans

    /// Artifacts the filters admit for the signal that orders the results (before ANN and limit).
    private func candidateCount(_ plan: SearchPlan, on conn: Connection) throws -> Int {
        let p = plan.params
        let key = [
            p.method.rawValue, plan.model.name, "\(p.userScope)",
            p.artifactTypes.map(\.rawValue).joined(separator: ","),
            plan.restrictTo.map { $0.map(String.init).joined(separator: ",") } ?? "",
            p.method == .keyword ? SHA256.hex(plan.queryText) + "|\(p.bm25.maxTerms)" : "",
        ].joined(separator: "|")
        if let cached = candidateCounts[key], Date().timeIntervalSince(cached.measuredAt) < Self.candidateCountLifetime
        {
            return cached.count
        }
        let count = try countCandidates(plan, on: conn)
        candidateCounts[key] = (count, Date())
        return count
    }

    private func countCandidates(_ plan: SearchPlan, on conn: Connection) throws -> Int {
        var sql: PostgresQuery
        if plan.params.method == .keyword {
            let bm25 = BM25SQL(queryText: plan.queryText, parameters: plan.params.bm25)
            sql = """
                WITH \(bm25.ctes)
                SELECT count(*) FROM artifacts a CROSS JOIN bm25_query q WHERE a.search @@ q.query
                """
        } else {
            sql = """
                SELECT count(DISTINCT a.id) FROM artifacts a
                WHERE EXISTS (SELECT 1 FROM artifact_embeddings e WHERE e.artifact_id = a.id
                              AND e.model_version = \(plan.model.name))
                """
        }
        sql += filters(plan)
        return try conn.query(sql).scalar(Int.self) ?? 0
    }

    /// EXPLAIN (ANALYZE) of a statement: the scan that fed it (index name or Seq Scan) and the server's time.
    func explain(_ statement: PostgresQuery, on conn: Connection) throws -> QueryPlan {
        let json = try conn.query("EXPLAIN (ANALYZE, FORMAT JSON) \(statement)").scalar(String.self) ?? "[]"
        return QueryPlan.parse(explainJSON: json)
    }
}

/// What matters to a tuner in a statement's EXPLAIN ANALYZE: which scan fed it and how long the server ran it.
public struct QueryPlan: Sendable, Equatable {
    /// "Index Scan using …", "Seq Scan on …"; nil when not explained.
    public var scan: String?
    /// The index that scan used, when it used one.
    public var indexName: String?
    public var serverExecutionMs: Double?

    public init(scan: String? = nil, indexName: String? = nil, serverExecutionMs: Double? = nil) {
        self.scan = scan
        self.indexName = indexName
        self.serverExecutionMs = serverExecutionMs
    }

    static let notExplained = QueryPlan()

    /// Reads EXPLAIN (FORMAT JSON) output; a plan it cannot read gives `notExplained`.
    static func parse(explainJSON json: String) -> QueryPlan {
        guard let data = json.data(using: .utf8),
            let top = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]],
            let first = top.first, let root = first["Plan"] as? [String: Any]
        else { return .notExplained }
        var scans: [[String: Any]] = []
        func walk(_ node: [String: Any]) {
            if let type = node["Node Type"] as? String, type.contains("Scan") { scans.append(node) }
            for child in node["Plans"] as? [[String: Any]] ?? [] { walk(child) }
        }
        walk(root)
        // The vector tables' scan is the one being tuned; otherwise the first scan of the plan.
        let vectorTables: Set<String> = ["artifact_embeddings", "chunk_embeddings", "artifacts"]
        let chosen =
            scans.first {
                ($0["Index Name"] as? String).map {
                    $0.hasPrefix("ae_") || $0.hasPrefix("ce_") || $0 == "artifacts_search_gin"
                } ?? false
            }
            ?? scans.first {
                vectorTables.contains($0["Relation Name"] as? String ?? "")
                    && ($0["Node Type"] as? String) == "Seq Scan"
            }
            ?? scans.first
        let executionMs = first["Execution Time"] as? Double
        guard let chosen, let type = chosen["Node Type"] as? String else {
            return QueryPlan(serverExecutionMs: executionMs)
        }
        if let index = chosen["Index Name"] as? String {
            return QueryPlan(scan: "\(type) using \(index)", indexName: index, serverExecutionMs: executionMs)
        }
        let relation = chosen["Relation Name"] as? String
        return QueryPlan(scan: relation.map { "\(type) on \($0)" } ?? type, serverExecutionMs: executionMs)
    }
}
