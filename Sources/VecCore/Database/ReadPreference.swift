import Foundation

/// Where reads go (`--read-from`): libpq picks the server from a multi-host URL by `target_session_attrs`.
public enum ReadPreference: String, CaseIterable, Sendable {
    /// The primary only, as without the flag.
    case primary
    /// A standby; when none answers, the primary, with a warning.
    case standby
    /// A standby if one answers, else the primary, silently (libpq's `prefer-standby`).
    case any

    var targetSessionAttrs: String {
        switch self {
        case .primary: return "primary"
        case .standby: return "standby"
        case .any: return "prefer-standby"
        }
    }
}

extension ConnectionString {
    /// The string with `target_session_attrs` set: appended, because libpq keeps the last value of a repeated key.
    static func withTargetSessionAttrs(_ connection: String, _ value: String) -> String {
        if isURI(connection) {
            return connection + (connection.contains("?") ? "&" : "?") + "target_session_attrs=\(value)"
        }
        return connection + " target_session_attrs=\(value)"
    }

    /// A libpq multi-host URI: libpq tries the hosts in order until one has the session attributes asked for.
    static func multiHost(
        _ ports: [Int], user: String = EmbeddedPostgres.superuser, database: String = EmbeddedPostgres.databaseName
    ) -> String {
        "postgresql://\(user)@" + ports.map { "127.0.0.1:\($0)" }.joined(separator: ",") + "/\(database)"
    }
}

/// A connection for reading, with what `--read-from` could not honour.
public struct ReadConnection {
    public let connection: Connection
    /// Set when a standby was asked for and the primary answers instead: why, and what to do.
    public let warning: String?
}

extension DatabaseTarget {
    /// A connection chosen by `preference` for searches and other reads. The embedded server's standby (`vecscope db
    /// standby start`) is found from its own state; with `DATABASE_URL` the URL lists the hosts (libpq's
    /// `host1:port1,host2:port2`). On the primary the schema is migrated as `connect` does; on a standby it is only
    /// checked (a standby cannot write, and replays the primary's migrations).
    public func connectForReading(
        _ preference: ReadPreference, applicationName: String = "vecscope"
    ) throws -> ReadConnection {
        let base: String
        var standbyDown: String?
        switch source {
        case .external(let url):
            base = url
        case .embedded(let server):
            let primaryURL = try server.start()
            let primaryPort = URLComponents(string: primaryURL)?.port ?? 0
            let standby = StreamingStandby(primary: server).server.status()
            if let standbyPort = standby.port, standby.running {
                base = ConnectionString.multiHost(
                    preference == .primary ? [primaryPort, standbyPort] : [standbyPort, primaryPort])
            } else {
                base = primaryURL
                standbyDown =
                    standby.initialized
                    ? "the embedded standby is stopped" : "the embedded server has no standby"
            }
        }
        let connection: Connection
        var warning: String?
        if preference == .standby, let standbyDown {
            warning = "\(standbyDown) (`vecscope db standby start` starts one); reading from the primary"
            connection = try Connection(base, applicationName: applicationName)
        } else {
            do {
                connection = try Connection(
                    ConnectionString.withTargetSessionAttrs(base, preference.targetSessionAttrs),
                    applicationName: applicationName)
            } catch let error as PostgresError where preference == .standby && error.kind == .connection {
                warning =
                    "no standby answered (\(error.message)); reading from the primary — `vecscope db standby status` "
                    + "says why"
                connection = try Connection(
                    ConnectionString.withTargetSessionAttrs(base, ReadPreference.primary.targetSessionAttrs),
                    applicationName: applicationName)
            }
        }
        try Self.checkPgvector(on: connection)
        if connection.isHotStandby {
            try Self.verify(connection)
        } else {
            try Self.migrate(connection)
        }
        return ReadConnection(connection: connection, warning: warning)
    }
}
