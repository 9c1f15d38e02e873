import Foundation

/// The same search answered twice inside one transaction: as the planner chooses (the ANN index when one serves
/// it), then exactly with index scans disabled (DESIGN.md §5), so both see the same snapshot and filters.
struct GroundTruthAnswer {
    var ann: SearchResponse
    var exact: SearchResponse
    /// Client wall time of the ANN execution alone (inside the transaction, embedding excluded), in ms.
    var annWallMs: Double
}

extension SearchEngine {
    /// - Parameter forceIndexScan: disables sequential scans for the ANN half, so a small table still goes
    ///   through its vector index (the planner prefers a seq scan below a few thousand rows).
    func answerWithGroundTruth(_ query: Query, params: SearchParams, forceIndexScan: Bool = false) throws -> GroundTruthAnswer {
        try Self.checkRecallApplies(params)
        let model = try model(named: params.model)
        let (vector, _, _) = try queryVector(query, model: model)
        let queryText: String = if case .text(let text) = query { text } else { "" }
        return try connection.transaction { conn -> GroundTruthAnswer in
            try applySettings(params, on: conn)
            let plan = SearchPlan(model: model, params: params, vector: vector, queryText: queryText, restrictTo: nil)
            if forceIndexScan {
                // Without seq scans and sorts, only the vector index can produce the ORDER BY … LIMIT.
                try conn.execute("SELECT set_config('enable_seqscan', 'off', true), set_config('enable_sort', 'off', true)")
            }
            let started = DispatchTime.now()
            var ann = try execute(plan, on: conn)
            let annMs = Self.milliseconds(since: started)
            ann.info.clientWallMs = annMs
            let exact = try executeExactly(plan, on: conn)
            return GroundTruthAnswer(ann: ann, exact: exact, annWallMs: annMs)
        }
    }

    /// The exact answer alone, for a caller that already holds the approximate one (the TUI's shown results).
    public func groundTruth(_ query: Query, params: SearchParams) throws -> SearchResponse {
        try Self.checkRecallApplies(params)
        let model = try model(named: params.model)
        let (vector, _, _) = try queryVector(query, model: model)
        let queryText: String = if case .text(let text) = query { text } else { "" }
        return try connection.transaction { conn in
            try applySettings(params, on: conn)
            return try executeExactly(SearchPlan(model: model, params: params, vector: vector, queryText: queryText,
                                                 restrictTo: nil), on: conn)
        }
    }

    /// Valid parameters for a semantic search: only there is an approximate index to measure against exact search.
    private static func checkRecallApplies(_ params: SearchParams) throws {
        try params.validate()
        guard params.method == .semantic else {
            throw VecscopeError(what: "recall is measured for semantic search only",
                                why: "keyword and hybrid rankings have no approximate index to compare against",
                                fix: "Use --method semantic.")
        }
    }

    /// Runs `plan` with index scans switched off for the rest of the transaction, so every distance is computed.
    private func executeExactly(_ plan: SearchPlan, on conn: Connection) throws -> SearchResponse {
        // plan_cache_mode: the approximate pass before this one ended in generic-plan mode (see `scores`).
        try conn.execute("""
            SELECT set_config('enable_seqscan', 'on', true), set_config('enable_sort', 'on', true),
                   set_config('enable_indexscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
                   set_config('enable_indexonlyscan', 'off', true), set_config('plan_cache_mode', 'auto', true)
            """)
        var exactPlan = plan
        exactPlan.params.explain = false
        return try execute(exactPlan, on: conn)
    }
}
