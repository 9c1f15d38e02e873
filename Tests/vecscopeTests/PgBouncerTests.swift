import Foundation
import TestSupport
import Testing
import VecCore

/// Issue 19, deliver 6: vecscope works through PgBouncer in transaction pooling mode — Debian's pgbouncer 1.18, which
/// keeps no prepared statements across transactions, so `VECSCOPE_PREPARED_STATEMENTS=off` (README) is set.
@Suite(.serialized) struct PgBouncerTests {
    let cli = CommandLineTests()
    let unprepared = ["VECSCOPE_PREPARED_STATEMENTS": "off"]

    /// Each result's id and scores, the part of a search that must not depend on the path to the server.
    private func results(_ object: [String: Any]) throws -> [[String]] {
        try #require(object["results"] as? [[String: Any]]).map { result in
            ["artifact_id", "similarity_score", "relevance_score", "keyword_score"].map { "\(result[$0] ?? "nil")" }
        }
    }

    @Test func searchesThroughPgBouncerInTransactionModeReturnTheSameResults() throws {
        let direct = try FixtureDatabase.connectionURL()
        let bouncer = try PgBouncer(inFrontOf: direct)
        defer { bouncer.stop() }
        for query in ["observability with Prometheus and Grafana", "distributed systems in Go, Kubernetes operators"] {
            for method in ["semantic", "keyword", "hybrid"] {
                let arguments = ["search", "--json", "--method", method, "--limit", "10", query]
                let expected = try results(try cli.json(try cli.vecscope(arguments, databaseURL: direct)))
                #expect(expected.count == 10)
                // Twice: the second run gets the query vector from the cache, through another transaction.
                for _ in 0..<2 {
                    let pooled = try cli.vecscope(arguments, databaseURL: bouncer.url, environment: unprepared)
                    #expect(try results(try cli.json(pooled)) == expected, "\(method): \(query)")
                }
            }
        }
        // Nothing of a session survives a transaction here, and vecscope's one session setting is re-applied.
        let connection = try Connection(bouncer.url, prepareStatements: false)
        try connection.execute("SET search_path = nowhere")
        for _ in 0..<3 {
            #expect(try connection.query("SELECT current_setting('TimeZone')").scalar(String.self) == "UTC")
            #expect(try connection.query("SELECT current_setting('search_path')").scalar(String.self) != "nowhere")
        }
    }

    @Test func withoutTheSettingAVanishedPreparedStatementSaysWhatToDo() throws {
        let direct = try FixtureDatabase.connectionURL()
        let bouncer = try PgBouncer(inFrontOf: direct)
        defer { bouncer.stop() }
        let connection = try Connection(bouncer.url, prepareStatements: true)
        let statement: PostgresQuery = "SELECT \(41) + 1"
        #expect(try connection.transaction { try $0.queryPrepared(statement).scalar(Int.self) } == 42)
        let error = #expect(throws: PostgresError.self) {
            try connection.transaction { try $0.queryPrepared(statement) }
        }
        #expect(error?.code == .invalidStatementName)
        #expect(error?.hint?.contains("VECSCOPE_PREPARED_STATEMENTS=off") == true)
    }
}
