import Foundation
import TestSupport
import Testing

@testable import VecCore

/// Recall against exact search on the fixtures embedded by MiniLM (HNSW cosine index made by the pipeline).
@Suite struct TuningRecallTests {
    let engine: SearchEngine
    let connection: Connection

    init() throws {
        (engine, connection) = try FixtureDatabase.engine()
    }

    @Test func recallAtTenIsPerfectWithAWideBeam() throws {
        var params = SearchParams()
        params.efSearch = 200
        params.explain = true
        for text in [
            "Kubernetes platform engineering with Terraform on AWS", "clinical trial statistics and epidemiology in R",
            "search relevance and learning to rank",
        ] {
            let measured = try engine.measureRecall(of: .text(text), params: params, forceIndexScan: true)
            #expect(measured.recall == 1.0)
            #expect(measured.rowsReturned == 10 && measured.shortfall == 0)
            #expect(measured.approximateIDs == measured.exactIDs)
            #expect(measured.indexName?.hasPrefix("ae_hnsw") == true)
        }
    }

    @Test func aTinyBeamWithASelectiveFilterReturnsTooFewRows() throws {
        var params = SearchParams()
        params.efSearch = 1
        params.userScope = .user("u08")
        params.explain = true
        let measured = try engine.measureRecall(
            of: .text("security engineering and incident response"), params: params,
            forceIndexScan: true)
        #expect(measured.indexName?.hasPrefix("ae_hnsw") == true)
        #expect(measured.exactIDs.count == 10)
        #expect(measured.rowsReturned < measured.limit)
        #expect(measured.shortfall > 0)
        #expect(measured.recall < 1)
    }

    @Test func iterativeScanRecoversTheFilteredRows() throws {
        var params = SearchParams()
        params.efSearch = 1
        params.userScope = .user("u08")
        params.iterativeScan = .relaxedOrder
        let measured = try engine.measureRecall(
            of: .text("security engineering and incident response"), params: params,
            forceIndexScan: true)
        #expect(measured.rowsReturned == 10)
        #expect(measured.recall > 0.5)
    }

    @Test func withoutAnIndexScanTheAnswerIsExact() throws {
        var params = SearchParams()
        params.efSearch = 1
        params.artifactTypes = [.certification]
        let measured = try engine.measureRecall(of: .text("cloud security certification"), params: params)
        #expect(measured.recall == 1.0)
        #expect(measured.approximateIDs == measured.exactIDs)
    }

    @Test func recallCountsTheOverlapOfTheTopK() {
        #expect(Recall.atK(approximate: [1, 2, 3, 4], exact: [1, 2, 5, 6], k: 4) == 0.5)
        #expect(Recall.atK(approximate: [2, 1], exact: [1, 2], k: 2) == 1)
        #expect(Recall.atK(approximate: [1], exact: [1, 2, 3], k: 10) == 1.0 / 3)
        #expect(Recall.atK(approximate: [], exact: [], k: 10) == 1)
        #expect(Recall.atK(approximate: [9, 1, 2], exact: [1, 2, 3], k: 2) == 0.5)
    }
}
