import Foundation
import TestSupport
import Testing

@testable import VecCore

/// What moved out of the CLI (bench-suite query-path, demo's summary), against the fixture database.
@Suite struct QueryPathBenchmarkTests {
    @Test func measuresTheSearchPathsOwnANNStatement() throws {
        let url = try FixtureDatabase.connectionURL()
        let benchmark = QueryPathBenchmark(
            model: SearchParams.defaultModel, efSearch: 40, queries: 4, k: 5,
            connection: try Connection(url), connect: { try Connection(url) })
        let result = try benchmark.run()
        #expect(result.queries == 4 && result.k == 5 && result.efSearch == 40)
        // Stored vectors as queries over a small table: exact or nearly so.
        #expect(result.recallAtK > 0.5 && result.recallAtK <= 1 && result.recallMin <= result.recallAtK)
        for ms in [result.clientP50Ms, result.serverP50Ms, result.statementClientP50Ms, result.statementServerP50Ms] {
            #expect(ms > 0 && ms < 10_000)
        }
        #expect(result.clientP95Ms >= result.clientP50Ms && result.statementClientP95Ms >= result.statementClientP50Ms)
        #expect(!result.plan.isEmpty)

        // The statement timed is the one a semantic search sends for the same parameters.
        var params = SearchParams()
        params.method = .semantic
        params.efSearch = 40
        params.limit = 5
        let (engine, connection) = try FixtureDatabase.engine()
        let searched = try engine.annStatement(for: [Float](repeating: 0.1, count: 384), params: params, on: connection)
        #expect(result.statementSQL == searched.sql)
        // The model's partial index matchable, the limit in the text (a generic plan knows it too).
        #expect(
            searched.sql == """
                SELECT e.artifact_id, (e.embedding_vector::vector(384) <=> $1)::float8 AS distance, e.content_type
                FROM artifact_embeddings e
                WHERE e.model_version = 'all-MiniLM-L6-v2' AND e.content_type = ANY($2::text[]) \
                ORDER BY (e.embedding_vector::vector(384) <=> $1) LIMIT 5
                """)
        params.artifactTypes = [.project]
        params.similarityThreshold = 0.2
        let filtered = try engine.annStatement(for: [Float](repeating: 0.1, count: 384), params: params, on: connection)
        #expect(
            filtered.sql == """
                SELECT e.artifact_id, (e.embedding_vector::vector(384) <=> $1)::float8 AS distance, e.content_type
                FROM artifact_embeddings e JOIN artifacts a ON a.id = e.artifact_id
                WHERE e.model_version = 'all-MiniLM-L6-v2' AND e.content_type = ANY($2::text[]) \
                AND a.artifact_type = ANY($3::text[]) AND (e.embedding_vector::vector(384) <=> $1) <= $4::float8 \
                ORDER BY (e.embedding_vector::vector(384) <=> $1) LIMIT 5
                """)
        #expect(filtered.binds.count == 4)
    }

    @Test func encodesTheKeysBenchSuitePrints() throws {
        let result = QueryPathBenchmarkResult(
            recallAtK: 1, recallMin: 1, k: 10, efSearch: 40, queries: 2, clientP50Ms: 1, clientP95Ms: 2,
            serverP50Ms: 0.5, serverP95Ms: 1, overheadRatioP50: 2, meetsTarget: true, plan: "Seq Scan",
            statementClientP50Ms: 1, statementClientP95Ms: 1, statementServerP50Ms: 1, statementServerP95Ms: 1,
            statementOverheadRatioP50: 1, statementMeetsTarget: true, statementSQL: "SELECT 1")
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(result)) as? [String: Any]
        let keys = Set(object?.keys.map { $0 } ?? [])
        // The keys Tests/bench/run.sh reads, and the rest of what the command printed before.
        #expect(
            keys == [
                "recall_at_k", "recall_min", "k", "ef_search", "queries", "client_p50_ms", "client_p95_ms",
                "server_p50_ms", "server_p95_ms", "overhead_ratio_p50", "meets_target", "plan",
                "statement_client_p50_ms", "statement_client_p95_ms", "statement_server_p50_ms",
                "statement_server_p95_ms", "statement_overhead_ratio_p50", "statement_meets_target", "statement_sql",
            ])
    }
}

@Suite struct InventoryTests {
    @Test func countsArtifactsByTypeMostFirst() throws {
        let (_, connection) = try FixtureDatabase.engine()
        let inventory = Inventory(connection: connection)
        let counts = try inventory.artifactCountsByType()
        #expect(counts.map(\.count).reduce(0, +) == (try inventory.artifactCount()))
        #expect(counts.map(\.count) == counts.map(\.count).sorted(by: >))
        #expect(Set(counts.map(\.type)).isSubset(of: Set(ArtifactType.allCases.map(\.rawValue))))
        #expect(counts.count > 1)
    }

    @Test func reportsThePgvectorVersionOrNil() throws {
        let (_, connection) = try FixtureDatabase.engine()
        let version = try Inventory(connection: connection).pgvectorVersion()
        #expect(version.map { DatabaseTarget.compareVersions($0, "0.8.0") >= 0 } == true)
        let bare = try TestDatabase.fresh(migrate: false).connection
        #expect(try Inventory(connection: bare).pgvectorVersion() == nil)
    }
}
