import Foundation
import Logging

/// A streaming replica of the embedded server: `pg_basebackup -R` of the primary into a data directory of its own
/// (`<home>/standby/pgdata`, beside the primary's), run on its own port by an `EmbeddedPostgres` of its own.
///
/// The primary needs nothing changed: PostgreSQL 18's defaults (`wal_level = replica`, `max_wal_senders = 10`) and
/// initdb's `pg_hba.conf` (`host replication all 127.0.0.1/32 trust`) already let 127.0.0.1 replicate; `start`
/// checks them and says which is missing. No replication slot: a standby stopped for long must not fill the
/// primary's disk with kept WAL; one that fell too far behind is made again with `start(fresh: true)`.
public final class StreamingStandby {
    /// The standby's `application_name` on the primary, which finds it in `pg_stat_replication`.
    public static let applicationName = "vecscope_standby"

    public let primary: EmbeddedPostgres
    public let server: EmbeddedPostgres
    private let logger: Logger

    public init(primary: EmbeddedPostgres, logger: Logger = Logger(label: "vecscope.standby")) {
        self.primary = primary
        self.logger = logger
        server = EmbeddedPostgres(
            installDirectory: primary.installDirectory,
            dataDirectory: primary.dataDirectory.deletingLastPathComponent()
                .appendingPathComponent("standby", isDirectory: true).appendingPathComponent("pgdata"),
            logger: logger)
    }

    /// What `start` reports while it works.
    public enum Progress: Sendable, Equatable {
        /// A step, in a few words ("checkpoint completed", "starting the standby on 127.0.0.1").
        case step(String)
        /// The base backup's copy, in kB.
        case copied(kilobytes: Int, of: Int)
    }

    /// Starts the standby, first making it with a base backup of the primary (started if needed) when it has no data
    /// directory yet (or `fresh`: the old one is removed). Returns its URL once it streams from the primary, or
    /// after `streamingTimeout` seconds with a warning in the log.
    @discardableResult
    public func start(
        fresh: Bool = false, streamingTimeout: TimeInterval = 20, progress: (Progress) -> Void = { _ in }
    ) throws -> String {
        let primaryURL = try primary.start()
        let primaryPort = URLComponents(string: primaryURL)?.port ?? 0
        if fresh, server.status().initialized {
            progress(.step("removing the old standby at \(server.dataDirectory.path)"))
            try server.stop()
            try FileManager.default.removeItem(at: server.dataDirectory)
        }
        if !server.status().initialized {
            try checkReplicationAllowed(primaryPort: primaryPort)
            try baseBackup(primaryPort: primaryPort, progress: progress)
        }
        let running = server.status().running
        if !running { progress(.step("starting the standby")) }
        let url = try server.start()
        if !running { progress(.step("standby accepting reads at \(url)")) }
        if try !waitUntilStreaming(timeout: streamingTimeout) {
            logger.warning(
                "the standby is not streaming from the primary after \(Int(streamingTimeout)) s; see \(server.logFile.path)"
            )
        }
        return url
    }

    /// Stops the standby (its data directory stays, so the next start only catches up). False if it was not running.
    @discardableResult
    public func stop() throws -> Bool { try server.stop() }

    // MARK: - Replication state

    /// How far the standby is behind, read on the primary (`pg_stat_replication`) and the standby.
    public struct Replication: Sendable, Equatable {
        /// The WAL sender's state on the primary (`streaming`, `catchup`, …); nil when the standby is not connected.
        public var state: String?
        /// The primary's WAL position minus the standby's replay position.
        public var lagBytes: Int?
        /// `pg_stat_replication.replay_lag`: how long the last commits took to become visible on the standby; nil
        /// once an idle standby has caught up.
        public var replayLagMs: Double?
        /// Seconds since the last transaction the standby replayed committed on the primary (grows on an idle
        /// primary too: read it beside `lagBytes`).
        public var lastReplaySeconds: Double?
        /// `pg_is_in_recovery()` on the standby: true while it is a standby.
        public var inRecovery: Bool?
    }

    /// The replication state, with nil for what cannot be read (a server down).
    public func replication() -> Replication {
        var result = Replication()
        if let url = primary.status().url, let connection = try? Connection(url, applicationName: "vecscope-status"),
            let row = try? connection.query(
                """
                SELECT state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::int8 AS lag_bytes,
                       (extract(epoch FROM replay_lag) * 1000)::float8 AS replay_lag_ms
                FROM pg_stat_replication WHERE application_name = \(Self.applicationName)
                ORDER BY backend_start DESC LIMIT 1
                """
            ).rows.first
        {
            result.state = try? row.decode("state")
            result.lagBytes = try? row.decode("lag_bytes")
            result.replayLagMs = try? row.decode("replay_lag_ms")
        }
        if let url = server.status().url, let connection = try? Connection(url, applicationName: "vecscope-status"),
            let row = try? connection.query(
                """
                SELECT pg_is_in_recovery() AS in_recovery,
                       extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS last_replay_seconds
                """
            ).rows.first
        {
            result.inRecovery = try? row.decode("in_recovery")
            result.lastReplaySeconds = try? row.decode("last_replay_seconds")
        }
        return result
    }

    /// Waits until the standby has replayed everything the primary had written when called; false after `timeout`.
    public func waitUntilCaughtUp(timeout: TimeInterval = 10) throws -> Bool {
        guard let primaryURL = primary.status().url, let standbyURL = server.status().url else { return false }
        guard
            let target = try Connection(primaryURL, applicationName: "vecscope-status").query(
                "SELECT pg_current_wal_lsn()::text"
            ).scalar(String.self)
        else { return false }
        let standby = try Connection(standbyURL, applicationName: "vecscope-status")
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if try standby.query("SELECT pg_last_wal_replay_lsn() >= \(target)::pg_lsn").scalar(Bool.self) == true {
                return true
            }
            usleep(20_000)
        } while Date() < deadline
        return false
    }

    private func waitUntilStreaming(timeout: TimeInterval) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if replication().state == "streaming" { return true }
            usleep(50_000)
        } while Date() < deadline
        return false
    }

    // MARK: - Making it

    /// The primary's settings a streaming replica needs, each with the change that fixes it.
    private func checkReplicationAllowed(primaryPort: Int) throws {
        let connection = try Connection(
            primary.url(port: primaryPort, database: "postgres"), applicationName: "vecscope-standby-check")
        let row = try connection.query(
            """
            SELECT current_setting('wal_level') AS wal_level,
                   current_setting('max_wal_senders')::int AS max_wal_senders,
                   EXISTS (SELECT 1 FROM pg_hba_file_rules
                           WHERE 'replication' = ANY(database) AND type IN ('host', 'hostnossl') AND error IS NULL
                             AND address IN ('127.0.0.1', 'all', '0.0.0.0', 'samehost'))
                       AS hba_allows
            """
        ).row(0)
        let walLevel: String = try row.decode("wal_level")
        let senders: Int = try row.decode("max_wal_senders")
        let hbaAllows: Bool = try row.decode("hba_allows")
        let conf = primary.dataDirectory.appendingPathComponent("postgresql.conf").path
        guard walLevel != "minimal" else {
            throw VecscopeError(
                what: "the primary cannot feed a standby", why: "its wal_level is minimal",
                fix: "Set wal_level = replica in \(conf) and restart it (`vecscope db stop && vecscope db start`).")
        }
        guard senders > 0 else {
            throw VecscopeError(
                what: "the primary cannot feed a standby", why: "its max_wal_senders is 0",
                fix: "Set max_wal_senders = 10 in \(conf) and restart it (`vecscope db stop && vecscope db start`).")
        }
        guard hbaAllows else {
            throw VecscopeError(
                what: "the primary refuses replication connections from 127.0.0.1",
                why: "no `host replication` line of its pg_hba.conf admits 127.0.0.1",
                fix: "Add `host replication all 127.0.0.1/32 trust` to "
                    + "\(primary.dataDirectory.appendingPathComponent("pg_hba.conf").path) and run "
                    + "`vecscope db stop && vecscope db start`.")
        }
    }

    private func baseBackup(primaryPort: Int, progress: (Progress) -> Void) throws {
        try server.checkBinaries()
        if server.runsAsRoot { try server.prepareForRoot() }
        try server.createDataDirectory()
        progress(.step("base backup of 127.0.0.1:\(primaryPort) into \(server.dataDirectory.path)"))
        var parser = BaseBackupOutput()
        let outcome = try withoutActuallyEscaping(progress) { progress in
            try Subprocess.run(
                server.tool("pg_basebackup"),
                [
                    "-D", server.dataDirectory.path,
                    "-d",
                    "host=127.0.0.1 port=\(primaryPort) user=\(EmbeddedPostgres.superuser) "
                        + "application_name=\(Self.applicationName)",
                    // -R writes standby.signal and primary_conninfo; -X stream copies the WAL written meanwhile;
                    // -c fast does not wait for the next scheduled checkpoint.
                    "-R", "-X", "stream", "-c", "fast", "--progress", "--verbose",
                ],
                runAs: server.serverUser, timeout: 3600,
                onOutput: { text in parser.feed(text).forEach(progress) })
        }
        guard outcome.succeeded else {
            // A half-copied directory would look initialised: remove it so the next start copies again.
            try? FileManager.default.removeItem(at: server.dataDirectory)
            throw VecscopeError(
                what: "the base backup of the primary failed", why: outcome.output.trimmed,
                fix: "Check that the primary runs (`vecscope db status`) and has disk space, then run "
                    + "`vecscope db standby start` again.")
        }
        // The primary's log file came along with its data directory; the standby writes its own there.
        try? FileManager.default.removeItem(at: server.logFile)
    }
}

/// pg_basebackup's `--progress --verbose` output, turned into `StreamingStandby.Progress` as it arrives.
struct BaseBackupOutput {
    private var pending = ""

    mutating func feed(_ text: String) -> [StreamingStandby.Progress] {
        pending += text
        var events: [StreamingStandby.Progress] = []
        // Progress lines end in \r on a terminal and \n otherwise; a line is read only once complete.
        while let end = pending.firstIndex(where: { $0 == "\n" || $0 == "\r" }) {
            let line = String(pending[..<end]).trimmed
            pending = String(pending[pending.index(after: end)...])
            if let event = Self.event(line) { events.append(event) }
        }
        return events
    }

    static func event(_ line: String) -> StreamingStandby.Progress? {
        // "12345/67890 kB (18%), 0/1 tablespace"
        let parts = line.split(separator: " ", maxSplits: 2)
        if parts.count >= 2, parts[1] == "kB" {
            let counts = parts[0].split(separator: "/")
            if counts.count == 2, let done = Int(counts[0]), let total = Int(counts[1]) {
                return .copied(kilobytes: done, of: total)
            }
        }
        let prefix = "pg_basebackup: "
        guard line.hasPrefix(prefix) else { return nil }
        return .step(String(line.dropFirst(prefix.count)))
    }
}
