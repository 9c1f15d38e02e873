import Foundation
import TestSupport
import Testing

@testable import VecCore

/// The plan parameter against the real PostgreSQL + pgvector: a pinned index is the one EXPLAIN shows whatever the
/// other index type's knob says, exact computes every distance, and a pin that cannot serve the search is refused.
@Suite struct PlanChoiceTests {
    /// 2,000 synthetic vectors with an HNSW and an IVFFlat index serving the same (cosine) operator.
    static func database() throws -> (SearchEngine, Connection, EmbeddingModel) {
        let (connection, url) = try TestDatabase.fresh()
        let data = SyntheticData(users: 10, artifacts: 2_000, dimensions: 16, seed: 11, clusters: 8, batchSize: 512)
        _ = try SyntheticDataLoader(connection: connection).load(data)
        let manager = IndexManager(connection: connection)
        _ = try manager.create(VectorIndexSpec(model: data.model, type: .hnsw, metric: .cosine), monitor: nil)
        _ = try manager.create(
            VectorIndexSpec(model: data.model, type: .ivfflat, metric: .cosine, lists: 20), monitor: nil)
        return (SearchEngine(connection: try Connection(url)), connection, data.model)
    }

    static func params(_ model: EmbeddingModel, _ configure: (inout SearchParams) -> Void) -> SearchParams {
        var params = SearchParams()
        params.model = model.name
        params.explain = true
        configure(&params)
        return params
    }

    static func queryVector(_ connection: Connection, model: EmbeddingModel) throws -> [Float] {
        let stored = try connection.query(
            "SELECT embedding_vector::text FROM artifact_embeddings WHERE model_version = \(model.name) LIMIT 1"
        ).scalar(String.self)
        let values = try #require(stored).dropFirst().dropLast().split(separator: ",").compactMap { Float($0) }
        // A little off the stored vector, so the query is not one of the rows.
        return values.enumerated().map { $0.element + ($0.offset % 2 == 0 ? 0.05 : -0.05) }
    }

    @Test func aPinnedIndexRunsWhateverTheOtherTypesKnobSays() throws {
        let (engine, connection, model) = try Self.database()
        let vector = try Self.queryVector(connection, model: model)
        let indexes = try engine.plannableIndexes(model: model.name)
        #expect(indexes.map(\.type) == [.hnsw, .ivfflat])
        let hnsw = indexes[0].name, ivfflat = indexes[1].name
        for probes in [1, 20] {
            for ef in [1, 40, 400] {
                let pinnedHNSW = try engine.search(
                    .vector(vector),
                    params: Self.params(model) {
                        $0.plan = .index(hnsw); $0.efSearch = ef; $0.probes = probes
                    })
                #expect(pinnedHNSW.info.indexName == hnsw, "ef_search \(ef) probes \(probes)")
                let pinnedIVF = try engine.search(
                    .vector(vector),
                    params: Self.params(model) {
                        $0.plan = .index(ivfflat); $0.efSearch = ef; $0.probes = probes
                    })
                #expect(pinnedIVF.info.indexName == ivfflat, "ef_search \(ef) probes \(probes)")
            }
        }
        // Without EXPLAIN the pinned plan is still reported: it was checked before the statement ran.
        let quiet = try engine.search(
            .vector(vector),
            params: Self.params(model) {
                $0.plan = .index(hnsw); $0.explain = false
            })
        #expect(quiet.info.indexName == hnsw)
        // The settings end with the semantic statement: the next search on the connection is the planner's again.
        let auto = try engine.search(.vector(vector), params: Self.params(model) { $0.probes = 1 })
        #expect(auto.info.indexName != nil)
    }

    @Test func efSearchChangesAPinnedHNSWAnswerAndExactIsTheGroundTruth() throws {
        let (engine, connection, model) = try Self.database()
        let vector = try Self.queryVector(connection, model: model)
        let hnsw = try #require(try engine.plannableIndexes(model: model.name).first { $0.type == .hnsw }).name
        let narrow = try engine.search(
            .vector(vector),
            params: Self.params(model) {
                $0.plan = .index(hnsw); $0.efSearch = 1
            })
        let wide = try engine.search(
            .vector(vector),
            params: Self.params(model) {
                $0.plan = .index(hnsw); $0.efSearch = 40
            })
        #expect(narrow.results.count < wide.results.count)
        let exact = try engine.search(.vector(vector), params: Self.params(model) { $0.plan = .exact })
        #expect(exact.info.indexName == nil)
        #expect(exact.info.plan?.contains("Seq Scan") == true)
        let truth = try engine.exactTopIDs(vector: vector, params: Self.params(model) { _ in }, k: 10)
        #expect(exact.results.map(\.artifactID) == truth)
        #expect(Set(wide.results.map(\.artifactID)).intersection(truth).count >= 8)
    }

    @Test func aPinThatCannotServeTheSearchIsRefusedSayingWhy() throws {
        let (engine, connection, model) = try Self.database()
        let vector = try Self.queryVector(connection, model: model)
        let hnsw = try #require(try engine.plannableIndexes(model: model.name).first).name
        func failure(_ configure: (inout SearchParams) -> Void) -> String {
            do {
                _ = try engine.search(.vector(vector), params: Self.params(model, configure))
                return "no error"
            } catch {
                return ErrorReport(error).oneLine
            }
        }
        #expect(
            failure {
                $0.plan = .index(hnsw); $0.metric = .l2
            }.contains("serves cosine distance, the search uses L2"))
        #expect(failure { $0.plan = .index("ae_nothing_here") }.contains("no vector index ae_nothing_here"))
        #expect(
            failure {
                $0.plan = .index(hnsw); $0.contentTypes = [.chunk]
            }.contains("indexes artifact_embeddings only"))
        #expect(failure { $0.plan = .index("x; DROP TABLE users") }.contains("is not an index name"))
        #expect(try connection.query("SELECT count(*)::int8 FROM users").scalar(Int.self) == 10)
    }

    /// A pinned search is one round trip like any other, from its second search on (the first reads the index
    /// list): its settings and the EXPLAIN (no ANALYZE) that checks the pin ride in the same pipeline, the EXPLAIN on
    /// every pinned search; exact adds only its settings. A pin whose index was dropped since the list was read is
    /// refused, not answered from another path, and an index created since is found.
    @Test func aPinIsOneRoundTripWithItsCheckAndAStaleIndexListIsReadAgain() throws {
        let (engine, connection, model) = try Self.database()
        let vector = try Self.queryVector(connection, model: model)
        let conn = engine.connection
        func traffic(_ params: SearchParams) throws -> (trips: Int, statements: [String], info: QueryInfo) {
            let (trips, sent) = (conn.roundTrips, conn.statementsSent)
            let response = try engine.search(.vector(vector), params: params)
            let count = conn.statementsSent - sent
            return (conn.roundTrips - trips, Array(conn.recentStatements.suffix(count)), response.info)
        }
        let hnsw = try #require(try engine.plannableIndexes(model: model.name).first { $0.type == .hnsw }).name
        var params = Self.params(model) {
            $0.plan = .index(hnsw); $0.explain = false
        }
        _ = try engine.search(.vector(vector), params: params)  // reads the index list and the candidate count
        for ef in [10, 40] {
            params.efSearch = ef
            let pinned = try traffic(params)
            #expect(pinned.trips == 1, "\(pinned.statements)")
            #expect(pinned.statements.contains { $0.contains("'enable_seqscan', 'off'") })
            let explains = pinned.statements.filter { $0.contains("EXPLAIN") }
            #expect(explains.count == 1 && explains.allSatisfy { !$0.contains("ANALYZE") })
            #expect(pinned.info.indexName == hnsw)
        }
        params.plan = .exact
        let exact = try traffic(params)
        #expect(exact.trips == 1 && !exact.statements.contains { $0.contains("EXPLAIN") })
        #expect(exact.statements.contains { $0.contains("'enable_indexscan', 'off'") })

        // The kept list still names the dropped index: the pinned search's EXPLAIN shows another path, the list is
        // read again, and the pin is refused for what it is.
        try IndexManager(connection: connection).drop(named: hnsw)
        params.plan = .index(hnsw)
        var refusal = "no error"
        do { _ = try engine.search(.vector(vector), params: params) } catch { refusal = ErrorReport(error).oneLine }
        #expect(refusal.contains("no vector index \(hnsw)"), "\(refusal)")
        let created = try IndexManager(connection: connection).create(
            VectorIndexSpec(model: model, type: .hnsw, metric: .l2), monitor: nil)
        params.plan = .index(created.name)
        params.metric = .l2
        #expect(try traffic(params).info.indexName == created.name)
    }

    @Test func planChoicesParseFromTheCommandLine() {
        #expect(PlanChoice(parsing: "auto") == .auto)
        #expect(PlanChoice(parsing: "EXACT") == .exact)
        #expect(PlanChoice(parsing: "ae_hnsw_cosine_m") == .index("ae_hnsw_cosine_m"))
        #expect(PlanChoice.index("ae_x").label == "ae_x")
    }
}

/// Recall on the fixtures names the true neighbours a pinned HNSW scan at ef_search 1 missed, with exact ranks.
@Suite struct MissedNeighbourTests {
    @Test func recallListsExactRanksAndTheNeighboursTheIndexMissed() throws {
        let (engine, _) = try FixtureDatabase.engine()
        let text = "PostgreSQL performance tuning and query plans"
        var params = SearchParams()
        params.plan = .index("ae_hnsw_cosine_all_minilm_l6_v2")
        params.efSearch = 1
        let narrow = try engine.search(text: text, params: params)
        let measured = try engine.measureRecall(
            ofSearchFor: text, params: params, measuredIDs: narrow.results.map(\.artifactID))
        #expect(measured.exactIDs.count == 10)
        #expect(measured.recall < 1)
        #expect(
            measured.missed.count == 10 - Set(narrow.results.map(\.artifactID)).intersection(measured.exactIDs).count)
        #expect(measured.missed.allSatisfy { $0.externalID.hasPrefix("a") && !$0.title.isEmpty })
        #expect(measured.missed.map(\.exactRank) == measured.missed.map(\.exactRank).sorted())

        params.efSearch = 40
        let wide = try engine.search(text: text, params: params)
        let full = try engine.measureRecall(
            ofSearchFor: text, params: params, measuredIDs: wide.results.map(\.artifactID))
        #expect(wide.results.map(\.artifactID) != narrow.results.map(\.artifactID))
        #expect(full.missed.count < measured.missed.count)
        for result in wide.results {
            if let rank = full.exactRank(of: result.artifactID) {
                #expect(full.exactIDs[rank - 1] == result.artifactID)
            }
        }
    }
}

/// The warnings a tuner sees, from the plan that ran (pure).
@Suite struct PlanAdviceTests {
    static func info(
        _ configure: (inout SearchParams) -> Void = { _ in }, plan: String?, index: String?, rows: Int = 10,
        candidates: Int = 252
    ) -> QueryInfo {
        var params = SearchParams()
        configure(&params)
        return QueryInfo(
            method: params.method, totalCandidates: candidates, rowsReturned: rows, limit: params.limit, plan: plan,
            indexName: index, serverExecutionMs: 1, clientWallMs: 2, embeddingMs: 0, embeddingCached: true,
            parameters: params)
    }

    @Test func aKnobThatCannotMatterUnderASeqScanIsNamedWithTheFix() {
        let before = Self.info(plan: "Seq Scan on artifact_embeddings", index: nil)
        let after = Self.info({ $0.efSearch = 10 }, plan: "Seq Scan on artifact_embeddings", index: nil)
        let warnings = PlanAdvice.warnings(after, previous: before)
        #expect(
            warnings == [
                "ef_search cannot matter: the plan is a Seq Scan (every distance computed) — pin an index with plan to tune it"
            ])
        #expect(
            PlanAdvice.warnings(after, previous: nil, watched: ["probes"]).first?.hasPrefix("probes cannot matter")
                == true)
    }

    @Test func probesCannotMatterToHNSWNorEfSearchToIVFFlat() {
        let hnsw = Self.info({ $0.probes = 3 }, plan: "Index Scan using ae_hnsw_x", index: "ae_hnsw_x")
        #expect(
            PlanAdvice.warnings(hnsw, previous: Self.info(plan: nil, index: "ae_hnsw_x")).first?.hasPrefix(
                "probes cannot matter: the plan is HNSW ae_hnsw_x") == true)
        let ivf = Self.info({ $0.efSearch = 80 }, plan: "Index Scan using ae_ivfflat_x", index: "ae_ivfflat_x")
        #expect(
            PlanAdvice.warnings(ivf, previous: Self.info(plan: nil, index: "ae_ivfflat_x")).first?.hasPrefix(
                "ef_search cannot matter") == true)
        #expect(PlanAdvice.warnings(ivf, previous: nil).isEmpty)
    }

    @Test func aPlanThatChangedIndexSinceTheLastRunIsSaid() {
        let before = Self.info({ $0.probes = 1 }, plan: "Index Scan using ae_ivfflat_x", index: "ae_ivfflat_x")
        let after = Self.info({ $0.probes = 2 }, plan: "Index Scan using ae_hnsw_x", index: "ae_hnsw_x")
        let warnings = PlanAdvice.warnings(after, previous: before)
        #expect(
            warnings.contains(
                "plan changed since the last run: IVFFlat ae_ivfflat_x → HNSW ae_hnsw_x — pin one with plan to compare")
        )
        #expect(warnings.contains { $0.hasPrefix("probes cannot matter") })
    }

    @Test func aShortIndexScanNamesTheKnobToTurn() {
        let filtered = Self.info(
            { $0.userScope = .user("u05") }, plan: "Index Scan using ae_hnsw_x", index: "ae_hnsw_x", rows: 3)
        #expect(
            PlanAdvice.warnings(filtered, previous: nil) == [
                "index scan + filter returned 3/10 rows — turn on iterative_scan (or raise ef_search)"
            ])
        let iterative = Self.info(
            {
                $0.userScope = .user("u05"); $0.iterativeScan = .relaxedOrder
            }, plan: nil, index: "ae_hnsw_x", rows: 3)
        #expect(
            PlanAdvice.warnings(iterative, previous: nil) == [
                "index scan + filter returned 3/10 rows — raise max_scan_tuples"
            ])
        let narrow = Self.info({ $0.efSearch = 1 }, plan: nil, index: "ae_hnsw_x", rows: 1)
        #expect(
            PlanAdvice.warnings(narrow, previous: nil) == [
                "HNSW returned 1/10 rows: ef_search 1 is below the limit — raise ef_search"
            ])
        let everything = Self.info(plan: nil, index: "ae_hnsw_x", rows: 3, candidates: 3)
        #expect(PlanAdvice.warnings(everything, previous: nil).isEmpty)
    }
}

extension PlanChoiceTests {
    /// Recall under a pinned index (what the TUI's sweep measures): the ground truth is exact search, not the
    /// pinned index again — before, the exact half ran inside the pin's savepoint with index scans back on, so
    /// a sweep reported recall 1.00 at probes 1.
    @Test func recallUnderAPinnedIndexIsMeasuredAgainstExactSearch() throws {
        let (engine, connection, model) = try Self.database()
        let vector = try Self.queryVector(connection, model: model)
        let indexes = try engine.plannableIndexes(model: model.name)
        let exact = try engine.search(.vector(vector), params: Self.params(model) { $0.plan = .exact })
        let exactIDs = exact.results.map(\.artifactID)
        #expect(exactIDs.count == 10)
        // HNSW at ef_search 1 returns one row: recall 0.10 at most, never 1.00.
        let hnsw = try #require(indexes.first { $0.type == .hnsw }).name
        let narrow = try engine.measureRecall(
            of: .vector(vector),
            params: Self.params(model) {
                $0.plan = .index(hnsw); $0.efSearch = 1
            })
        #expect(narrow.indexName == hnsw)
        #expect(narrow.exactIDs == exactIDs)
        #expect(narrow.approximateIDs.count < 10)
        #expect(narrow.recall <= 0.1)
        let ivfflat = try #require(indexes.first { $0.type == .ivfflat }).name
        let pinned = try engine.search(
            .vector(vector),
            params: Self.params(model) {
                $0.plan = .index(ivfflat); $0.probes = 1
            })
        let report = try engine.measureRecall(
            of: .vector(vector),
            params: Self.params(model) {
                $0.plan = .index(ivfflat); $0.probes = 1
            })
        #expect(report.indexName == ivfflat)
        #expect(report.exactIDs == exactIDs)
        #expect(report.approximateIDs == pinned.results.map(\.artifactID))
        #expect(report.recall == Recall.atK(approximate: report.approximateIDs, exact: exactIDs, k: 10))
    }
}
