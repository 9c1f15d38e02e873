import Foundation
import TestSupport
import Testing

@testable import VecCore

/// A small sweep over the fixtures on two connections, and the pure Pareto and chart helpers.
@Suite struct TuningSweepTests {
    @Test func sweepMeasuresEverySettingOnTwoConnections() throws {
        let (engine, connection) = try FixtureDatabase.engine()
        let rows = try connection.query(
            """
            SELECT artifact_id, embedding_vector FROM artifact_embeddings
            WHERE model_version = \(SearchParams.defaultModel) AND content_type = 'full' ORDER BY artifact_id LIMIT 6
            """
        ).rows
        var queries = try rows.map {
            SweepQuery(label: "artifact", vector: try $0.decode(1, as: Vector.self).values, excluding: try $0.decode(0))
        }
        let model = try engine.model(named: SearchParams.defaultModel)
        queries.append(
            SweepQuery(
                label: "text", vector: try engine.queryVector(.text("data engineering with Spark"), model: model).vector
            ))
        let url = try FixtureDatabase.connectionURL()
        let embedder = try FixtureDatabase.model()
        let sweep = Sweep(base: SearchParams(), k: 10, concurrency: 2, serverSamples: 2, forceIndexScan: true) {
            SearchEngine(connection: try Connection(url), makeEmbedder: { _ in embedder })
        }
        let result = try sweep.run(
            SweepSetting.grid(efSearch: [1, 200], probes: [1], iterativeScans: [.off]), queries: queries)
        #expect(result.count == 2)
        #expect(result.allSatisfy { $0.queries == 7 && $0.concurrency == 2 && $0.queriesPerSecond > 0 })
        // QPS is the ANN path's (2 workers each busy mean × 7 / 2), not the loop's, which also runs exact searches.
        #expect(
            result.allSatisfy { abs($0.queriesPerSecond - 2 * 1000 / $0.latency.mean) < 0.01 * $0.queriesPerSecond })
        #expect(result[1].recallMean == 1 && result[1].recallMin == 1)
        #expect(result[0].recallMean < result[1].recallMean)
        #expect(result[0].queriesShort > 0)
        #expect(result[1].serverLatency?.count == 2)
        #expect(result[1].plan?.contains("ae_hnsw") == true)
        #expect(result.contains { $0.onParetoFront })
    }

    private func row(_ recall: Double, _ p95: Double) -> SweepRow {
        var latency = LatencyStats(samples: [p95])
        latency.p95 = p95
        return SweepRow(
            setting: SweepSetting(), queries: 1, recallMean: recall, recallMin: recall, latency: latency,
            serverLatency: nil, queriesPerSecond: 1, concurrency: 1, meanShortfall: 0, queriesShort: 0, plan: nil)
    }

    @Test func paretoFrontKeepsRowsNothingBeatsOnBothAxes() {
        let marked = Sweep.markingParetoFront([row(0.8, 1), row(0.9, 2), row(0.85, 3), row(1.0, 5), row(1.0, 6)])
        #expect(marked.map(\.onParetoFront) == [true, true, false, true, false])
    }

    @Test func chartPlacesEachRowByRecallAndLatency() {
        let lines = RecallChart.render([row(0.5, 1), row(1.0, 3)], width: 10, height: 5)
        #expect(lines.count == 7)
        #expect(lines[0] == "1.000 |         2")
        #expect(lines[4] == "0.500 |1         ")
        #expect(RecallChart.render([], width: 10, height: 5).isEmpty)
        #expect(RecallChart.render([row(1, 1)], width: 1, height: 1).isEmpty)
    }
}

/// Queries scoped to one user each (`vecscope bench --user-scoped`).
@Suite struct UserScopedSweepTests {
    @Test func storedSampleScopesEachVectorToItsOwner() throws {
        let (_, connection) = try FixtureDatabase.engine()
        let sample = try SweepQuery.storedSample(
            connection, model: SearchParams.defaultModel, count: 8, userScoped: true)
        #expect(sample.count == 8)
        for query in sample {
            let id = try #require(query.excluding)
            let owner: String = try connection.query(
                """
                SELECT u.external_id FROM artifacts a JOIN users u ON u.id = a.user_id WHERE a.id = \(id)
                """
            ).rows[0].decode(0)
            #expect(query.userID == owner)
        }
        #expect(
            try SweepQuery.storedSample(connection, model: SearchParams.defaultModel, count: 3).allSatisfy {
                $0.userID == nil
            })
    }

    @Test func textQueriesGoToTheLargestCollectionsRoundRobin() throws {
        let (_, connection) = try FixtureDatabase.engine()
        let queries =
            (0..<3).map { SweepQuery(label: "q\($0)", vector: [0]) } + [
                SweepQuery(label: "kept", vector: [0], userID: "u05")
            ]
        let scoped = try SweepQuery.scopingUnscoped(queries, connection: connection, model: SearchParams.defaultModel)
        #expect(scoped[3].userID == "u05")
        let users = scoped.prefix(3).compactMap(\.userID)
        #expect(users.count == 3 && Set(users).count == 3)
        #expect(scoped[0].label.hasSuffix(" in \(users[0])"))
    }
}
