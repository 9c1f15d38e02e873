import Foundation
import VecCore

/// Debian's `pgbouncer` (installed by `make setup`) in transaction pooling mode in front of a test server, with its
/// own config, log and port under the run's root. Every server connection is reset (DISCARD ALL) whenever a
/// transaction gives it back, so anything a client left in the session — a setting, a prepared statement — is gone
/// for its next transaction, as it would be on another backend.
public final class PgBouncer {
    public let url: String
    public let directory: URL
    private let process = Process()

    public static let binary = "/usr/sbin/pgbouncer"

    /// Starts it in front of `serverURL` (a `postgresql://user@host:port/db` URL) and waits until it answers.
    public init(inFrontOf serverURL: String, poolSize: Int = 2) throws {
        guard let server = URLComponents(string: serverURL), let host = server.host, let serverPort = server.port,
            let user = server.user
        else { throw VecscopeError(what: "cannot read host, port and user from \(serverURL)") }
        directory = try TestDatabase.scratchDirectory("pgbouncer")
        // As root pgbouncer runs as the embedded server's user, which must write its log here.
        chmod(directory.path, 0o777)
        let port = try FreePort.pick()
        let config = """
            [databases]
            * = host=\(host) port=\(serverPort)

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            unix_socket_dir =
            auth_type = trust
            auth_file = \(directory.path)/userlist.txt
            pool_mode = transaction
            default_pool_size = \(poolSize)
            server_reset_query = DISCARD ALL
            server_reset_query_always = 1
            ignore_startup_parameters = extra_float_digits
            logfile = \(directory.path)/pgbouncer.log
            pidfile = \(directory.path)/pgbouncer.pid
            """
        try config.write(to: directory.appendingPathComponent("pgbouncer.ini"), atomically: true, encoding: .utf8)
        try "\"\(user)\" \"\"\n".write(
            to: directory.appendingPathComponent("userlist.txt"), atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments =
            (getuid() == 0 ? ["-u", EmbeddedPostgres.systemUser] : [])
            + [directory.appendingPathComponent("pgbouncer.ini").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var components = server
        components.host = "127.0.0.1"
        components.port = port
        url = components.string ?? serverURL
        let deadline = Date().addingTimeInterval(20)
        while true {
            if (try? Connection(url, connectTimeout: 2)) != nil { break }
            guard process.isRunning, Date() < deadline else {
                let log = (try? String(contentsOf: directory.appendingPathComponent("pgbouncer.log"), encoding: .utf8))
                stop()
                throw VecscopeError(what: "pgbouncer did not start", why: log ?? "no log")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// SIGKILL: a child of the test process inherits its blocked signals, so pgbouncer never sees SIGTERM; it holds
    /// nothing that needs a clean shutdown.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
