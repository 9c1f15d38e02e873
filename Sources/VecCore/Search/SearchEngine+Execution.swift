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

/// Bound parameters for one statement; `bind` returns the placeholder to splice into SQL.
struct StatementBuilder {
    private(set) var parameters: [any PostgresEncodable] = []

    mutating func bind(_ value: any PostgresEncodable) -> String {
        parameters.append(value)
        return "$\(parameters.count)"
    }
}

/// One candidate from a signal, before scoring.
struct Candidate {
    var artifactID: Int
    var distance: Double
    var contentType: ContentType
    var chunkText: String?
}

extension SearchEngine {
    func execute(_ plan: SearchPlan, on conn: Connection) throws -> SearchResponse {
        var plan = plan
        if case .user(let externalID) = plan.params.userScope { plan.userRowID = try userRowID(externalID, on: conn) }
        let params = plan.params
        let fetch = max(params.limit * 3, 30)
        var semantic: [Candidate] = []
        var keyword: [(id: Int, score: Double)] = []
        var explained: (plan: String?, index: String?, ms: Double?) = (nil, nil, nil)

        if params.method != .keyword {
            let (candidates, explain) = try semanticCandidates(plan, fetch: params.method == .semantic ? params.limit : fetch, on: conn)
            semantic = candidates
            explained = explain
        }
        if params.method != .semantic {
            let (matches, explain) = try keywordCandidates(plan, fetch: params.method == .keyword ? params.limit : fetch, on: conn)
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
        var info = QueryInfo(method: params.method, totalCandidates: total, rowsReturned: results.count, limit: params.limit,
                             plan: explained.plan, indexName: explained.index, serverExecutionMs: explained.ms,
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
        guard let id = try conn.query("SELECT id FROM users WHERE external_id = $1", [externalID]).scalar(Int.self) else {
            throw VecscopeError(what: "no user \(externalID)", why: "no user with that external id is loaded",
                                fix: "Use a user's external id as loaded (e.g. u01), or search every user.")
        }
        return id
    }

    /// WHERE fragments shared by every statement: user scope, artifact types, restricted ids.
    func filters(_ plan: SearchPlan, _ builder: inout StatementBuilder) -> String {
        var clauses: [String] = []
        if let userRowID = plan.userRowID {
            clauses.append("a.user_id = \(builder.bind(userRowID))::int8")
        }
        if !plan.params.artifactTypes.isEmpty {
            clauses.append("a.artifact_type = ANY(\(builder.bind(plan.params.artifactTypes.map(\.rawValue)))::text[])")
        }
        if let ids = plan.restrictTo {
            clauses.append("a.id = ANY(\(builder.bind(ids.map(String.init)))::text[]::int8[])")
        }
        return clauses.map { " AND " + $0 }.joined()
    }

    func queryVectorBind(_ plan: SearchPlan) -> any PostgresEncodable {
        plan.model.storage == .halfvec ? HalfVector(rounding: plan.vector) : Vector(plan.vector)
    }

    // MARK: - Semantic

    /// The ANN (or exact, when no index serves it) top rows per stored text, one per artifact, best first.
    private func semanticCandidates(_ plan: SearchPlan, fetch: Int, on conn: Connection)
        throws -> ([Candidate], (String?, String?, Double?))
    {
        let params = plan.params
        let storedTypes = params.contentTypes.filter { $0 != .chunk }.map(\.rawValue)
        var candidates: [Candidate] = []
        var explain: (String?, String?, Double?) = (nil, nil, nil)
        // Over-fetch so that one artifact's several texts do not crowd out others.
        if !storedTypes.isEmpty {
            let statement = semanticStatement(plan, table: .artifactEmbeddings, storedTypes: storedTypes,
                                              fetch: fetch * storedTypes.count)
            candidates += try conn.query(statement.sql, statement.builder.parameters).rows.map { row in
                Candidate(artifactID: try row.decode(0), distance: try row.decode(1),
                          contentType: ContentType(rawValue: try row.decode(2)) ?? .full, chunkText: nil)
            }
            if params.explain { explain = try self.explain(statement.sql, statement.builder.parameters, on: conn) }
        }
        if params.contentTypes.contains(.chunk) {
            let statement = semanticStatement(plan, table: .chunkEmbeddings, storedTypes: [], fetch: fetch * 4)
            candidates += try conn.query(statement.sql, statement.builder.parameters).rows.map { row in
                Candidate(artifactID: try row.decode(0), distance: try row.decode(1), contentType: .chunk,
                          chunkText: try row.decode(2))
            }
            if params.explain && explain.0 == nil { explain = try self.explain(statement.sql, statement.builder.parameters, on: conn) }
        }
        // One row per artifact (its best text), in the metric's order; the ANN order is what is being tuned.
        var best: [Int: Candidate] = [:]
        for candidate in candidates where best[candidate.artifactID].map({ candidate.distance < $0.distance }) ?? true {
            best[candidate.artifactID] = candidate
        }
        let ordered = best.values.sorted { ($0.distance, $0.artifactID) < ($1.distance, $1.artifactID) }
        return (Array(ordered.prefix(params.limit)), explain)
    }

    private func semanticStatement(_ plan: SearchPlan, table: VectorTable, storedTypes: [String], fetch: Int)
        -> (sql: String, builder: StatementBuilder)
    {
        var builder = StatementBuilder()
        let q = builder.bind(queryVectorBind(plan))
        let expression = "e.embedding_vector\(plan.model.vectorCast)"
        let op = plan.params.metric.sqlOperator
        let types = table == .artifactEmbeddings ? builder.bind(storedTypes) : ""
        let filterClauses = filters(plan, &builder)
        // Artifacts are joined only for a filter to read: joining them (and users) to drop nothing cost every search
        // ten lookups in each and a third of its planning time.
        func filterJoin(_ artifactID: String) -> String { filterClauses.isEmpty ? "" : " JOIN artifacts a ON a.id = \(artifactID)" }
        var sql: String
        if table == .artifactEmbeddings {
            sql = """
                SELECT e.artifact_id, (\(expression) \(op) \(q))::float8 AS distance, e.content_type
                FROM artifact_embeddings e\(filterJoin("e.artifact_id"))
                WHERE e.model_version = \(plan.model.sqlLiteral) AND e.content_type = ANY(\(types)::text[])
                """
        } else {
            sql = """
                SELECT c.artifact_id, (\(expression) \(op) \(q))::float8 AS distance, c.text
                FROM chunk_embeddings e JOIN artifact_chunks c ON c.id = e.artifact_chunk_id\(filterJoin("c.artifact_id"))
                WHERE e.model_version = \(plan.model.sqlLiteral)
                """
        }
        sql += filterClauses
        if let threshold = plan.params.similarityThreshold {
            sql += " AND (\(expression) <=> \(q)) <= \(builder.bind(1 - threshold))::float8"
        }
        // An explicit artifact list is ranked exactly: "+ 0" keeps the ANN index (and its recall loss) out of it.
        let exact = plan.restrictTo == nil ? "" : " + 0"
        sql += " ORDER BY (\(expression) \(op) \(q))\(exact) LIMIT \(builder.bind(fetch))::int8"
        return (sql, builder)
    }

    // MARK: - Keyword

    /// ts_rank_cd's cost grows with the query's terms: a whole job description (260 lexemes) took a second over
    /// 252 artifacts, its 64 most frequent lexemes 90 ms with nearly the same ranking.
    public static let maxKeywordTerms = 64

    /// The job text as an OR of its most frequent lexemes (an AND of 200 words matches nothing), for the GIN index.
    static let keywordQueryCTE = """
        q AS (SELECT to_tsquery('simple', coalesce(string_agg(quote_literal(t.lexeme), ' | '), '')) AS query,
                     coalesce(array_agg(t.lexeme), '{}') AS lexemes
              FROM (SELECT lexeme FROM unnest(to_tsvector('english', $1::text))
                    ORDER BY coalesce(array_length(positions, 1), 1) DESC, lexeme LIMIT \(maxKeywordTerms)) t)
        """

    private func keywordCandidates(_ plan: SearchPlan, fetch: Int, on conn: Connection)
        throws -> ([(id: Int, score: Double)], (String?, String?, Double?))
    {
        var builder = StatementBuilder()
        _ = builder.bind(plan.queryText)
        var sql = """
            WITH \(Self.keywordQueryCTE)
            SELECT a.id, ts_rank_cd(a.search, q.query, 32)::float8 AS score
            FROM artifacts a CROSS JOIN q
            WHERE a.search @@ q.query
            """
        sql += filters(plan, &builder)
        sql += " ORDER BY score DESC, a.id LIMIT \(builder.bind(fetch))::int8"
        let rows = try conn.query(sql, builder.parameters).rows.map { (id: try $0.decode(0, as: Int.self), score: try $0.decode(1, as: Double.self)) }
        let explain = plan.params.explain ? try self.explain(sql, builder.parameters, on: conn) : (nil, nil, nil)
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
        var matchedLexemes: [String]
        var bestChunk: String?
        var bestChunkDistance: Double?
        var bestChunkL2: Double?
        var bestChunkInnerProduct: Double?
    }

    private func scores(for ids: [Int], plan: SearchPlan, on conn: Connection) throws -> [Int: Scores] {
        guard !ids.isEmpty else { return [:] }
        var builder = StatementBuilder()
        _ = builder.bind(plan.queryText)
        let v = builder.bind(queryVectorBind(plan))
        let idList = builder.bind(ids.map(String.init))
        let storedTypes = builder.bind(plan.params.contentTypes.filter { $0 != .chunk }.map(\.rawValue) + ["full"])
        let expression = "e.embedding_vector\(plan.model.vectorCast)"
        // LATERAL lookups by artifact id: the same plan whatever the ids, so a generic plan is as good as a custom one.
        let sql = """
            WITH \(Self.keywordQueryCTE)
            SELECT a.id, a.external_id, u.external_id, u.name, a.title, a.artifact_type, a.description, a.content,
                   best.content_type, best.cd, best.l2, best.ip,
                   CASE WHEN a.search @@ q.query THEN ts_rank_cd(a.search, q.query, 32)::float8 ELSE 0 END,
                   ARRAY(SELECT t.lexeme FROM unnest(a.search) t WHERE t.lexeme = ANY(q.lexemes) ORDER BY t.lexeme),
                   chunk.text, chunk.cd, chunk.l2, chunk.ip
            FROM artifacts a JOIN users u ON u.id = a.user_id CROSS JOIN q
            LEFT JOIN LATERAL (
                SELECT e.content_type, (\(expression) <=> \(v))::float8 AS cd, (\(expression) <-> \(v))::float8 AS l2,
                       ((\(expression) <#> \(v)) * -1)::float8 AS ip
                FROM artifact_embeddings e
                WHERE e.artifact_id = a.id AND e.model_version = \(plan.model.sqlLiteral) AND e.content_type = ANY(\(storedTypes)::text[])
                ORDER BY cd, e.content_type LIMIT 1) best ON true
            LEFT JOIN LATERAL (
                SELECT c.text, (\(expression) <=> \(v))::float8 AS cd, (\(expression) <-> \(v))::float8 AS l2,
                       ((\(expression) <#> \(v)) * -1)::float8 AS ip
                FROM artifact_chunks c JOIN chunk_embeddings e ON e.artifact_chunk_id = c.id
                WHERE c.artifact_id = a.id AND e.model_version = \(plan.model.sqlLiteral)
                ORDER BY cd, c.id LIMIT 1) chunk ON true
            WHERE a.id = ANY(\(idList)::text[]::int8[])
            """
        // Planning this statement cost more than the ANN search it explains, on every search; prepared, with the
        // generic plan forced for the rest of the transaction (this is its last statement), it is planned once per
        // connection. The ANN statement before it keeps custom plans: there the planner's choice is what is tuned.
        try conn.execute("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
        var result: [Int: Scores] = [:]
        for row in try conn.queryPrepared(sql, builder.parameters).rows {
            let id: Int = try row.decode(0)
            result[id] = Scores(
                externalID: try row.decode(1), userExternalID: try row.decode(2), userName: try row.decode(3),
                title: try row.decode(4), type: ArtifactType(rawValue: try row.decode(5)) ?? .project,
                description: try row.decode(6), content: try row.decode(7),
                contentType: ContentType(rawValue: try row.decode(8, as: String?.self) ?? "full") ?? .full,
                cosineDistance: try row.decode(9, as: Double?.self) ?? .nan,
                l2Distance: try row.decode(10, as: Double?.self) ?? .nan,
                innerProduct: try row.decode(11, as: Double?.self) ?? .nan,
                keywordScore: try row.decode(12), matchedLexemes: try row.decode(13),
                bestChunk: try row.decode(14), bestChunkDistance: try row.decode(15),
                bestChunkL2: try row.decode(16), bestChunkInnerProduct: try row.decode(17))
        }
        return result
    }

    /// Each lexeme of the query mapped back to the word the user typed, so explanations show "kubernetes", not "kubernet".
    private func queryWordsByLexeme(_ text: String, on conn: Connection) throws -> [String: String] {
        guard !text.isEmpty else { return [:] }
        let rows = try conn.query("""
            SELECT w.word, l.lexeme FROM unnest(regexp_split_to_array(lower($1), '[^[:alnum:]+#-]+')) WITH ORDINALITY w(word, n)
            CROSS JOIN LATERAL unnest(to_tsvector('english', w.word)) l WHERE w.word <> '' ORDER BY w.n
            """, [text]).rows
        var map: [String: String] = [:]
        for row in rows {
            let lexeme: String = try row.decode(1)
            if map[lexeme] == nil { map[lexeme] = try row.decode(0) }
        }
        return map
    }

    // MARK: - Counting and plans

    /// Artifacts the filters admit for the signal that orders the results (before ANN and limit).
    private func candidateCount(_ plan: SearchPlan, on conn: Connection) throws -> Int {
        let p = plan.params
        let key = [p.method.rawValue, plan.model.name, "\(p.userScope)", p.artifactTypes.map(\.rawValue).joined(separator: ","),
                   plan.restrictTo.map { $0.map(String.init).joined(separator: ",") } ?? "",
                   p.method == .keyword ? SHA256.hex(plan.queryText) : ""].joined(separator: "|")
        if let cached = candidateCounts[key], Date().timeIntervalSince(cached.measuredAt) < Self.candidateCountLifetime {
            return cached.count
        }
        let count = try countCandidates(plan, on: conn)
        candidateCounts[key] = (count, Date())
        return count
    }

    private func countCandidates(_ plan: SearchPlan, on conn: Connection) throws -> Int {
        var builder = StatementBuilder()
        var sql: String
        if plan.params.method == .keyword {
            _ = builder.bind(plan.queryText)
            sql = """
                WITH \(Self.keywordQueryCTE)
                SELECT count(*) FROM artifacts a CROSS JOIN q WHERE a.search @@ q.query
                """
        } else {
            sql = """
                SELECT count(DISTINCT a.id) FROM artifacts a
                WHERE EXISTS (SELECT 1 FROM artifact_embeddings e WHERE e.artifact_id = a.id
                              AND e.model_version = \(builder.bind(plan.model.name)))
                """
        }
        sql += filters(plan, &builder)
        return try conn.query(sql, builder.parameters).scalar(Int.self) ?? 0
    }

    /// EXPLAIN (ANALYZE) of a statement: the scan that fed it (index name or Seq Scan) and the server's time.
    func explain(_ sql: String, _ parameters: [any PostgresEncodable], on conn: Connection) throws -> (String?, String?, Double?) {
        let json = try conn.query("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, parameters).scalar(String.self) ?? "[]"
        return PlanSummary.parse(json)
    }
}

/// Reads what matters to a tuner out of EXPLAIN's JSON: which scan fed the query and how long it ran.
enum PlanSummary {
    static func parse(_ json: String) -> (plan: String?, index: String?, executionMs: Double?) {
        guard let data = json.data(using: .utf8),
              let top = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]],
              let first = top.first, let root = first["Plan"] as? [String: Any] else { return (nil, nil, nil) }
        var scans: [[String: Any]] = []
        func walk(_ node: [String: Any]) {
            if let type = node["Node Type"] as? String, type.contains("Scan") { scans.append(node) }
            for child in node["Plans"] as? [[String: Any]] ?? [] { walk(child) }
        }
        walk(root)
        // The vector tables' scan is the one being tuned; otherwise the first scan of the plan.
        let vectorTables: Set<String> = ["artifact_embeddings", "chunk_embeddings", "artifacts"]
        let chosen = scans.first { ($0["Index Name"] as? String).map { $0.hasPrefix("ae_") || $0.hasPrefix("ce_") || $0 == "artifacts_search_gin" } ?? false }
            ?? scans.first { vectorTables.contains($0["Relation Name"] as? String ?? "") && ($0["Node Type"] as? String) == "Seq Scan" }
            ?? scans.first
        let executionMs = first["Execution Time"] as? Double
        guard let chosen, let type = chosen["Node Type"] as? String else { return (nil, nil, executionMs) }
        if let index = chosen["Index Name"] as? String {
            return ("\(type) using \(index)", index, executionMs)
        }
        let relation = chosen["Relation Name"] as? String
        return (relation.map { "\(type) on \($0)" } ?? type, nil, executionMs)
    }
}
