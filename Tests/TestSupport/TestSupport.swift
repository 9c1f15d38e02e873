import Foundation
import VecCore

/// One embedded PostgreSQL for the whole test run, in a temporary directory; each suite gets its own database.
///
/// `make test` sets VECSCOPE_TEST_ROOT and stops whatever server is left under it when the run ends, pass or fail;
/// an atexit handler stops it too when the test process exits normally.
public enum TestDatabase {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var startedURL: String?
    nonisolated(unsafe) private static var server: EmbeddedPostgres?
    nonisolated(unsafe) private static var counter = 0

    /// The temporary root for this run (servers, scratch files).
    public static let root: URL = {
        if let explicit = ProcessInfo.processInfo.environment["VECSCOPE_TEST_ROOT"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit, isDirectory: true)
        }
        let url = URL(fileURLWithPath: "/tmp/vecscope-test-\(getpid())", isDirectory: true)
        try? FileManager.default.createDirectory(
            at: url, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])
        return url
    }()

    /// The vendored PostgreSQL (installed by `make setup`).
    public static var installDirectory: URL { VecscopeHome.resolve().postgresInstall }

    /// URL of the shared test server's `vecscope` database, starting the server on first use.
    public static func serverURL() throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let startedURL { return startedURL }
        let server = EmbeddedPostgres(
            installDirectory: installDirectory,
            dataDirectory: root.appendingPathComponent("shared/pgdata"))
        let url = try server.start()
        Self.server = server
        startedURL = url
        atexit {
            _ = try? TestDatabase.stopSharedServer()
        }
        return url
    }

    static func stopSharedServer() throws {
        try server?.stop()
    }

    /// A new, empty, migrated database on the shared server, for one suite or test.
    public static func fresh(migrate: Bool = true) throws -> (connection: Connection, url: String) {
        let url = try serverURL()
        let name: String = {
            lock.lock()
            defer { lock.unlock() }
            counter += 1
            return "test_\(getpid())_\(counter)"
        }()
        let admin = try Connection(url)
        try admin.executeScript("CREATE DATABASE \(name)")  // a name made above; DDL takes no parameters
        let databaseURL = url.replacingOccurrences(of: "/\(EmbeddedPostgres.databaseName)", with: "/\(name)")
        let connection = try Connection(databaseURL)
        if migrate { try Migrator(connection: connection).migrate() }
        return (connection, databaseURL)
    }

    /// A scratch directory under the run's root.
    public static func scratchDirectory(_ name: String) throws -> URL {
        let url = root.appendingPathComponent("scratch-\(name)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(
            at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return url
    }
}

/// The checkout's Fixtures/ folder.
public enum FixturePaths {
    public static let folder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures", isDirectory: true)

    public static func file(_ name: String) -> URL { folder.appendingPathComponent(name) }
}
