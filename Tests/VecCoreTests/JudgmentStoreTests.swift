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
        let free = JudgmentStore.freeTextID(hash: SHA256.hex("not a job"))
        #expect(
            exported
                == "#query\t\(free)\tnot a job\nj01\ta001\t3\nj01\ta002\t1\nj02\ta010\t2\n\(free)\ta003\t1\n")
        try store.importTSV(exported, jobs: jobs, judge: "ana")
        #expect(try store.exportTSV(jobs: jobs) == exported)
    }

    @Test func aFreeTextQuerysGradesExportAndImportBackWithItsText() throws {
        let text = "Senior Go engineer\twith Kubernetes\non call \\ weekends"
        try store.record(RelevanceJudgment(queryText: text, artifactID: try id("a001"), grade: 3, judge: "ana"))
        try store.record(RelevanceJudgment(queryText: text, artifactID: try id("a002"), grade: 0, judge: "ana"))
        let one = try store.exportTSV(queryText: text, id: nil)
        let free = JudgmentStore.freeTextID(hash: SHA256.hex(text))
        #expect(one.hasPrefix("#query\t\(free)\tSenior Go engineer\\twith Kubernetes\\non call \\\\ weekends\n"))
        #expect(one.hasSuffix("\(free)\ta001\t3\n\(free)\ta002\t0\n"))
        #expect(try store.exportTSV(queryText: jobs.job(id: "j01").text, id: "j01").isEmpty)
        // Into an empty database: the text comes back from the #query line, so the grades land under it.
        let (other, _) = try TestDatabase.fresh()
        _ = try ArtifactLoader(connection: other).load(file: FixturePaths.file("artifacts.jsonl"))
        #expect(try JudgmentStore(connection: other).importTSV(one, jobs: jobs, judge: "import") == 2)
        #expect(try JudgmentStore(connection: other).grades(for: text).count == 2)
        #expect(try JudgmentStore(connection: other).gradeCounts() == [SHA256.hex(text): 2])
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
