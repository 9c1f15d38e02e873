import Foundation
import TestSupport
import Testing

@testable import VecCore

/// What one search costs on the wire: one round trip, no EXPLAIN unless the plan is asked for (and then once per
/// statement shape and knob values), and a recall measurement that sends the IDs-only exact statement only.
/// Serialized: these tests block a thread on the database, and the full suite's async API tests time out when every
/// cooperative thread of a 2-core machine is held by such tests at once.
@Suite(.serialized) struct SearchRoundTripTests {
    let engine: SearchEngine
    let connection: Connection

    init() throws {
        (engine, connection) = try FixtureDatabase.engine()
    }

    /// The statements `body` sent on the engine's connection, and the round trips it took.
    private func traffic(_ body: () throws -> Void) rethrows -> (roundTrips: Int, statements: [String]) {
        let trips = connection.roundTrips
        let sent = connection.statementsSent
        try body()
        let count = connection.statementsSent - sent
        return (connection.roundTrips - trips, Array(connection.recentStatements.suffix(count)))
    }

    @Test(arguments: [RankingMethod.semantic, .keyword, .hybrid])
    func aSearchIsOneRoundTrip(method: RankingMethod) throws {
        var params = SearchParams()
        params.method = method
        params.userScope = .user("u04")
        params.contentTypes = [.full, .summary]
        let text = "Kubernetes platform engineering with Terraform on AWS"
        // The first search embeds the text and looks the user up; those are kept for the searches after it.
        let first = try engine.search(text: text, params: params)
        var response: SearchResponse?
        let again = try traffic { response = try engine.search(text: text, params: params) }
        #expect(again.roundTrips == 1, "statements: \(again.statements)")
        #expect(!again.statements.contains { $0 == "BEGIN" || $0 == "COMMIT" }, "one implicit transaction")
        #expect(response?.results.map(\.externalID) == first.results.map(\.externalID))
        #expect(response?.info.embeddingCached == true)
        // A knob changed, as in the TUI: still one round trip, and the knob is in force.
        params.efSearch = 80
        params.limit = 5
        let changed = try traffic { response = try engine.search(text: text, params: params) }
        #expect(changed.roundTrips == 1)
        #expect(response?.results.count == 5)
        #expect(response?.results.allSatisfy { $0.userExternalID == "u04" } == true)
        #expect(response?.info.serverExecutionMs.map { $0 > 0 } == true)
    }

    @Test func aRawVectorSearchIsOneRoundTripFromTheFirst() throws {
        let vector = try FixtureDatabase.model().embed(["robotics firmware"])[0]
        _ = try engine.search(.vector(vector), params: SearchParams())  // the candidate count, cached after
        let other = try FixtureDatabase.model().embed(["payments ledger"])[0]
        let sent = try traffic { _ = try engine.search(.vector(other), params: SearchParams()) }
        #expect(sent.roundTrips == 1)
        #expect(sent.statements.count == 2, "the knobs and the search statement: \(sent.statements)")
    }

    /// An unfiltered semantic search statement is prepared once per connection and knob combination and runs on its
    /// generic plan (planned once, as `pgbench -M prepared` runs its statement, but under the knobs it names); a
    /// user-scoped one is never prepared: its custom plan reads the user's collection size. The knobs and the cached
    /// user's check, the same text every search, are prepared once.
    @Test func anUnfilteredSearchStatementIsPreparedOnce() throws {
        let model = try FixtureDatabase.model()
        let vectors = try model.embed(["robotics firmware", "payments ledger", "design systems"])
        var params = SearchParams()
        let isPrepare: (String) -> Bool = { $0.hasPrefix("PREPARE ") && $0.contains("ann_stored") }
        let isKnobsPrepare: (String) -> Bool = { $0.hasPrefix("PREPARE SELECT set_config('hnsw.ef_search'") }
        let first = try traffic { _ = try engine.search(.vector(vectors[0]), params: params) }
        #expect(first.statements.filter(isPrepare).count == 1, "\(first.statements)")
        #expect(first.statements.filter(isKnobsPrepare).count == 1, "\(first.statements)")
        let again = try traffic { _ = try engine.search(.vector(vectors[1]), params: params) }
        #expect(!again.statements.contains { $0.hasPrefix("PREPARE ") } && again.roundTrips == 1)
        #expect(again.statements.count == 2, "the prepared knobs and the prepared search statement")
        let plans = try connection.query(
            """
            SELECT generic_plans, custom_plans FROM pg_prepared_statements
            WHERE statement LIKE '%planned under ef_search 40,%ann_stored%'
            """)
        #expect(try plans.row(0).decode("generic_plans", as: Int.self) == 2)
        #expect(try plans.row(0).decode("custom_plans", as: Int.self) == 0)
        params.efSearch = 77  // new knob values: a statement of its own, planned under them; the knobs' text is the same
        let second = try traffic { _ = try engine.search(.vector(vectors[1]), params: params) }
        #expect(second.statements.filter(isPrepare).count == 1 && second.roundTrips == 1, "\(second.statements)")
        #expect(second.statements.contains { $0.contains("planned under ef_search 77,") }, "\(second.statements)")
        #expect(second.statements.filter(isKnobsPrepare).isEmpty, "\(second.statements)")
        let efSearch = try connection.pipelinedTransaction([
            PipelineStatement(engine.settingsStatement(params), prepared: true),
            PipelineStatement("SELECT current_setting('hnsw.ef_search')"),
        ])[1]
        #expect(try efSearch.scalar(String.self) == "77")
        params.userScope = .user("u04")
        let scoped = try traffic {
            for vector in vectors { _ = try engine.search(.vector(vector), params: params) }
        }
        #expect(!scoped.statements.contains(where: isPrepare), "\(scoped.statements)")
        let userChecks = scoped.statements.filter { $0.hasPrefix("PREPARE SELECT id FROM users") }
        #expect(userChecks.count == 1, "\(scoped.statements)")
    }

    /// A warmed connection has its search statement prepared and its generic plan made: the first search a caller
    /// sends is one round trip on that plan.
    @Test func aWarmedConnectionSearchesOnTheGenericPlan() throws {
        try engine.warmUp(model: SearchParams.defaultModel)
        let vector = try FixtureDatabase.model().embed(["kotlin android app"])[0]
        let sent = try traffic { _ = try engine.search(.vector(vector), params: SearchParams()) }
        #expect(sent.roundTrips == 1 && !sent.statements.contains { $0.hasPrefix("PREPARE ") }, "\(sent.statements)")
        let plans = try connection.query(
            "SELECT generic_plans FROM pg_prepared_statements WHERE statement LIKE '%ann_stored%'")
        #expect(try plans.scalar(Int.self).map { $0 >= 1 } == true)
    }

    /// A user removed and loaded again gets a new row id: the cached one is checked in the same round trip and
    /// replaced, so the search still finds that user's artifacts.
    @Test func aCachedUserIDIsCheckedEverySearch() throws {
        let data = SyntheticData(users: 5, artifacts: 200, dimensions: 8)
        let (scratch, url) = try TestDatabase.fresh()
        _ = try SyntheticDataLoader(connection: scratch).load(data)
        let engine = SearchEngine(connection: try Connection(url))
        var params = SearchParams()
        params.model = data.modelName
        params.userScope = .user(SyntheticData.userPrefix + "0")
        let vector: [Float] = [1, 0.5, 0, 0, 0.25, 0, 0, 0.1]
        let before = try engine.search(.vector(vector), params: params)
        #expect(!before.results.isEmpty)
        // Give the user a new row id (as removing and loading it again would), its artifacts following it.
        try scratch.executeScript(
            """
            ALTER TABLE artifacts DROP CONSTRAINT artifacts_user_id_fkey;
            UPDATE artifacts SET user_id = user_id + 100000 WHERE user_id = (SELECT id FROM users WHERE external_id = 'synthetic-u0');
            UPDATE users SET id = id + 100000 WHERE external_id = 'synthetic-u0'
            """)
        let after = try engine.search(.vector(vector), params: params)
        #expect(after.results.map(\.externalID) == before.results.map(\.externalID))
    }

    @Test(arguments: [RankingMethod.semantic, .keyword, .hybrid])
    func noExplainRunsUnlessThePlanIsAskedFor(method: RankingMethod) throws {
        var params = SearchParams()
        params.method = method
        let text = "Kafka PostgreSQL payments ledger"
        var response: SearchResponse?
        let plain = try traffic { response = try engine.search(text: text, params: params) }
        #expect(!plain.statements.contains { $0.contains("EXPLAIN") }, "\(plain.statements)")
        #expect(response?.info.plan == nil && response?.info.planMeasuredAt == nil)
        #expect(response?.info.serverExecutionMs.map { $0 > 0 } == true, "the search statement's own time")

        // Asked for: one EXPLAIN without ANALYZE (the planner's choice, not a second execution) in the same trip.
        params.explain = true
        let asked = try traffic { response = try engine.search(text: text, params: params) }
        let explains = asked.statements.filter { $0.contains("EXPLAIN") }
        #expect(explains.count == 1 && asked.roundTrips == 1)
        #expect(explains.allSatisfy { $0.hasPrefix("EXPLAIN (FORMAT JSON)") && !$0.contains("ANALYZE") })
        #expect(response?.info.plan != nil)
        let measuredAt = try #require(response?.info.planMeasuredAt)

        // The same shape and knobs: the cached plan, with when it was measured; a knob changed: asked again.
        let repeated = try traffic { response = try engine.search(text: text, params: params) }
        #expect(!repeated.statements.contains { $0.contains("EXPLAIN") })
        #expect(response?.info.planMeasuredAt == measuredAt)
        params.limit = 7
        let changed = try traffic { response = try engine.search(text: text, params: params) }
        #expect(changed.statements.filter { $0.contains("EXPLAIN") }.count == 1)
        #expect(response?.info.planMeasuredAt.map { $0 > measuredAt } == true)
    }

    /// The statement that scores every row matching the words (the keyword candidates' BM25 scan).
    private static let corpusScan = "WHERE a.search @@ q.query"

    /// A knob that does not touch keywords (ef_search, fusion) re-uses the keyword candidates: the corpus is not
    /// scored again, still one round trip, and the answer is the one a fresh engine gives. A BM25 knob scores anew.
    @Test(arguments: [RankingMethod.keyword, .hybrid])
    func aKnobChangeThatLeavesKeywordsAloneDoesNotScoreTheCorpusAgain(method: RankingMethod) throws {
        var params = SearchParams()
        params.method = method
        let text = "Kafka streaming for a payments ledger in PostgreSQL"
        let first = try traffic { _ = try engine.search(text: text, params: params) }
        #expect(first.statements.contains { $0.contains(Self.corpusScan) })
        params.efSearch = 73
        params.fusion = .weighted(alpha: 0.4)
        var response: SearchResponse?
        let changed = try traffic { response = try engine.search(text: text, params: params) }
        #expect(changed.roundTrips == 1)
        #expect(!changed.statements.contains { $0.contains(Self.corpusScan) }, "\(changed.statements)")
        let (fresh, _) = try FixtureDatabase.engine()
        let expected = try fresh.search(text: text, params: params)
        #expect(response?.results.map(\.externalID) == expected.results.map(\.externalID))
        #expect(response?.results.map(\.keywordScore) == expected.results.map(\.keywordScore))
        #expect(response?.results.map(\.matchedTerms) == expected.results.map(\.matchedTerms))
        params.bm25.k1 = 1.6
        let bm25Changed = try traffic { _ = try engine.search(text: text, params: params) }
        #expect(bm25Changed.statements.contains { $0.contains(Self.corpusScan) })
    }

    /// Any write to artifacts (here one that makes an artifact the best keyword match) changes the corpus
    /// statistics' version: the kept candidates are dropped and the words scored afresh, with the new row ranked.
    @Test func aWriteToArtifactsForgetsKeptKeywordCandidates() throws {
        let data = SyntheticData(users: 3, artifacts: 120, dimensions: 8)
        let (scratch, url) = try TestDatabase.fresh()
        _ = try SyntheticDataLoader(connection: scratch).load(data)
        let engine = SearchEngine(connection: try Connection(url))
        let connection = engine.connection
        var params = SearchParams()
        params.model = data.modelName
        params.method = .hybrid
        let title = try #require(
            try scratch.query("SELECT title FROM artifacts ORDER BY id LIMIT 1").scalar(String.self))
        let query = SearchEngine.Query.textWithVector(title + " zymurgy", [1, 0.5, 0, 0, 0.25, 0, 0, 0.1])
        let before = try engine.search(query, params: params)
        #expect(!before.results.contains { $0.externalID == "a-brewer" })
        params.efSearch = 50
        var trips = connection.roundTrips
        _ = try engine.search(query, params: params)
        #expect(connection.roundTrips - trips == 1)
        #expect(!connection.recentStatements.suffix(3).contains { $0.contains(Self.corpusScan) })

        try scratch.executeScript(
            """
            UPDATE artifacts SET external_id = 'a-brewer', description = 'zymurgy zymurgy zymurgy'
            WHERE id = (SELECT max(id) FROM artifacts)
            """)
        trips = connection.roundTrips
        let sent = connection.statementsSent
        let after = try engine.search(query, params: params)
        let statements = connection.recentStatements.suffix(connection.statementsSent - sent)
        #expect(connection.roundTrips - trips == 2, "the kept candidates' check, then the search sent again")
        #expect(statements.filter { $0.contains(Self.corpusScan) }.count == 1)
        #expect(after.results.contains { $0.externalID == "a-brewer" })
        let expected = try SearchEngine(connection: try Connection(url)).search(query, params: params)
        #expect(after.results.map(\.externalID) == expected.results.map(\.externalID))
    }

    @Test(arguments: [RankingMethod.semantic, .hybrid])
    func recallSendsTheIDsOnlyExactStatementAndNoSearch(method: RankingMethod) throws {
        var params = SearchParams()
        params.method = method
        let text = "React accessibility design systems"
        let response = try engine.search(text: text, params: params)
        let measured = try traffic {
            _ = try engine.measureRecall(
                ofSearchFor: text, params: params, measuredIDs: response.info.semanticCandidateIDs)
        }
        let selects = measured.statements.filter { $0.contains("SELECT") && !$0.contains("set_config") }
        // The cached vector's read, then the exact top ids: nothing scored, no search statement, no EXPLAIN.
        #expect(selects.count == 2, "\(measured.statements)")
        #expect(selects.last?.hasPrefix("SELECT t.artifact_id FROM") == true)
        #expect(!measured.statements.contains { $0.contains("ann_stored") || $0.contains("EXPLAIN") })
        #expect(!measured.statements.contains { $0.contains("UPDATE") || $0.contains("INSERT") })
    }
}
