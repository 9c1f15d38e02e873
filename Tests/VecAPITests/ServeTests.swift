import Foundation
import TestSupport
import Testing

@testable import VecCore

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `vecscope serve` as a client meets it: the built binary on a free port of 127.0.0.1, real HTTP, SIGTERM.
@Suite(.serialized) struct ServeTests {
    /// A running `vecscope serve` on the fixture database; stopped with SIGTERM by `stop()`.
    final class Server: @unchecked Sendable {  // immutable after init; one test drives it
        let process = Process()
        let port: Int
        let log: URL

        init() async throws {
            port = try FreePort.pick()
            log = try TestDatabase.scratchDirectory("serve").appendingPathComponent("serve.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = ["serve", "--port", String(port), "--connections", "2"]
            var environment = ProcessInfo.processInfo.environment
            // Its own application_name, so a test can tell this server's sessions from other suites' on the same database.
            environment["DATABASE_URL"] = ConnectionString.withApplicationName(
                try FixtureDatabase.connectionURL(), applicationName)
            process.environment = environment
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            // Each probe gives up after a few seconds: one stuck connection must not use up the whole minute.
            let deadline = Date().addingTimeInterval(90)
            while Date() < deadline {
                if let (status, _) = try? await get("/healthz", timeout: 5), status == 200 { return }
                guard process.isRunning else { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            process.terminate()
            throw VecscopeError(what: "vecscope serve did not answer /healthz", why: try logText())
        }

        static var binary: String {
            if let path = ProcessInfo.processInfo.environment["VECSCOPE_BIN"], !path.isEmpty { return path }
            return FixturePaths.folder.deletingLastPathComponent().appendingPathComponent(".build/debug/vecscope").path
        }

        var base: String { "http://127.0.0.1:\(port)" }

        var applicationName: String { "vecscope-serve-test-\(port)" }

        func logText() throws -> String { try String(contentsOf: log, encoding: .utf8) }

        func get(_ path: String, timeout: TimeInterval = 60) async throws -> (Int, Data) {
            try await send(URLRequest(url: try #require(URL(string: base + path)), timeoutInterval: timeout))
        }

        func post(_ path: String, token: String, _ object: [String: Any]) async throws -> (Int, Data) {
            var request = URLRequest(url: try #require(URL(string: base + path)))
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            request.httpBody = try JSONSerialization.data(withJSONObject: object)
            return try await send(request)
        }

        private func send(_ request: URLRequest) async throws -> (Int, Data) {
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
        }

        /// SIGTERM, then the exit status.
        func stop() async throws -> Int32 {
            kill(process.processIdentifier, SIGTERM)
            return try await exitStatus()
        }

        /// Waits (30 s at most, then SIGKILL) for the process to end.
        func exitStatus() async throws -> Int32 {
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    @Test func serveAnswersEachUserWithTheirOwnArtifactsAndStopsGracefullyOnSIGTERM() async throws {
        let connection = try Connection(try FixtureDatabase.connectionURL())
        let store = APITokenStore(connection: connection)
        let first = try store.create(user: "u01").token
        let second = try store.create(user: "u02").token
        let server = try await Server()
        for (token, user) in [(first, "u01"), (second, "u02")] {
            let (status, data) = try await server.post(
                "/api/v1/artifacts/search/similar/", token: token,
                ["query_text": "observability", "similarity_threshold": -1, "limit": 50])
            #expect(status == 200)
            let body = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let users = Set((body["results"] as? [[String: Any]] ?? []).compactMap { $0["user"] as? String })
            #expect(users == [user])
        }
        // A request in flight when SIGTERM arrives still gets its answer; then the server exits cleanly. The request
        // is held inside the server (its token look-up waits for a lock this test holds) rather than timed with a
        // sleep, so a loaded machine cannot send SIGTERM before the request has arrived.
        let locker = try Connection(try FixtureDatabase.connectionURL())
        _ = try locker.execute("BEGIN")
        _ = try locker.execute("LOCK TABLE api_tokens IN ACCESS EXCLUSIVE MODE")
        let job = String(repeating: "Staff engineer for search relevance, ranking and PostgreSQL tuning. ", count: 2000)
        async let inFlight = server.post(
            "/api/v1/artifacts/rank/", token: first, ["job_description": job, "ranking_method": "hybrid"])
        let waiting = Date().addingTimeInterval(60)
        // Only this server's sessions count: other suites' token look-ups on the same database wait on the lock too.
        while try locker.query(
            """
            SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
            WHERE NOT l.granted AND l.relation = 'api_tokens'::regclass AND a.application_name = \(server.applicationName)
            """
        ).row(0).decode(0, as: Int.self) == 0 {
            try #require(Date() < waiting, "the rank request never reached the database")
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(server.process.processIdentifier, SIGTERM)
        try await Task.sleep(for: .milliseconds(300))
        #expect(server.process.isRunning, "the server exited with a request in flight")
        _ = try locker.execute("COMMIT")
        let exit = try await server.exitStatus()
        let (status, _) = try await inFlight
        #expect(status == 200)
        let log = try server.logText()
        #expect(exit == 0, "\(log)")
        #expect(!log.contains(first) && !log.contains(second), "a token reached the log")
    }

    /// Schemathesis (installed by `make setup` into VECSCOPE_HOME/tools) generates requests from the served
    /// document, valid and invalid, and checks every answer: no 5xx; status, content type, headers and body as
    /// documented; invalid bodies refused; auth enforced; 405 for undeclared methods.
    @Test func schemathesisFindsNoServerErrorAndNoAnswerOffTheDocument() async throws {
        let tools = VecscopeHome.resolve().tools.appendingPathComponent("venv/bin")
        let schemathesis = tools.appendingPathComponent("st").path
        try #require(
            FileManager.default.isExecutableFile(atPath: schemathesis),
            "schemathesis is not installed at \(schemathesis): run `make setup`")
        let validator = try Self.run(
            tools.appendingPathComponent("openapi-spec-validator").path,
            [FixturePaths.folder.deletingLastPathComponent().appendingPathComponent("Sources/VecAPI/openapi.json").path]
        )
        #expect(validator.status == 0, "\(validator.output)")

        let token = try APITokenStore(connection: try Connection(try FixtureDatabase.connectionURL()))
            .create(user: "u05").token
        let server = try await Server()
        let reportDirectory = try TestDatabase.scratchDirectory("schemathesis")
        let result = try Self.run(
            schemathesis,
            [
                "run", server.base + "/openapi.json", "--header", "Authorization: Bearer \(token)",
                // Every check but positive_data_acceptance: a valid model name or vector length depends on the
                // database's registry, which a schema cannot say, so such requests are rightly 400.
                "--checks", "all", "--exclude-checks", "positive_data_acceptance",
                "--max-examples", "25", "--seed", "17", "--workers", "1", "--no-color", "--generation-database", "none",
                "--report-dir", reportDirectory.path,
            ], directory: reportDirectory)
        let exit = try await server.stop()
        let log = try server.logText()
        #expect(result.status == 0, "\(result.output)\n--- server log ---\n\(log.suffix(4000))")
        #expect(exit == 0)
    }

    static func run(
        _ executable: String, _ arguments: [String], directory: URL? = nil
    ) throws -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
