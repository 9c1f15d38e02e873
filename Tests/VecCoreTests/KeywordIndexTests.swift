import Foundation
import TestSupport
import Testing

@testable import VecCore

/// The in-memory keyword index gives the answers the search statement gives (candidates, scores, matched terms and
/// their contributions), follows writes to artifacts, and costs a new text one round trip more, not a corpus scan.
@Suite(.serialized) struct KeywordIndexTests {
    /// The statement that scores every row matching the words (the keyword candidates' BM25 scan).
    static let corpusScan = "WHERE a.search @@ q.query"

    /// The same search by an engine that scores keywords in SQL and by one that keeps the index: same artifacts in
    /// the same order, same keyword scores (to rounding: sums in another order), same terms and contributions.
    private func expectSameAnswers(_ inMemory: SearchResponse, _ inSQL: SearchResponse, _ context: String) {
        #expect(inMemory.results.map(\.externalID) == inSQL.results.map(\.externalID), "\(context)")
        #expect(inMemory.info.totalCandidates == inSQL.info.totalCandidates, "\(context)")
        for (a, b) in zip(inMemory.results, inSQL.results) {
            #expect(
                abs((a.keywordScore ?? 0) - (b.keywordScore ?? 0)) <= 1e-9 * max(1, b.keywordScore ?? 0), "\(context)")
            #expect(a.keywordRank == b.keywordRank, "\(context) \(a.externalID)")
            #expect(a.matchedTerms == b.matchedTerms, "\(context) \(a.externalID)")
            #expect(a.keywordTerms.map(\.term) == b.keywordTerms.map(\.term), "\(context) \(a.externalID)")
            for (x, y) in zip(a.keywordTerms, b.keywordTerms) {
                #expect(abs(x.contribution - y.contribution) <= 1e-9 * max(1, y.contribution), "\(context)")
            }
        }
    }

    /// Variants of the knobs and filters the candidates depend on: the defaults, one user, one type, few
    /// selecting terms, other BM25 weights.
    private static func variants(_ base: SearchParams, user: String?) -> [(String, SearchParams)] {
        var variants = [("defaults", base)]
        if let user {
            var scoped = base
            scoped.userScope = .user(user)
            variants.append(("user \(user)", scoped))
        }
        var typed = base
        typed.artifactTypes = [.project, .workExperience]
        variants.append(("types", typed))
        var rare = base
        rare.bm25.candidatePostings = 5
        variants.append(("candidate postings 5", rare))
        var weighted = base
        weighted.bm25.k1 = 0.9
        weighted.bm25.b = 0.4
        weighted.bm25.titleWeight = 3
        weighted.bm25.maxTerms = 6
        variants.append(("other BM25 knobs", weighted))
        return variants
    }

    /// A fresh database holding `data`, and an engine on it that keeps the keyword index.
    private static func generated(_ data: SyntheticData) throws -> (Connection, String, SearchEngine) {
        let (scratch, url) = try TestDatabase.fresh()
        _ = try SyntheticDataLoader(connection: scratch).load(data)
        let engine = SearchEngine(connection: try Connection(url))
        engine.keywordIndexes = KeywordIndexStore()
        return (scratch, url, engine)
    }

    @Test(arguments: [RankingMethod.keyword, .hybrid])
    func theIndexAnswersAsTheStatementDoesOnTheFixtures(method: RankingMethod) throws {
        let (indexed, connection) = try FixtureDatabase.engine()
        indexed.keywordIndexes = KeywordIndexStore()
        let (plain, _) = try FixtureDatabase.engine()
        let jobs = try JobCatalog.load(from: FixturePaths.folder).jobs.prefix(6)
        var base = SearchParams()
        base.method = method
        for job in jobs {
            for (name, params) in Self.variants(base, user: "u04") {
                let sent = connection.statementsSent
                let inMemory = try indexed.search(text: job.text, params: params)
                let statements = connection.recentStatements.suffix(connection.statementsSent - sent)
                #expect(!statements.contains { $0.contains(Self.corpusScan) }, "\(job.id) \(name): scored in SQL")
                let inSQL = try plain.search(text: job.text, params: params)
                #expect(!inSQL.results.isEmpty)
                expectSameAnswers(inMemory, inSQL, "\(job.id) \(method) \(name)")
            }
        }
        #expect(indexed.keywordIndexSummary?.artifacts ?? 0 > 0)
    }

    /// Generated data: every common word is in many rows, so candidates are cut by the postings budget and ties
    /// in score are frequent (ties go by id in both).
    @Test func theIndexAnswersAsTheStatementDoesOnGeneratedData() throws {
        let data = SyntheticData(users: 4, artifacts: 600, dimensions: 8)
        let (scratch, url, indexed) = try Self.generated(data)
        let plain = SearchEngine(connection: try Connection(url))
        let titles = try scratch.query("SELECT title FROM artifacts ORDER BY id LIMIT 12").rows.map {
            try $0.decode("title", as: String.self)
        }
        var base = SearchParams()
        base.model = data.modelName
        for method in [RankingMethod.keyword, .hybrid] {
            base.method = method
            for (index, title) in titles.enumerated() {
                let text = title + " " + titles[(index + 5) % titles.count] + " platform engineering"
                let query = SearchEngine.Query.textWithVector(text, [1, 0.5, 0, Float(index), 0.25, 0, 0, 0.1])
                for (name, params) in Self.variants(base, user: nil) {
                    expectSameAnswers(
                        try indexed.search(query, params: params), try plain.search(query, params: params),
                        "\(method) \(name) \(text)")
                }
            }
        }
    }

    /// A new text costs the terms' round trip and the search's; the same text again with another knob, one.
    @Test func aNewTextIsTwoRoundTripsAndNoCorpusScan() throws {
        let (engine, connection) = try FixtureDatabase.engine()
        engine.keywordIndexes = KeywordIndexStore()
        var params = SearchParams()
        params.method = .hybrid
        let warmUpSent = connection.statementsSent
        _ = try engine.search(text: "warm-up: reads the index", params: params)
        let warmUp = connection.recentStatements.suffix(connection.statementsSent - warmUpSent)
        #expect(warmUp.contains { $0.hasPrefix("PREPARE ") && $0.contains("bm25_stats") }, "the terms, prepared")
        #expect(warmUp.contains { $0.hasPrefix("PREPARE ") && $0.contains("w.word") }, "the words, prepared")
        let text = "Kafka streaming for a payments ledger in PostgreSQL, on call for the ledger's SLOs"
        var semantic = params
        semantic.method = .semantic
        _ = try engine.search(text: text, params: semantic)  // embeds the text: not what is counted here
        var trips = connection.roundTrips
        let sent = connection.statementsSent
        _ = try engine.search(text: text, params: params)
        let statements = connection.recentStatements.suffix(connection.statementsSent - sent)
        #expect(connection.roundTrips - trips == 2, "\(statements)")
        #expect(!statements.contains { $0.hasPrefix("PREPARE ") }, "prepared by the first text, not again")
        #expect(!statements.contains { $0.contains(Self.corpusScan) })
        #expect(statements.last?.contains("to_tsvector") == false, "the terms are values, not parsed again")
        params.efSearch = 64
        trips = connection.roundTrips
        _ = try engine.search(text: text, params: params)
        #expect(connection.roundTrips - trips == 1)
    }

    /// A warmed engine (serve's pool) has read the index: no request waits for it.
    @Test func warmingUpReadsTheIndex() throws {
        let (engine, _) = try FixtureDatabase.engine()
        try engine.warmUp(model: SearchParams.defaultModel)
        #expect(engine.keywordIndexSummary == nil, "off unless asked for")
        engine.keywordIndexes = KeywordIndexStore()
        try engine.warmUp(model: SearchParams.defaultModel)
        #expect(engine.keywordIndexSummary?.artifacts ?? 0 > 0)
    }

    /// Engines that share a store (serve's pool, the TUI's lanes) read the index once and search it at the same
    /// time, each answering as the statement does.
    @Test func enginesSharingAStoreReadTheIndexOnceAndSearchItTogether() throws {
        let store = KeywordIndexStore()
        let params = {
            var params = SearchParams(); params.method = .keyword; return params
        }()
        let texts = try JobCatalog.load(from: FixturePaths.folder).jobs.prefix(4).map(\.text)
        let (plain, _) = try FixtureDatabase.engine()
        let expected = try texts.map { try plain.search(text: $0, params: params).results.map(\.externalID) }
        let answers = SharedIndexAnswers()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            do {
                let (engine, _) = try FixtureDatabase.engine()
                engine.keywordIndexes = store
                let ranked = try texts.map { try engine.search(text: $0, params: params).results.map(\.externalID) }
                answers.record(ranked, index: engine.keywordIndex.map(ObjectIdentifier.init))
            } catch {
                answers.fail("\(error)")
            }
        }
        #expect(answers.failures.isEmpty, "\(answers.failures)")
        #expect(answers.rankings == [expected, expected])
        #expect(answers.indexes.count == 1 && !answers.indexes.contains(nil), "one index read for both engines")
    }

    /// A write to artifacts outdates the index: searches score in SQL until it may be read again, then read it
    /// again; the new row is found either way.
    @Test func aWriteOutdatesTheIndexAndItIsReadAgain() throws {
        let data = SyntheticData(users: 3, artifacts: 120, dimensions: 8)
        let (scratch, url, engine) = try Self.generated(data)
        engine.keywordIndexReloadInterval = 3_600
        let connection = engine.connection
        var params = SearchParams()
        params.model = data.modelName
        params.method = .hybrid
        let query = SearchEngine.Query.textWithVector("zymurgy brewing", [1, 0.5, 0, 0, 0.25, 0, 0, 0.1])
        let before = try engine.search(query, params: params)
        #expect(!before.results.contains { $0.externalID == "a-brewer" })
        let version = try #require(engine.keywordIndex?.version)

        try scratch.executeScript(
            """
            UPDATE artifacts SET external_id = 'a-brewer', description = 'zymurgy zymurgy zymurgy'
            WHERE id = (SELECT max(id) FROM artifacts)
            """)
        var sent = connection.statementsSent
        params.efSearch = 50
        let outdated = try engine.search(query, params: params)
        var statements = connection.recentStatements.suffix(connection.statementsSent - sent)
        #expect(statements.contains { $0.contains(Self.corpusScan) }, "read too recently: scored in SQL")
        #expect(outdated.results.contains { $0.externalID == "a-brewer" })
        #expect(engine.keywordIndex?.version == version)

        engine.keywordIndexReloadInterval = 0
        engine.forgetKeptWords()
        sent = connection.statementsSent
        let reread = try engine.search(query, params: params)
        statements = connection.recentStatements.suffix(connection.statementsSent - sent)
        #expect(!statements.contains { $0.contains(Self.corpusScan) })
        #expect(engine.keywordIndex?.version != version)
        #expect(reread.results.contains { $0.externalID == "a-brewer" })
        let expected = try SearchEngine(connection: try Connection(url)).search(query, params: params)
        expectSameAnswers(reread, expected, "after the write")
    }
}

/// What each engine of `enginesSharingAStoreReadTheIndexOnceAndSearchItTogether` found, and which index it used.
private final class SharedIndexAnswers: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var rankings: [[[String]]] = []
    private(set) var indexes: Set<ObjectIdentifier?> = []
    private(set) var failures: [String] = []

    func record(_ ranked: [[String]], index: ObjectIdentifier?) {
        lock.lock()
        defer { lock.unlock() }
        rankings.append(ranked)
        indexes.insert(index)
    }

    func fail(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        failures.append(message)
    }
}
