import Foundation
import TestSupport
import Testing

@testable import VecCore

/// The server life cycle, on a server of its own (not the shared test server).
@Suite(.serialized) struct EmbeddedPostgresTests {
    let server: EmbeddedPostgres

    init() throws {
        let directory = try TestDatabase.scratchDirectory("lifecycle")
        server = EmbeddedPostgres(
            installDirectory: TestDatabase.installDirectory,
            dataDirectory: directory.appendingPathComponent("pgdata"))
    }

    @Test func startsStopsAndReportsStatus() throws {
        defer { _ = try? server.stop() }
        #expect(server.status().initialized == false)
        #expect(server.status().running == false)
        let url = try server.start()
        #expect(url.hasPrefix("postgresql://postgres@127.0.0.1:"))
        let status = server.status()
        #expect(status.running)
        #expect(status.url == url)
        #expect(status.runsAs == (getuid() == 0 ? EmbeddedPostgres.systemUser : nil))
        let connection = try Connection(url)
        #expect(connection.serverVersion / 10_000 == 18)
        let expectedBuffers = EmbeddedPostgres.sharedBuffersMB(physicalMemory: ProcessInfo.processInfo.physicalMemory)
        #expect(
            try connection.query("SELECT setting::int8 * 8 / 1024 FROM pg_settings WHERE name = 'shared_buffers'")
                .scalar(Int.self) == expectedBuffers)
        try connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
        #expect(
            try connection.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'").scalar(String.self)
                == "0.8.1"
                || (try connection.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'").scalar(
                    String.self)).map { DatabaseTarget.compareVersions($0, "0.8.0") >= 0 } == true
        )
        // Starting again is a no-op that returns the same URL.
        #expect(try server.start() == url)
        // A restart keeps the port although the server's closed connections linger in TIME_WAIT, so a client
        // holding the URL (an open TUI) reconnects.
        _ = try connection.query("SELECT 1")
        #expect(try server.stop())
        #expect(try server.start() == url)
        #expect(try Connection(url).query("SELECT 1").scalar(Int.self) == 1)
        #expect(try server.stop())
        #expect(server.status().running == false)
        #expect(try server.stop() == false)
        // The data directory is private to the server's user.
        #expect(FilePermissions.mode(of: server.dataDirectory.path).map { $0 & 0o077 } == 0)
    }

    @Test func recoversAfterThePostmasterIsKilled() throws {
        defer { _ = try? server.stop() }
        let url = try server.start()
        let connection = try Connection(url)
        try connection.execute("CREATE TABLE survivor (v int)")
        try connection.execute("INSERT INTO survivor VALUES (7)")
        let pid = try #require(server.status().pid)
        kill(pid, SIGKILL)
        var waited = 0
        while server.status().running && waited < 100 { usleep(50_000); waited += 1 }
        let crashed = server.status()
        #expect(crashed.running == false)
        #expect(crashed.staleLockFile)
        let again = try server.start()
        #expect(server.status().running)
        #expect(try Connection(again).query("SELECT v FROM survivor").scalar(Int.self) == 7)
    }

    @Test func startsWhenTheLockFileNamesAnotherProcess() throws {
        defer { _ = try? server.stop() }
        _ = try server.start()
        #expect(try server.stop())
        // After a reboot the pid in postmaster.pid may belong to an unrelated process (here: this test runner).
        let lock = "\(getpid())\n\(server.dataDirectory.path)\n0\n5432\n/tmp\n127.0.0.1\n0 0\nready\n"
        try lock.write(
            to: server.dataDirectory.appendingPathComponent("postmaster.pid"), atomically: true, encoding: .utf8)
        if getuid() == 0 {
            try FilePermissions.changeOwner(
                of: server.dataDirectory.appendingPathComponent("postmaster.pid"), toUser: EmbeddedPostgres.systemUser)
        }
        #expect(server.status().staleLockFile)
        let url = try server.start()
        #expect(try Connection(url).query("SELECT 1").scalar(Int.self) == 1)
    }

    @Test func missingBinariesGiveAnInstructiveError() {
        let missing = EmbeddedPostgres(
            installDirectory: URL(fileURLWithPath: "/nonexistent/pginstall"),
            dataDirectory: URL(fileURLWithPath: "/nonexistent/data"))
        let error = #expect(throws: VecscopeError.self) { try missing.start() }
        #expect(error?.fix?.contains("make setup") == true)
    }
}

@Suite struct DatabaseTargetTests {
    @Test func databaseURLWinsOverTheEmbeddedServer() throws {
        let target = DatabaseTarget.resolve(environment: [
            "DATABASE_URL": "postgresql://h/db", "VECSCOPE_HOME": "/tmp/x",
        ])
        #expect(target.isEmbedded == false)
        #expect(try target.connectionString() == "postgresql://h/db")
        let flag = DatabaseTarget.resolve(explicitURL: "host=x", environment: ["DATABASE_URL": "postgresql://h/db"])
        #expect(try flag.connectionString() == "host=x")
        #expect(DatabaseTarget.resolve(environment: ["VECSCOPE_HOME": "/tmp/x"]).isEmbedded)
    }

    @Test func sharedBuffersScaleWithMemoryWithinBounds() {
        #expect(EmbeddedPostgres.sharedBuffersMB(physicalMemory: 512 << 20) == 128)
        #expect(EmbeddedPostgres.sharedBuffersMB(physicalMemory: 4 << 30) == 512)
        #expect(EmbeddedPostgres.sharedBuffersMB(physicalMemory: 24 << 30) == 1024)
    }

    @Test func versionsCompareNumerically() {
        #expect(DatabaseTarget.compareVersions("0.10.0", "0.7.0") == 1)
        #expect(DatabaseTarget.compareVersions("0.7", "0.7.0") == 0)
        #expect(DatabaseTarget.compareVersions("0.6.2", "0.7.0") == -1)
    }

    @Test func pgvectorIsCheckedOnConnect() throws {
        let (connection, url) = try TestDatabase.fresh()
        try DatabaseTarget.checkPgvector(on: connection)
        let target = DatabaseTarget(source: .external(url))
        #expect(
            try target.connect().query("SELECT count(*) FROM schema_migrations").scalar(Int.self)
                == Migrations.all.count)
    }
}
