import Foundation
import TestSupport
import Testing
import VecCore

/// Issue 19, deliver 2: `vecscope worker` keeps vectors fresh when artifacts change behind vecscope's back (psql),
/// several workers share the queue without embedding anything twice, and a killed worker leaves whole batches only.
@Suite(.serialized) struct WorkerTests {
    /// A `vecscope worker` process whose stdout lines are collected as they come.
    final class WorkerProcess: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var text = ""

        init(_ arguments: [String], url: String) throws {
            process.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
            process.arguments = ["worker"] + arguments
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = url
            process.environment = environment
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            out.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                guard let self, !data.isEmpty else { return }
                self.lock.lock()
                self.text += String(decoding: data, as: UTF8.self)
                self.lock.unlock()
            }
            try process.run()
        }

        var output: String {
            lock.lock()
            defer { lock.unlock() }
            return text
        }

        var batchLines: [String] { output.split(separator: "\n").map(String.init).filter { $0.contains("batch of") } }

        /// Waits until the output holds `needle`; false after `timeout` seconds or when the process ended.
        func waitFor(_ needle: String, timeout: TimeInterval = 60) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if output.contains(needle) { return true }
                if !process.isRunning { return output.contains(needle) }
                Thread.sleep(forTimeInterval: 0.02)
            }
            return false
        }

        func terminate() -> Int32 {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            return process.terminationStatus
        }

        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }

    /// A fresh database with the first `count` fixture artifacts loaded and their full and summary texts embedded,
    /// and a log of every vector written (a trigger, so a rolled-back write leaves no line either).
    private func embeddedDatabase(artifacts count: Int) throws -> (Connection, String) {
        let (connection, url) = try TestDatabase.freshWithFixtureArtifacts(count)
        let model = try EmbeddingModelRegistry(connection: connection).resolve(SearchParams.defaultModel)
        var options = EmbeddingPipeline.Options()
        options.contentTypes = [.full, .summary]
        let embedded = try EmbeddingPipeline(
            connection: connection, embedder: try EmbedderFactory.make(for: model), model: model
        ).run(options)
        #expect(embedded.embeddedCount == 2 * count)
        try connection.executeScript(
            """
            CREATE TABLE vector_writes (artifact_id bigint, content_type text, content_hash text);
            CREATE FUNCTION log_vector_write() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO vector_writes VALUES (NEW.artifact_id, NEW.content_type, NEW.content_hash);
                RETURN NULL;
            END $$;
            CREATE TRIGGER log_vector_writes AFTER INSERT OR UPDATE ON artifact_embeddings
                FOR EACH ROW EXECUTE FUNCTION log_vector_write();
            """)
        return (connection, url)
    }

    /// Changes the text of the artifacts with the lowest ids, as someone would with psql; returns their ids.
    private func changeArtifacts(_ count: Int, on connection: Connection) throws -> [Int] {
        try connection.query(
            """
            UPDATE artifacts SET description = description || ' Also ran it on Kubernetes.'
            WHERE id IN (SELECT id FROM artifacts ORDER BY id LIMIT \(count)) RETURNING id
            """
        ).rows.map { try $0.decode(0) }.sorted()
    }

    /// Artifacts whose full and summary vectors are both current (hash of today's text, written after the change).
    private func freshCount(_ ids: [Int], on connection: Connection) throws -> Int {
        try connection.query(
            """
            SELECT count(*) FROM artifacts a
            JOIN artifact_embeddings f ON f.artifact_id = a.id AND f.content_type = 'full'
            JOIN artifact_embeddings s ON s.artifact_id = a.id AND s.content_type = 'summary'
            WHERE a.id = ANY(\(ids.map(String.init))::text[]::int8[]) AND f.content_hash = a.content_hash
              AND s.generated_at = f.generated_at
            """
        ).scalar(Int.self) ?? -1
    }

    /// A worker's claim holds an advisory lock per artifact (in this database) until its transaction ends.
    private func claimInProgress(on connection: Connection) throws -> Bool {
        try connection.query(
            """
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        ).scalar(Int.self) ?? 0 > 0
    }

    private func waitUntil(timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try condition()
    }

    @Test func anArtifactChangedWithPsqlIsFreshAgainWithinSeconds() throws {
        let (connection, url) = try embeddedDatabase(artifacts: 8)
        let worker = try WorkerProcess(["--content-types", "full,summary"], url: url)
        #expect(worker.waitFor("listening; caught up by queueing 0 stale artifacts"), "\(worker.output)")
        let changed = try changeArtifacts(1, on: connection)
        let artifact = try connection.query(
            "SELECT title, description, content, skills FROM artifacts WHERE id = \(changed[0])"
        ).row(0)
        let newHash = SHA256.hex(
            EmbeddingText.full(
                title: try artifact.decode("title"), description: try artifact.decode("description"),
                content: try artifact.decode("content"), skills: try artifact.decode("skills")))
        // The trigger keeps artifacts.content_hash right for writes that bypass the loader.
        #expect(
            try connection.query("SELECT content_hash::text FROM artifacts WHERE id = \(changed[0])").scalar(
                String.self)
                == newHash)
        let fresh = try waitUntil(timeout: 10) { try freshCount(changed, on: connection) == 1 }
        #expect(fresh, "\(worker.output)")
        #expect(
            try connection.query(
                "SELECT content_hash::text FROM artifact_embeddings WHERE artifact_id = \(changed[0]) AND content_type = 'full'"
            ).scalar(String.self) == newHash)
        #expect(try connection.query("SELECT count(*) FROM embedding_queue").scalar(Int.self) == 0)
        #expect(worker.terminate() == 0)
        #expect(worker.output.contains("batch of 1 artifacts: 2 texts embedded"), "\(worker.output)")
        // `stats` shows the queue the worker drained.
        let cli = CommandLineTests()
        let stats = try cli.json(try cli.vecscope(["stats", "--json"], databaseURL: url))
        let model = try #require((stats["models"] as? [[String: Any]])?.first)
        let queue = try #require(model["queue"] as? [String: Any])
        #expect(queue["followed"] as? Bool == true && queue["pending"] as? Int == 0)
        #expect(worker.output.hasSuffix("stopped\n"), "\(worker.output)")
    }

    @Test func loadAsyncLeavesTheEmbeddingToAWorker() throws {
        let (connection, url) = try TestDatabase.fresh()
        let lines = try String(contentsOf: FixturePaths.file("artifacts.jsonl"), encoding: .utf8)
            .split(separator: "\n").prefix(5)
        let file = try TestDatabase.scratchDirectory("async").appendingPathComponent("five.jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let load = try CommandLineTests().vecscope(["load", "--async", file.path], databaseURL: url)
        #expect(load.status == 0, "\(load.stderr)")
        #expect(load.stderr.contains("left to `vecscope worker --model all-MiniLM-L6-v2`: 5 artifacts queued"))
        #expect(try connection.query("SELECT count(*) FROM artifact_embeddings").scalar(Int.self) == 0)
        let worker = try WorkerProcess(["--content-types", "full,summary"], url: url)
        #expect(worker.waitFor("listening; caught up by queueing 0 stale artifacts; 5 queued"), "\(worker.output)")
        let ids = try connection.query("SELECT id FROM artifacts").rows.map { try $0.decode(0, as: Int.self) }
        #expect(try waitUntil(timeout: 30) { try freshCount(ids, on: connection) == 5 }, "\(worker.output)")
        #expect(worker.terminate() == 0)
    }

    @Test func twoWorkersEmbedEachChangedArtifactExactlyOnce() throws {
        let (connection, url) = try embeddedDatabase(artifacts: 40)
        let workers = try (0..<2).map { _ in
            try WorkerProcess(["--content-types", "full,summary", "--batch", "2"], url: url)
        }
        for worker in workers { #expect(worker.waitFor("listening"), "\(worker.output)") }
        let changed = try changeArtifacts(30, on: connection)
        let done = try waitUntil(timeout: 120) {
            try freshCount(changed, on: connection) == 30
                && (try connection.query("SELECT count(*) FROM embedding_queue").scalar(Int.self)) == 0
        }
        #expect(done, "\(workers.map(\.output))")
        let writes = try connection.query(
            """
            SELECT artifact_id, count(*) FILTER (WHERE content_type = 'full') AS full_writes,
                   count(*) FILTER (WHERE content_type = 'summary') AS summary_writes
            FROM vector_writes GROUP BY artifact_id ORDER BY artifact_id
            """
        ).rows
        #expect(try writes.map { try $0.decode("artifact_id", as: Int.self) } == changed)
        for row in writes {
            #expect(try row.decode("full_writes", as: Int.self) == 1)
            #expect(try row.decode("summary_writes", as: Int.self) == 1)
        }
        for worker in workers { #expect(worker.terminate() == 0) }
        // Both took part: the queue was shared, not drained by whichever woke first.
        #expect(workers.allSatisfy { !$0.batchLines.isEmpty }, "\(workers.map(\.output))")
    }

    @Test func aWorkerKilledMidBatchLeavesNothingHalfWrittenAndAnotherFinishes() throws {
        let (connection, url) = try embeddedDatabase(artifacts: 40)
        let first = try WorkerProcess(["--content-types", "full,summary", "--batch", "30"], url: url)
        #expect(first.waitFor("listening"), "\(first.output)")
        let changed = try changeArtifacts(30, on: connection)
        // A claim in progress holds one advisory lock per artifact until its transaction ends.
        #expect(try waitUntil(timeout: 30) { try claimInProgress(on: connection) }, "\(first.output)")
        Thread.sleep(forTimeInterval: 0.2)  // into the batch: embedding, perhaps storing
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        #expect(first.batchLines.isEmpty, "the batch finished before the kill: \(first.output)")
        #expect(try connection.query("SELECT count(*) FROM vector_writes").scalar(Int.self) == 0)
        #expect(try freshCount(changed, on: connection) == 0)
        #expect(try connection.query("SELECT count(*) FROM embedding_queue").scalar(Int.self) == 30)

        let second = try WorkerProcess(["--content-types", "full,summary", "--batch", "30"], url: url)
        let done = try waitUntil(timeout: 120) { try freshCount(changed, on: connection) == 30 }
        #expect(done, "\(second.output)")
        #expect(
            try connection.query("SELECT count(*) FROM vector_writes").scalar(Int.self) == 60,
            "each changed artifact's two texts written once")
        #expect(second.terminate() == 0)
    }

    @Test func sigtermFinishesTheBatchInFlightThenStops() throws {
        let (connection, url) = try embeddedDatabase(artifacts: 30)
        let worker = try WorkerProcess(["--content-types", "full,summary", "--batch", "10"], url: url)
        #expect(worker.waitFor("listening"), "\(worker.output)")
        let changed = try changeArtifacts(25, on: connection)
        #expect(try waitUntil(timeout: 30) { try claimInProgress(on: connection) }, "\(worker.output)")
        #expect(worker.terminate() == 0)
        let batches = worker.batchLines
        #expect(batches.count >= 1 && batches.count < 3, "\(worker.output)")
        #expect(batches.allSatisfy { $0.contains("batch of 10 artifacts: 20 texts embedded") }, "\(worker.output)")
        #expect(try freshCount(changed, on: connection) == 10 * batches.count)
        #expect(
            try connection.query("SELECT count(*) FROM embedding_queue").scalar(Int.self) == 25 - 10 * batches.count)
        #expect(worker.output.hasSuffix("stopped\n"), "\(worker.output)")
    }

    @Test func theWorkerReconnectsAfterTheDatabaseRestarts() throws {
        // A server of its own: the shared one serves every other suite.
        let directory = try TestDatabase.scratchDirectory("restart")
        let server = EmbeddedPostgres(
            installDirectory: TestDatabase.installDirectory, dataDirectory: directory.appendingPathComponent("pgdata"))
        let url = try server.start()
        defer { _ = try? server.stop() }
        do {
            let connection = try Connection(url)
            try Migrator(connection: connection).migrate()
            let lines = try String(contentsOf: FixturePaths.file("artifacts.jsonl"), encoding: .utf8)
                .split(separator: "\n").prefix(6)
            let file = directory.appendingPathComponent("six.jsonl")
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            _ = try ArtifactLoader(connection: connection).load(file: file)
        }
        let worker = try WorkerProcess(["--content-types", "full,summary", "--poll-interval", "0.5"], url: url)
        #expect(worker.waitFor("listening; caught up by queueing 6 stale artifacts"), "\(worker.output)")
        let first = try Connection(url)
        let ids = try first.query("SELECT id FROM artifacts").rows.map { try $0.decode(0, as: Int.self) }
        #expect(try waitUntil(timeout: 60) { try freshCount(ids, on: first) == 6 }, "\(worker.output)")
        try server.stop()
        #expect(worker.waitFor("database unavailable", timeout: 30), "\(worker.output)")
        #expect(try server.start() == url)
        let connection = try Connection(url)
        let changed = try changeArtifacts(2, on: connection)
        #expect(try waitUntil(timeout: 60) { try freshCount(changed, on: connection) == 2 }, "\(worker.output)")
        #expect(worker.output.components(separatedBy: "listening").count == 3, "\(worker.output)")
        #expect(worker.terminate() == 0)
    }
}
