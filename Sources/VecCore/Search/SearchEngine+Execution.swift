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
    /// The artifact a "more like this" query names (`MoreLikeThis`): the query is its vector, so it is not a result.
    var excluding: Int?
    /// The access-count UPDATE of a query vector answered from memory, sent with the search.
    var touchQuery: PostgresQuery?
    /// The variant of the pinned index (`searchWork` sets it): the ANN statement orders by that index's expression.
    var quantization: VectorQuantization = .none
}

/// What a cached plan depends on: every knob but explain and fusion, the words (keyword, hybrid), the filters, and
/// whether kept keyword candidates replace the keyword statement.
struct PlanCacheKey: Hashable {
    var params: SearchParams
    var words: String
    var restrictTo: [Int]?
    var userRowID: Int?
    var excluding: Int?
    var keptKeyword: Bool
}

/// What a candidate count depends on: the signal that orders the results, the model and the filters, and for keyword
/// search the words and the knobs that choose its terms.
struct CandidateCountKey: Hashable {
    var method: RankingMethod
    var model: String
    var userScope: UserScope
    var artifactTypes: [ArtifactType]
    var restrictTo: [Int]?
    var words: String
    /// Keyword search: the knobs that choose the terms whose rows are counted.
    var maxTerms: Int
    var candidatePostings: Int
    var excluding: Int?
}

/// What a search statement's text and values depend on, but for its query vector (`builtSearchStatement`): the
/// model, every knob, the words, the filters, the index variant, and where the keyword scores come from.
struct SearchStatementKey: Hashable {
    var model: String
    var dimensions: Int
    var params: SearchParams
    var words: String
    var restrictTo: [Int]?
    var userRowID: Int?
    var excluding: Int?
    var quantization: VectorQuantization
    var keywordsInMemory: Bool

    init(_ plan: SearchPlan, keywordsInMemory: Bool) {
        model = plan.model.name
        dimensions = plan.model.dimensions
        params = plan.params
        words = plan.queryText
        restrictTo = plan.restrictTo
        userRowID = plan.userRowID
        excluding = plan.excluding
        quantization = plan.quantization
        self.keywordsInMemory = keywordsInMemory
    }
}

/// A search statement built for one query vector, and the parameter that vector is bound to.
struct BuiltSearchStatement {
    var query: PostgresQuery
    var vector: PostgresParameter
}

/// One candidate from a signal, before scoring.
struct Candidate {
    var artifactID: Int
    var distance: Double
}

extension SearchParams {
    /// The content types stored as whole-text vectors (`artifact_embeddings`), as the statements bind them.
    var storedContentTypes: [String] { contentTypes.filter { $0 != .chunk }.map(\.rawValue) }
}

/// One search's statements, in the order they are sent, and how their answers become a response. The statements do
/// not depend on each other's answers, so a search sends them all in one round trip (`Connection.pipelinedTransaction`).
struct SearchWork {
    var statements: [PipelineStatement] = []
    /// Reads the answers, one per statement, in order.
    var read: ([QueryResult]) throws -> SearchResponse
}

extension SearchEngine {
    /// Runs `plan` statement by statement inside a transaction the caller opened (ground truth, exact answers),
    /// under its plan choice (`SearchEngine+Plan.swift`).
    func execute(_ plan: SearchPlan, on conn: Connection) throws -> SearchResponse {
        var plan = plan
        if case .user(let externalID) = plan.params.userScope { plan.userRowID = try userRowID(externalID, on: conn) }
        return try withPlanChoice(plan, on: conn) { check in
            let run = { () throws -> SearchResponse in
                let work = self.searchWork(plan, check: check)
                return try work.read(try work.statements.map { try conn.query($0.query) })
            }
            do {
                return try run()
            } catch is StaleKeywordCandidates {
                return try run()  // forgotten by now: the words are scored afresh
            }
        }
    }

    /// The statements of a search: the candidate count when it is not cached, the query's words by lexeme when not
    /// kept, the corpus statistics' version (keyword and hybrid: it checks kept keyword candidates), the plan when
    /// asked for and not cached or when an index is pinned (`check`: its EXPLAIN is checked every time), and the
    /// search statement itself (candidates and every score in one pass). Kept keyword candidates the version shows
    /// outdated are forgotten and `StaleKeywordCandidates` thrown: the caller sends the search again.
    func searchWork(_ plan: SearchPlan, check: PlanCheck = PlanCheck(pinned: nil)) -> SearchWork {
        var plan = plan
        plan.quantization = check.pinned?.quantization ?? .none
        let params = plan.params
        var statements: [PipelineStatement] = []
        let countKey = candidateCountKey(plan)
        let cachedCount = cachedCandidateCount(countKey)
        if cachedCount == nil { statements.append(PipelineStatement(countStatement(plan))) }
        let hasWords = !plan.queryText.isEmpty
        let wordsKey = hasWords ? SHA256.hex(plan.queryText) : ""
        let keptWords = hasWords ? recentQueryWords[wordsKey] : [:]
        if keptWords == nil {
            statements.append(PipelineStatement(queryWordsStatement(plan.queryText), prepared: true))
        }
        let keywordKey = params.method == .semantic ? nil : keywordCacheKey(plan)
        let keptKeyword = keywordKey.flatMap { keywordCandidateCache[$0] }
        if keywordKey != nil { statements.append(PipelineStatement(Self.corpusVersionStatement, prepared: true)) }
        let inMemory = keywordsInMemory(plan, kept: keptKeyword)
        let search = builtSearchStatement(plan, keptKeyword: keptKeyword, keywordsInMemory: inMemory != nil)
        let verifies = check.pinned != nil
        let planKey = params.explain && !verifies ? planCacheKey(plan, keptKeyword: keptKeyword != nil) : nil
        let cachedPlan = planKey.flatMap { cachedPlans[$0] }
        // EXPLAIN without ANALYZE: the planner's choice for this very statement and its values, never a second run.
        let explains = verifies || (planKey != nil && cachedPlan == nil)
        if explains { statements.append(PipelineStatement("EXPLAIN (FORMAT JSON) \(search)")) }
        statements.append(PipelineStatement(search, prepared: preparesSearch(plan)))
        return SearchWork(statements: statements) { [self] results in
            var next = 0
            var total = cachedCount ?? 0
            if cachedCount == nil {
                total = try results[next].scalar(Int.self) ?? 0
                candidateCounts[countKey] = (total, Date())
                next += 1
            }
            var words = keptWords ?? [:]
            if keptWords == nil {
                words = try Self.wordsByLexeme(results[next])
                recentQueryWords[wordsKey] = words
                next += 1
            }
            var corpusVersion = ""
            if let keywordKey {
                corpusVersion = try results[next].scalar(String.self) ?? ""
                latestCorpusVersion = corpusVersion
                next += 1
                if let keptKeyword, keptKeyword.corpusVersion != corpusVersion {
                    keywordCandidateCache[keywordKey] = nil
                    throw StaleKeywordCandidates()
                }
            }
            var explained = cachedPlan ?? QueryPlan.notExplained
            if explains {
                explained = QueryPlan.parse(explainJSON: try results[next].scalar(String.self) ?? "[]")
                explained.measuredAt = Date()
                next += 1
                try check.verify(explained)
                if let planKey {
                    // Keyed by words too (keyword, hybrid): a long TUI session would otherwise keep every query's.
                    if cachedPlans.count >= Self.cachedPlanCapacity { cachedPlans.removeAll() }
                    cachedPlans[planKey] = explained
                }
            }
            let (response, keyword) = try readSearch(
                results[next], plan: plan, total: total, explained: explained, words: words, keywordsInMemory: inMemory)
            if let keywordKey, keptKeyword == nil {
                keywordCandidateCache[keywordKey] = KeywordCandidates(
                    ids: keyword.map(\.id), scores: keyword.map(\.score), corpusVersion: corpusVersion)
            }
            return response
        }
    }

    /// Whether the search statement is sent prepared (parsed once per connection; after five custom plans
    /// PostgreSQL keeps a generic one when it costs no more, as `pgbench -M prepared` does): only without a user,
    /// type or id filter and with the planner's own choice. Such a filter's selectivity is what a custom plan is for
    /// (a user's collection size decides between a filtered HNSW scan and an exact one), and a pinned or exact
    /// plan's settings change the plan without invalidating a cached one. (The more-like-this source's exclusion and
    /// a similarity threshold are estimated alike either way.)
    func preparesSearch(_ plan: SearchPlan) -> Bool {
        plan.params.plan == .auto && plan.quantization == .none && plan.userRowID == nil
            && plan.params.artifactTypes.isEmpty && plan.restrictTo == nil
    }

    /// Whether the search statement runs on a generic plan, planned once per connection and knob combination (the
    /// knobs are named in its text, `SQLFragment.plannedUnder`): a prepared semantic search. PostgreSQL's own choice
    /// kept custom plans for it — the generic plan's estimate for the per-candidate look-ups is higher, though it is
    /// the same plan — and planning the statement cost about as much as running its ANN scan. Keyword and hybrid
    /// searches keep custom plans: their word statistics are what their plans are made for.
    func usesGenericPlan(_ plan: SearchPlan) -> Bool {
        plan.params.method == .semantic && preparesSearch(plan)
    }

    /// The response, and the keyword candidates it was built from (best first).
    private func readSearch(
        _ result: QueryResult, plan: SearchPlan, total: Int, explained: QueryPlan, words: [String: String],
        keywordsInMemory: KeywordIndex.Query?
    ) throws -> (SearchResponse, keyword: [(id: Int, score: Double)]) {
        let params = plan.params
        var semantic: [Candidate] = []
        var keyword: [(id: Int, score: Double)] = []
        var scored: [Int: Scores] = [:]
        var serverMs: Double?
        for row in result.rows {
            let id: Int = try row.decode("id")
            var scores = try Self.scores(row)
            if let query = keywordsInMemory, let keyword = query.index.explain(id: id, query: query) {
                (scores.keywordScore, scores.matchedLexemes, scores.contributions) = keyword
            }
            scored[id] = scores
            if let distance = try row.decode("semantic_distance", as: Double?.self) {
                semantic.append(Candidate(artifactID: id, distance: distance))
            }
            if let score = try row.decode("keyword_candidate_score", as: Double?.self) {
                keyword.append((id, score))
            }
            serverMs = max(serverMs ?? 0, try row.decode("server_ms", as: Double.self))
        }
        semantic.sort { ($0.distance, $0.artifactID) < ($1.distance, $1.artifactID) }
        keyword.sort { ($0.score, -$0.id) > ($1.score, -$1.id) }
        let results = fuse(plan: plan, semantic: semantic, keyword: keyword, scored: scored, wordsByLexeme: words)
        var info = QueryInfo(
            method: params.method, totalCandidates: total, rowsReturned: results.count, limit: params.limit,
            plan: explained.scan, indexName: explained.indexName, serverExecutionMs: serverMs,
            clientWallMs: 0, embeddingMs: 0, embeddingCached: false, parameters: params)
        info.planMeasuredAt = explained.measuredAt
        info.planAgeSeconds = explained.measuredAt.map { Date().timeIntervalSince($0) }
        info.semanticCandidateIDs = semantic.map(\.artifactID)
        return (SearchResponse(results: results, info: info), keyword)
    }

    /// Plans by statement shape and knob values (the plan of an ANN statement does not depend on the vector; a
    /// keyword statement's does on the words, so they are part of the key). Changing any knob asks again.
    private func planCacheKey(_ plan: SearchPlan, keptKeyword: Bool) -> PlanCacheKey {
        var params = plan.params
        params.explain = false
        params.fusion = .default
        return PlanCacheKey(
            params: params, words: params.method == .semantic ? "" : SHA256.hex(plan.queryText),
            restrictTo: plan.restrictTo, userRowID: plan.userRowID, excluding: plan.excluding,
            keptKeyword: keptKeyword)
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

    /// WHERE conditions shared by every statement (user scope, artifact types, restricted ids, the more-like-this
    /// source), each after AND.
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
        if let excluding = plan.excluding {
            clauses += " AND a.id <> \(excluding)::int8"
        }
        return clauses
    }

    /// The user scope on `artifact_embeddings e`'s own user_id, after AND (empty without a scope): with the table
    /// hash-partitioned by user (`vecscope partition`) the planner then reads that user's partition alone.
    func embeddingsUserFilter(_ plan: SearchPlan) -> PostgresQuery {
        guard let userRowID = plan.userRowID else { return PostgresQuery() }
        return " AND e.user_id = \(userRowID)::int8"
    }

    func queryVectorBind(_ plan: SearchPlan) -> any PostgresEncodable {
        plan.model.storage == .halfvec ? HalfVector(rounding: plan.vector) : Vector(plan.vector)
    }

    // MARK: - Semantic

    /// The ANN statement over stored texts that a semantic search under `params` sends for `vector`, for
    /// `QueryPathBenchmark` to time exactly what a search runs.
    func annStatement(for vector: [Float], params: SearchParams, on conn: Connection) throws -> PostgresQuery {
        var plan = SearchPlan(model: try model(named: params.model), params: params, vector: vector, queryText: "")
        if case .user(let externalID) = params.userScope { plan.userRowID = try userRowID(externalID, on: conn) }
        let storedTypes = params.storedContentTypes
        return semanticStatement(
            plan, table: .artifactEmbeddings, storedTypes: storedTypes,
            fetch: params.limit * storedTypes.count, vector: PostgresParameter(queryVectorBind(plan)))
    }

    /// Rows each semantic statement returns, before re-ranking: per stored text (`limit` × the content types, or the
    /// hybrid's wider candidate list) and per chunk (4 a result).
    func semanticFetch(_ params: SearchParams) -> (stored: Int, chunks: Int, largest: Int) {
        let perResult = params.method == .semantic ? params.limit : max(params.limit * 3, 30)
        let stored = perResult * params.storedContentTypes.count
        let chunks = params.contentTypes.contains(.chunk) ? perResult * 4 : 0
        return (stored, chunks, max(stored, chunks))
    }

    /// The ANN statement: `fetch` rows in the metric's full-precision order. Through a halfvec index it orders by the
    /// half-precision distance and returns the full-precision one (the candidates are then ordered by it); through a
    /// bit index it reads `rerankDepth` × `fetch` candidates by Hamming distance and keeps the `fetch` nearest at full
    /// precision (pgvector's README, "Re-rank by the original vectors").
    ///
    /// With `allDistances` (a cosine search: `distance` is its cosine distance), each stored text's row also carries
    /// its L2 distance and inner product (`l2`, `ip`): the search statement then reads its best text from these rows
    /// instead of looking it up again.
    private func semanticStatement(
        _ plan: SearchPlan, table: VectorTable, storedTypes: [String], fetch: Int, vector q: PostgresParameter,
        allDistances: Bool = false
    )
        -> PostgresQuery
    {
        let expression: PostgresQuery = "e.embedding_vector\(sql: .vectorCast(plan.model))"
        let op = SQLFragment.distanceOperator(plan.params.metric)
        let model = SQLFragment.modelNameLiteral(plan.model)
        let indexed = SQLFragment.indexedVector(plan.model, plan.quantization, column: "e.embedding_vector")
        let queryIndexed: PostgresQuery =
            switch plan.quantization {
            case .none: "\(q)"
            case .halfvec: "\(q)::halfvec(\(sql: .integer(plan.model.dimensions)))"
            case .bit: "binary_quantize(\(q)\(sql: .vectorCast(plan.model)))"
            }
        let order: PostgresQuery =
            "(\(sql: indexed) \(sql: .orderingOperator(plan.params.metric, plan.quantization)) \(queryIndexed))"
        let filterClauses = filters(plan)
        // Artifacts are joined only for a filter to read: joining them (and users) to drop nothing cost every search
        // ten lookups in each and a third of its planning time.
        let joinsArtifacts = !filterClauses.isEmpty
        var sql: PostgresQuery
        if table == .artifactEmbeddings {
            let join: SQLFragment = joinsArtifacts ? " JOIN artifacts a ON a.id = e.artifact_id" : ""
            let distances: PostgresQuery =
                allDistances
                ? ", (\(expression) <-> \(q))::float8 AS l2, ((\(expression) <#> \(q)) * -1)::float8 AS ip" : ""
            sql = """
                SELECT e.artifact_id, (\(expression) \(sql: op) \(q))::float8 AS distance, e.content_type\(distances)
                FROM artifact_embeddings e\(sql: join)
                WHERE e.model_version = \(sql: model) AND e.content_type = ANY(\(storedTypes)::text[])
                """
            sql += embeddingsUserFilter(plan)
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
        // The limit is part of the text: a prepared statement's generic plan then still knows how few rows it needs
        // (with LIMIT $n it assumed a tenth of the table and chose a sequential scan and a sort).
        guard plan.quantization == .bit else {
            sql += " ORDER BY \(order)\(sql: exact) LIMIT \(sql: .integer(fetch))"
            return sql
        }
        sql += " ORDER BY \(order)\(sql: exact) LIMIT \(sql: .integer(fetch * plan.params.rerankDepth))"
        return "SELECT * FROM (\(sql)) reranked ORDER BY reranked.distance LIMIT \(sql: .integer(fetch))"
    }

    // MARK: - The search statement

    /// The search statement for `plan`, built once per shape (`SearchStatementKey`) and bound to each search's own
    /// query vector: building its text was a large share of a semantic search's own CPU. Kept keyword candidates are
    /// values of the statement, so a statement with them is built every time.
    func builtSearchStatement(
        _ plan: SearchPlan, keptKeyword: KeywordCandidates?, keywordsInMemory: Bool
    ) -> PostgresQuery {
        let vector = queryVectorBind(plan)
        guard keptKeyword == nil else {
            return searchStatement(
                plan, vector: PostgresParameter(vector), keptKeyword: keptKeyword, keywordsInMemory: keywordsInMemory)
        }
        let key = SearchStatementKey(plan, keywordsInMemory: keywordsInMemory)
        if let built = builtSearchStatements[key] { return built.query.rebinding(built.vector, to: vector) }
        let parameter = PostgresParameter(vector)
        let query = searchStatement(plan, vector: parameter, keywordsInMemory: keywordsInMemory)
        builtSearchStatements[key] = BuiltSearchStatement(query: query, vector: parameter)
        return query
    }

    /// The whole search as one statement: the ANN statement(s) and the keyword statement as materialized CTEs, each
    /// planned as when run alone, then every score of their candidates (distances of the best stored text, BM25
    /// score and terms, best chunk) in LATERAL lookups by id, and the server's own time to its last row. One row per
    /// candidate; `semantic_distance` and `keyword_candidate_score` say which list it came from. When the ANN rows are
    /// the candidates as they are (`annRowsAreCandidates`), the statement joins them to their artifacts directly.
    ///
    /// A statement run on a generic plan (`usesGenericPlan`) names the knobs it was planned under in a leading comment.
    func searchStatement(
        _ plan: SearchPlan, vector v: PostgresParameter, keptKeyword: KeywordCandidates? = nil,
        keywordsInMemory: Bool = false
    ) -> PostgresQuery {
        let params = plan.params
        let bestTextFromANN = readsBestTextFromANN(params)
        let annRowsAreCandidates = annRowsAreCandidates(params)
        let bm25 = BM25SQL(queryText: plan.queryText, parameters: params.bm25, knownTerms: keptKeyword?.terms?.terms)
        // Without words (a raw vector) there is nothing for BM25 to score: planning its CTEs and LATERAL cost as much
        // as planning the ANN statement. With `keywordsInMemory` the reader scores them (`KeywordIndex.explain`).
        let scoresWords = !plan.queryText.isEmpty && !keywordsInMemory
        var ctes: [PostgresQuery] = scoresWords ? [bm25.ctes] : []
        var sources: [PostgresQuery] = []
        if params.method != .semantic {
            if let keptKeyword {
                // Kept from an earlier search with the same words, BM25 knobs and filters (`keywordCacheKey`).
                let ids = keptKeyword.ids.map(String.init), scores = keptKeyword.scores.map { "\($0)" }
                ctes.append(
                    """
                    keyword_candidates AS MATERIALIZED (
                        SELECT k.id, k.score FROM unnest(\(ids)::text[]::int8[], \(scores)::text[]::float8[]) k(id, score))
                    """)
            } else {
                // The keyword candidates, best first (ties by id), as many as the method needs.
                var keyword: PostgresQuery = """
                    SELECT a.id, kw.score
                    FROM artifacts a CROSS JOIN bm25_query q CROSS JOIN \(bm25.lateral)
                    WHERE a.search @@ q.query
                    """
                keyword += filters(plan)
                keyword += " ORDER BY kw.score DESC, a.id LIMIT \(sql: .integer(keywordFetch(params)))"
                ctes.append("keyword_candidates AS MATERIALIZED (\(keyword))")
            }
            sources.append("SELECT id FROM keyword_candidates")
        }
        if params.method != .keyword {
            // Over-fetch so that one artifact's several texts do not crowd out others; one row per artifact (its
            // best text) in the metric's order, the ANN order being what is tuned.
            let fetch = semanticFetch(params)
            var branches: [PostgresQuery] = []
            let storedTypes = params.storedContentTypes
            if !storedTypes.isEmpty {
                let ann = semanticStatement(
                    plan, table: .artifactEmbeddings, storedTypes: storedTypes, fetch: fetch.stored, vector: v,
                    allDistances: bestTextFromANN)
                ctes.append("ann_stored AS MATERIALIZED (\(ann))")
                branches.append("SELECT artifact_id, distance FROM ann_stored")
            }
            if bestTextFromANN && !annRowsAreCandidates {
                ctes.append(
                    """
                    ann_best AS MATERIALIZED (
                        SELECT DISTINCT ON (artifact_id) artifact_id, content_type, distance AS cd, l2, ip
                        FROM ann_stored ORDER BY artifact_id, distance, content_type)
                    """)
            }
            if params.contentTypes.contains(.chunk) {
                let ann = semanticStatement(
                    plan, table: .chunkEmbeddings, storedTypes: [], fetch: fetch.chunks, vector: v)
                ctes.append("ann_chunks AS MATERIALIZED (\(ann))")
                branches.append("SELECT artifact_id, distance FROM ann_chunks")
            }
            if !annRowsAreCandidates {  // else ann_stored is joined below as the candidates
                let union = branches.joined(separator: "\nUNION ALL\n")
                ctes.append(
                    """
                    semantic_candidates AS MATERIALIZED (
                        SELECT t.artifact_id AS id, min(t.distance) AS distance FROM (\(union)) t
                        GROUP BY t.artifact_id ORDER BY min(t.distance), t.artifact_id LIMIT \(sql: .integer(params.limit)))
                    """)
                sources.append("SELECT id FROM semantic_candidates")
            }
        }
        let candidates: PostgresQuery =
            annRowsAreCandidates
            ? "ann_stored c JOIN artifacts a ON a.id = c.artifact_id"
            : "(\(sources.joined(separator: "\nUNION\n"))) c JOIN artifacts a ON a.id = c.id"
        let semanticColumn: SQLFragment =
            params.method == .keyword
            ? "NULL::float8"
            : annRowsAreCandidates ? "c.distance" : "(SELECT s.distance FROM semantic_candidates s WHERE s.id = a.id)"
        let keywordColumn: SQLFragment =
            params.method == .semantic
            ? "NULL::float8" : "(SELECT k.score FROM keyword_candidates k WHERE k.id = a.id)"
        let keywordScores: PostgresQuery =
            scoresWords
            ? "CROSS JOIN \(bm25.lateral)"
            : "CROSS JOIN (SELECT 0::float8 AS score, '{}'::text[] AS lexemes, '{}'::float8[] AS parts) kw"
        let storedTypes = params.storedContentTypes + ["full"]
        let expression: PostgresQuery = "e.embedding_vector\(sql: .vectorCast(plan.model))"
        let model = SQLFragment.modelNameLiteral(plan.model)
        // A candidate the ANN statement returned has its best text in `ann_best`; the lookup (`best`) is then a
        // one-time filter that reads nothing, and runs only for keyword or chunk candidates.
        let bestColumns: SQLFragment =
            annRowsAreCandidates
            ? "c.content_type, c.distance AS cosine_distance, c.l2 AS l2_distance, c.ip AS inner_product,"
            : bestTextFromANN
                ? """
                coalesce(ab.content_type, best.content_type) AS content_type, coalesce(ab.cd, best.cd) AS cosine_distance,
                       coalesce(ab.l2, best.l2) AS l2_distance, coalesce(ab.ip, best.ip) AS inner_product,
                """
                : """
                best.content_type, best.cd AS cosine_distance, best.l2 AS l2_distance, best.ip AS inner_product,
                """
        let annBestJoin: SQLFragment =
            bestTextFromANN && !annRowsAreCandidates ? "LEFT JOIN ann_best ab ON ab.artifact_id = a.id\n" : ""
        let lookUpUnlessFromANN: SQLFragment = bestTextFromANN ? "ab.artifact_id IS NULL AND " : ""
        // "+ 0": a lookup by artifact, never a scan of a vector index (which a pinned plan, sorts off, would choose,
        // returning nothing for a candidate outside that index's ef_search nearest).
        let bestTextLookup: PostgresQuery =
            annRowsAreCandidates
            ? ""
            : """
            LEFT JOIN LATERAL (
                SELECT e.content_type, (\(expression) <=> \(v))::float8 AS cd, (\(expression) <-> \(v))::float8 AS l2,
                       ((\(expression) <#> \(v)) * -1)::float8 AS ip
                FROM artifact_embeddings e
                WHERE \(sql: lookUpUnlessFromANN)e.artifact_id = a.id AND e.user_id = a.user_id\(embeddingsUserFilter(plan))
                      AND e.model_version = \(sql: model) AND e.content_type = ANY(\(storedTypes)::text[])
                ORDER BY (\(expression) <=> \(v)) + 0, e.content_type LIMIT 1) best ON true

            """
        let plannedUnder: SQLFragment = usesGenericPlan(plan) ? .plannedUnder(params) : ""
        return """
            \(sql: plannedUnder)WITH \(ctes.joined(separator: ",\n"))
            SELECT a.id, a.external_id, u.external_id AS user_external_id, u.name AS user_name, a.title,
                   a.artifact_type, a.description, a.content, \(sql: bestColumns)
                   kw.score AS keyword_score, kw.lexemes AS matched_lexemes, kw.parts AS contributions,
                   chunk.text AS chunk_text, chunk.cd AS chunk_cosine_distance, chunk.l2 AS chunk_l2_distance,
                   chunk.ip AS chunk_inner_product,
                   \(sql: semanticColumn) AS semantic_distance, \(sql: keywordColumn) AS keyword_candidate_score,
                   (extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::float8 AS server_ms
            FROM \(candidates) JOIN users u ON u.id = a.user_id
            \(sql: annBestJoin)\(keywordScores)
            \(bestTextLookup)LEFT JOIN LATERAL (
                SELECT c.text, (\(expression) <=> \(v))::float8 AS cd, (\(expression) <-> \(v))::float8 AS l2,
                       ((\(expression) <#> \(v)) * -1)::float8 AS ip
                FROM artifact_chunks c JOIN chunk_embeddings e ON e.artifact_chunk_id = c.id
                WHERE c.artifact_id = a.id AND e.model_version = \(sql: model)
                ORDER BY (\(expression) <=> \(v)) + 0, c.id LIMIT 1) chunk ON true
            """
    }

    /// Whether the ANN statement's own rows give each of its artifacts' best stored text: when it orders by cosine
    /// distance (the best text's order) over every content type the best text is chosen from. Its nearest rows
    /// are then a prefix of that order, so an artifact's best text is among them (exactly so for an exact scan),
    /// and looking it up again cost every candidate an index scan and four distances.
    func readsBestTextFromANN(_ params: SearchParams) -> Bool {
        params.method != .keyword && params.metric == .cosine && params.storedContentTypes.contains("full")
    }

    /// Whether the ANN statement's rows are the search's candidates as they are: a semantic search by cosine over
    /// whole texts alone has one row per artifact (its best text) and `limit` rows in the final order. Grouping them
    /// by artifact, keeping a best-text table and checking each candidate against it then only added work.
    func annRowsAreCandidates(_ params: SearchParams) -> Bool {
        params.method == .semantic && readsBestTextFromANN(params) && params.contentTypes == [.full]
    }

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

    private static func scores(_ row: Row) throws -> Scores {
        Scores(
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

    /// Each lexeme of the query with the word the user typed, so explanations show "kubernetes", not "kubernet".
    private func queryWordsStatement(_ text: String) -> PostgresQuery {
        """
        SELECT w.word, l.lexeme
        FROM unnest(regexp_split_to_array(lower(\(text)), '[^[:alnum:]+#-]+')) WITH ORDINALITY w(word, n)
        CROSS JOIN LATERAL unnest(to_tsvector('english', w.word)) l WHERE w.word <> '' ORDER BY w.n
        """
    }

    private static func wordsByLexeme(_ result: QueryResult) throws -> [String: String] {
        var map: [String: String] = [:]
        for row in result.rows {
            let lexeme: String = try row.decode("lexeme")
            if map[lexeme] == nil { map[lexeme] = try row.decode("word") }
        }
        return map
    }

    // MARK: - Counting and plans

    /// The cache key of the candidate count: the filters and, for keyword search, the words.
    func candidateCountKey(_ plan: SearchPlan) -> CandidateCountKey {
        let p = plan.params
        return CandidateCountKey(
            method: p.method, model: plan.model.name, userScope: p.userScope, artifactTypes: p.artifactTypes,
            restrictTo: plan.restrictTo, words: p.method == .keyword ? SHA256.hex(plan.queryText) : "",
            maxTerms: p.method == .keyword ? p.bm25.maxTerms : 0,
            candidatePostings: p.method == .keyword ? p.bm25.candidatePostings : 0, excluding: plan.excluding)
    }

    private func cachedCandidateCount(_ key: CandidateCountKey) -> Int? {
        guard let cached = candidateCounts[key],
            Date().timeIntervalSince(cached.measuredAt) < Self.candidateCountLifetime
        else { return nil }
        return cached.count
    }

    /// Artifacts the filters admit for the signal that orders the results (before ANN and limit).
    private func countStatement(_ plan: SearchPlan) -> PostgresQuery {
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
                WHERE EXISTS (SELECT 1 FROM artifact_embeddings e WHERE e.artifact_id = a.id AND e.user_id = a.user_id
                              AND e.model_version = \(plan.model.name))
                """
        }
        sql += filters(plan)
        return sql
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
    /// When the plan was read (plans are cached per statement shape and knob values); nil when not explained.
    public var measuredAt: Date?

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
