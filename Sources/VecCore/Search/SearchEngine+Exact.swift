import Foundation

/// The same search answered twice inside one transaction: as the planner chooses (the ANN index when one serves
/// it), then exactly with index scans disabled (ARCHITECTURE.md §2, recall), so both see the same snapshot and filters.
struct GroundTruthAnswer {
    var ann: SearchResponse
    var exact: SearchResponse
    /// Client wall time of the ANN execution alone (inside the transaction, embedding excluded), in ms.
    var annWallMs: Double
}

extension SearchEngine {
    /// - Parameter forceIndexScan: disables sequential scans for the ANN half, so a small table still goes
    ///   through its vector index (the planner prefers a seq scan below a few thousand rows).
    func answerWithGroundTruth(
        _ query: Query, params: SearchParams, forceIndexScan: Bool = false
    ) throws -> GroundTruthAnswer {
        try params.validate()
        // Two whole responses compare only where the ranking is the ANN top k (`RecallScope`).
        guard params.method.recallScope == .annTopK else {
            throw VecscopeError(
                what: "ANN and exact answers are compared for semantic search only",
                why: "a \(params.method.rawValue) ranking is not the index's top k",
                fix: "Use --method semantic.")
        }
        let model = try model(named: params.model)
        let (vector, _, _) = try queryVector(query, model: model)
        let queryText = query.text ?? ""
        return try connection.transaction { conn -> GroundTruthAnswer in
            try applySettings(params, on: conn)
            let plan = SearchPlan(model: model, params: params, vector: vector, queryText: queryText, restrictTo: nil)
            if forceIndexScan {
                // Without seq scans and sorts, only the vector index can produce the ORDER BY … LIMIT.
                try conn.execute(
                    "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_sort', 'off', true)")
            }
            let started = DispatchTime.now()
            var ann = try execute(plan, on: conn)
            let annMs = Self.milliseconds(since: started)
            ann.info.clientWallMs = annMs
            let exact = try executeExactly(plan, on: conn)
            return GroundTruthAnswer(ann: ann, exact: exact, annWallMs: annMs)
        }
    }

    /// Recall of a search that already ran (the TUI's shown results), by its method's rule (`RecallScope`):
    /// `measuredIDs` against one IDs-only exact statement. The query's vector is read from the cache that search
    /// filled: measuring neither embeds nor writes anything.
    public func measureRecall(
        ofSearchFor text: String, params: SearchParams, measuredIDs: [Int]
    ) throws
        -> RecallMeasurement
    {
        try params.validate()
        let scope = params.method.recallScope
        guard scope.isApplicable else {
            throw VecscopeError(
                what: "recall is not measured for \(params.method.rawValue) search",
                why: "its ranking goes through no approximate index", fix: "Use semantic or hybrid.")
        }
        let model = try model(named: params.model)
        // A more-like-this search left out its source artifact; its exact answer does too.
        let reference = try MoreLikeThis(parsing: text).map {
            try storedVector(of: $0, model: model, scope: params.userScope)
        }
        // A standby stores no query vectors (it cannot write), so there the text is embedded again: the same model
        // makes the same vector the search used.
        let stored =
            try reference?.vector ?? QueryEmbeddingCache(connection: connection).storedVector(for: text, model: model)
            ?? (connection.isHotStandby ? queryVector(.text(text), model: model).vector : nil)
        guard let vector = stored else {
            throw VecscopeError(
                what: "recall not measured: the query's vector is not cached",
                why: "recall is measured for a search that ran, with the vector it used",
                fix: "Run the search again.")
        }
        let k = scope.k(measuredIDs: measuredIDs, params: params)
        let started = DispatchTime.now()
        let exact = try exactTopIDs(vector: vector, params: params, k: k, excluding: reference?.id)
        let exactMs = Self.milliseconds(since: started)
        return RecallMeasurement(
            scope: scope, k: k, recall: Recall.atK(approximate: measuredIDs, exact: exact, k: k),
            exactMs: exactMs, exactIDs: exact, missed: try missedNeighbours(exact: exact, measured: measuredIDs))
    }

    /// The exact top `k` artifact ids of the semantic signal for `vector` under `params` (filters, content types,
    /// threshold, metric; `excluding`: a more-like-this source), every distance computed; ids only, nothing scored or
    /// explained.
    public func exactTopIDs(vector: [Float], params: SearchParams, k: Int, excluding: Int? = nil) throws -> [Int] {
        let model = try model(named: params.model)
        try Self.requireUsable(vector, model: model)
        return try connection.transaction { conn in
            var plan = SearchPlan(model: model, params: params, vector: vector, queryText: "", restrictTo: nil)
            plan.excluding = excluding
            if case .user(let externalID) = params.userScope { plan.userRowID = try userRowID(externalID, on: conn) }
            try disableIndexScans(on: conn)
            let rows = try conn.query(exactTopIDsStatement(plan, k: k)).rows
            return try rows.map { try $0.decode(0, as: Int.self) }
        }
    }

    /// Each artifact's best distance over its stored texts (as the ANN side keeps one row per artifact), best first.
    private func exactTopIDsStatement(_ plan: SearchPlan, k: Int) -> PostgresQuery {
        let q = PostgresParameter(queryVectorBind(plan))
        let model = PostgresParameter(plan.model.name)
        let expression: PostgresQuery = "e.embedding_vector\(sql: .vectorCast(plan.model))"
        let distance: PostgresQuery =
            "(\(expression) \(sql: .distanceOperator(plan.params.metric)) \(q))::float8"
        // The same parameters in both branches: shared PostgresParameters keep one placeholder each.
        var conditions = filters(plan)
        if let threshold = plan.params.similarityThreshold {
            conditions += " AND (\(expression) <=> \(q)) <= \(1 - threshold)::float8"
        }
        var branches: [PostgresQuery] = []
        let storedTypes = plan.params.contentTypes.filter { $0 != .chunk }.map(\.rawValue)
        if !storedTypes.isEmpty {
            branches.append(
                """
                SELECT e.artifact_id, \(distance) AS distance
                FROM artifact_embeddings e JOIN artifacts a ON a.id = e.artifact_id
                WHERE e.model_version = \(model) AND e.content_type = ANY(\(storedTypes)::text[])\(conditions)
                """ + embeddingsUserFilter(plan))
        }
        if plan.params.contentTypes.contains(.chunk) {
            branches.append(
                """
                SELECT c.artifact_id, \(distance) AS distance
                FROM chunk_embeddings e JOIN artifact_chunks c ON c.id = e.artifact_chunk_id
                JOIN artifacts a ON a.id = c.artifact_id
                WHERE e.model_version = \(model)\(conditions)
                """)
        }
        let union = branches.joined(separator: "\nUNION ALL\n")
        return """
            SELECT t.artifact_id FROM (\(union)) t
            GROUP BY t.artifact_id ORDER BY min(t.distance), t.artifact_id LIMIT \(k)::int8
            """
    }

    /// Index scans off for the rest of the transaction, so every distance is computed.
    private func disableIndexScans(on conn: Connection) throws {
        // plan_cache_mode: an approximate pass before this one may have ended in generic-plan mode (see `scores`).
        try conn.execute(
            """
            SELECT set_config('enable_seqscan', 'on', true), set_config('enable_sort', 'on', true),
                   set_config('enable_indexscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
                   set_config('enable_indexonlyscan', 'off', true), set_config('plan_cache_mode', 'auto', true)
            """)
    }

    /// Runs `plan` with index scans switched off for the rest of the transaction.
    private func executeExactly(_ plan: SearchPlan, on conn: Connection) throws -> SearchResponse {
        try disableIndexScans(on: conn)
        var exactPlan = plan
        exactPlan.params.explain = false
        // A pinned index would turn index scans back on inside its savepoint, and the "exact" answer would be the
        // index's own: recall 1.00 at any ef_search or probes.
        exactPlan.params.plan = .exact
        return try execute(exactPlan, on: conn)
    }
}
