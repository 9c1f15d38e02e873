import Foundation
import TestSupport
import Testing
import VecCore
import VecTUI

/// Reads on a streaming standby of a primary this suite owns (not the shared test server): `vecscope db standby`
/// makes it with pg_basebackup, searches with `--read-from standby` run on it with the primary's results, judgments
/// made meanwhile land on the primary, and with the standby stopped the search still answers, from the primary.
@Suite(.serialized) struct StandbyTests {
    let home: URL
    let primary: EmbeddedPostgres
    let primaryURL: String
    let cli = CommandLineTests()

    init() throws {
        home = try TestDatabase.scratchDirectory("standby")
        try FileManager.default.createSymbolicLink(
            at: home.appendingPathComponent("vendor"), withDestinationURL: VecscopeHome.resolve().vendor)
        primary = EmbeddedPostgres(home: VecscopeHome(root: home))
        primaryURL = try primary.start()
        let connection = try Connection(primaryURL)
        try Migrator(connection: connection).migrate()
        try FixtureDatabase.loadAndEmbed(on: connection)
    }

    /// `vecscope …` on this suite's home, with DATABASE_URL unset so the embedded primary and its standby are used.
    func vecscope(_ arguments: [String]) throws -> CommandLineTests.Run {
        try cli.vecscope(arguments, databaseURL: nil, environment: ["VECSCOPE_HOME": home.path])
    }

    func resultIDs(_ run: CommandLineTests.Run) throws -> [Int] {
        let results = try #require(try cli.json(run)["results"] as? [[String: Any]])
        return results.compactMap { $0["artifact_id"] as? Int }
    }

    @Test func searchesReadOnTheStandbyWithThePrimarysResultsAndFallBackWhenItStops() throws {
        let standby = StreamingStandby(primary: primary)
        defer {
            _ = try? standby.stop()
            _ = try? primary.stop()
        }
        let started = try vecscope(["db", "standby", "start"])
        try #require(started.status == 0, "\(started.stderr)")
        #expect(started.stderr.contains("base backup of 127.0.0.1:"))
        #expect(started.stdout.contains("started: postgresql://"))
        #expect(standby.server.status().running)

        // Replication lag, from both sides.
        let status = try cli.json(try vecscope(["db", "standby", "status", "--json"]))
        let replication = try #require(status["replication"] as? [String: Any])
        #expect(replication["state"] as? String == "streaming")
        #expect(replication["in_recovery"] as? Bool == true)
        #expect(replication["lag_bytes"] is Int)
        let dbStatus = try vecscope(["db", "status"])
        #expect(dbStatus.stdout.contains("standby replication  streaming, lag "))

        // Something written on the primary after the base backup reaches the standby.
        let primaryConnection = try Connection(primaryURL)
        try primaryConnection.execute(
            "UPDATE artifacts SET title = 'Replicated: ' || title WHERE external_id = 'a001'")
        #expect(try standby.waitUntilCaughtUp(timeout: 10))

        // The search runs on the standby, with the primary's results.
        let query = "postgres replication and query tuning"
        let onPrimary = try vecscope(["search", "--json", "--limit", "8", "--method", "hybrid", query])
        let onStandby = try vecscope(
            ["search", "--json", "--limit", "8", "--method", "hybrid", "--read-from", "standby", query])
        #expect(try resultIDs(onStandby) == resultIDs(onPrimary))
        #expect(try resultIDs(onPrimary).count == 8)
        #expect((try cli.json(onStandby)["query_info"] as? [String: Any])?["served_by"] as? String == "standby")
        #expect((try cli.json(onPrimary)["query_info"] as? [String: Any])?["served_by"] == nil)
        #expect(!onStandby.stderr.contains("warning"))
        let ranked = try vecscope(["rank", "--json", "--top-k", "5", "--read-from", "any", query])
        #expect((try cli.json(ranked)["processing_metadata"] as? [String: Any])?["served_by"] as? String == "standby")

        let target = DatabaseTarget(source: .embedded(primary))
        let read = try target.connectForReading(.standby)
        #expect(read.warning == nil)
        #expect(try read.connection.query("SELECT pg_is_in_recovery()").scalar(Bool.self) == true)
        #expect(
            try read.connection.query("SELECT title FROM artifacts WHERE external_id = 'a001'").scalar(String.self)?
                .hasPrefix("Replicated: ") == true)

        // bench reads there too: its transactions are counted on the standby, and no fallback is warned about.
        let standbyCommits: PostgresQuery = "SELECT sum(xact_commit)::int8 FROM pg_stat_database"
        let commitsBefore = try #require(try read.connection.query(standbyCommits).scalar(Int.self))
        let bench = try vecscope(
            [
                "bench", "--read-from", "standby", "--queries", "3", "--ef-search", "40", "--server-samples", "0",
                "--format", "json",
            ])
        #expect(bench.status == 0, "\(bench.stderr)")
        #expect(!bench.stderr.contains("warning"))
        #expect(try #require(try read.connection.query(standbyCommits).scalar(Int.self)) >= commitsBefore + 20)

        // A query never searched before is embedded on the standby and not cached (it cannot write), and says so;
        // searching it again on the same engine still works.
        let model = try FixtureDatabase.model()
        let engine = SearchEngine(connection: read.connection, makeEmbedder: { _ in model })
        let fresh = "standby-only query about vector index maintenance"
        let first = try engine.search(text: fresh, params: SearchParams())
        #expect(first.info.servedBy == .standby)
        #expect(first.info.embeddingCacheSkipped)
        #expect(
            try engine.search(text: fresh, params: SearchParams()).results.map(\.artifactID)
                == first.results.map(\.artifactID))
        #expect(
            try primaryConnection.query(
                "SELECT count(*) FROM job_embeddings WHERE job_description_hash = \(SHA256.hex(fresh))"
            ).scalar(Int.self) == 0)

        // The TUI's backend: searches on the standby, a grade made meanwhile on the primary.
        let backend = EngineBackend(
            connect: { try target.connectForReading(.standby).connection },
            connectPrimary: { try Connection(primaryURL) }, makeEmbedder: { _ in model })
        let tuiSearch = try backend.search(.a, text: query, params: SearchParams())
        #expect(tuiSearch.info.servedBy == .standby)
        // Recall of a search whose text the standby could not cache: measured (it stayed "…" in the TUI).
        let uncached = try backend.search(.a, text: fresh, params: SearchParams())
        let recall = try backend.measureRecall(
            text: fresh, params: SearchParams(), measuredIDs: uncached.results.map(\.artifactID))
        #expect(recall.recall == 1, "the fixtures are searched exactly (Seq Scan), so recall is 1")
        #expect(recall.exactIDs == uncached.results.map(\.artifactID))
        let graded = try #require(tuiSearch.results.first?.artifactID)
        try backend.saveJudgment(queryText: query, artifactID: graded, grade: 3)
        #expect(
            try primaryConnection.query(
                """
                SELECT grade FROM relevance_judgments
                WHERE query_hash = \(RelevanceJudgment.queryHash(query)) AND artifact_id = \(graded)
                """
            ).scalar(Int.self) == 3)
        #expect(try backend.judgments(for: query)[graded] == 3)

        // Standby stopped: the search still answers, from the primary, with a warning.
        let stopped = try vecscope(["db", "standby", "stop"])
        #expect(stopped.stdout.contains("stopped"))
        let fallback = try vecscope(
            ["search", "--json", "--limit", "8", "--method", "hybrid", "--read-from", "standby", query])
        #expect(try resultIDs(fallback) == resultIDs(onPrimary))
        #expect((try cli.json(fallback)["query_info"] as? [String: Any])?["served_by"] == nil)
        #expect(fallback.stderr.contains("warning: the embedded standby is stopped"))
        let afterStop = try target.connectForReading(.standby)
        #expect(afterStop.warning != nil)
        #expect(try afterStop.connection.query("SELECT pg_is_in_recovery()").scalar(Bool.self) == false)
        #expect(try vecscope(["db", "standby", "status"]).stdout.contains("stopped"))
    }
}
