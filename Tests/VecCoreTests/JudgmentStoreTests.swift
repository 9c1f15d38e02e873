import Foundation
import TestSupport
import Testing

@testable import VecCore

/// relevance_judgments round trips, keyed by sha256 of the query text, in and out as TSV by job id.
@Suite struct JudgmentStoreTests {
    let connection: Connection
    let store: JudgmentStore
    let jobs: JobCatalog

    init() throws {
        (connection, _) = try TestDatabase.fresh()
        _ = try ArtifactLoader(connection: connection).load(file: FixturePaths.file("artifacts.jsonl"))
        store = JudgmentStore(connection: connection)
        jobs = try JobCatalog.load(from: FixturePaths.folder)
    }

    private func id(_ external: String) throws -> Int {
        try connection.query("SELECT id FROM artifacts WHERE external_id = \(external)").scalar(Int.self) ?? -1
    }

    @Test func importedGradesAreStoredUnderTheJobTextHash() throws {
        let count = try store.importTSV(
            "# job\tartifact\tgrade\nj01\ta001\t3\nj01\ta002\t0\n\nj02\ta010\t2\n", jobs: jobs, judge: "ana")
        #expect(count == 3)
        let j01 = try jobs.job(id: "j01")
        #expect(try store.grades(for: j01.text) == [try id("a001"): 3, try id("a002"): 0])
        let hash = try connection.query(
            """
            SELECT DISTINCT query_hash::text FROM relevance_judgments WHERE query_text = \(j01.text)
            """
        ).scalar(String.self)
        #expect(hash == SHA256.hex(j01.text))
        #expect(try store.all().allSatisfy { $0.judge == "ana" })
    }

    @Test func exportIsSortedTSVThatImportsBackUnchanged() throws {
        try store.importTSV("j02\ta010\t2\nj01\ta002\t1\nj01\ta001\t3\n", jobs: jobs, judge: "ana")
        try store.record(RelevanceJudgment(queryText: "not a job", artifactID: try id("a003"), grade: 1, judge: "bo"))
        let exported = try store.exportTSV(jobs: jobs)
        #expect(exported == "j01\ta001\t3\nj01\ta002\t1\nj02\ta010\t2\n")
        try store.importTSV(exported, jobs: jobs, judge: "ana")
        #expect(try store.exportTSV(jobs: jobs) == exported)
    }

    @Test func regradingReplacesTheGrade() throws {
        let text = "platform engineer"
        try store.record(RelevanceJudgment(queryText: text, artifactID: try id("a001"), grade: 1, judge: "ana"))
        try store.record(RelevanceJudgment(queryText: text, artifactID: try id("a001"), grade: 3, judge: "bo"))
        #expect(try store.grades(for: text) == [try id("a001"): 3])
    }

    @Test func aBadLineStoresNothing() throws {
        #expect(throws: VecscopeError.self) {
            try store.importTSV("j01\ta001\t3\nj01\ta002\t7\n", jobs: jobs, judge: "ana")
        }
        #expect(throws: VecscopeError.self) { try store.importTSV("j01\tnope\t3\n", jobs: jobs, judge: "ana") }
        #expect(throws: VecscopeError.self) { try store.importTSV("j99\ta001\t3\n", jobs: jobs, judge: "ana") }
        #expect(try store.all().isEmpty)
    }
}
