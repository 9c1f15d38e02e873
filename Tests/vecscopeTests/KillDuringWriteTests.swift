import Foundation
import TestSupport
import Testing
import VecCore

/// Issue 15, deliver 7: `kill -9` in the middle of `load` and of `embed` leaves whole batches only — each batch is one
/// transaction, so what a killed run stored is a multiple of its batch size and every stored row is complete.
@Suite(.serialized) struct KillDuringWriteTests {
    /// Starts `vecscope` with `arguments`, waits until `count` (run on its own connection) is above zero, then
    /// SIGKILLs it; returns the count afterwards.
    private func killMidway(_ arguments: [String], url: String, count: PostgresQuery) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = url
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let watcher = try Connection(url)
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline, (try watcher.query(count).scalar(Int.self) ?? 0) == 0 {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let killedWhileRunning = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(killedWhileRunning, "the run finished before it could be killed")
        #expect(process.terminationReason == .uncaughtSignal)
        return try watcher.query(count).scalar(Int.self) ?? -1
    }

    @Test func aKilledLoadLeavesWholeBatchesOnly() throws {
        let (_, url) = try TestDatabase.fresh()
        let file = try TestDatabase.scratchDirectory("kill").appendingPathComponent("many.jsonl")
        let lines = (0..<30_000).map {
            #"{"id": "k\#($0)", "user": "u\#($0 % 50)", "artifact_type": "project", "title": "Title \#($0)", "content": "Body \#($0) with a few words to index"}"#
        }
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let stored = try killMidway(
            ["load", "--batch-size", "250", file.path], url: url, count: "SELECT count(*) FROM artifacts")
        #expect(stored > 0 && stored < 30_000 && stored % 250 == 0, "\(stored) rows")
        let check = try Connection(url)
        let broken = try check.query(
            """
            SELECT count(*) FROM artifacts
            WHERE title <> 'Title ' || substr(external_id, 2) OR content NOT LIKE 'Body % to index'
            """
        ).scalar(Int.self)
        #expect(broken == 0)
    }

    @Test func aKilledEmbedLeavesWholeBatchesOnly() throws {
        let (connection, url) = try TestDatabase.fresh()
        _ = try ArtifactLoader(connection: connection).load(file: FixturePaths.file("artifacts.jsonl"))
        let stored = try killMidway(
            ["embed", "--batch-size", "6", "--content-types", "full,summary"], url: url,
            count: "SELECT count(*) FROM artifact_embeddings")
        #expect(stored > 0 && stored < 504 && stored % 6 == 0, "\(stored) vectors")
        // A second run completes exactly what is missing.
        let rerun = Process()
        rerun.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        rerun.arguments = ["embed", "--content-types", "full,summary", "--database-url", url]
        rerun.standardOutput = FileHandle.nullDevice
        try rerun.run()
        rerun.waitUntilExit()
        #expect(rerun.terminationStatus == 0)
        #expect(try connection.query("SELECT count(*) FROM artifact_embeddings").scalar(Int.self) == 504)
    }
}
