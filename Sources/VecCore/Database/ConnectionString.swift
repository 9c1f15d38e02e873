import Foundation

/// Helpers for libpq connection strings: URIs (`postgresql://…`) and conninfo (`key=value …`).
public enum ConnectionString {
    /// The string with any password replaced by `***`, safe for screens and logs.
    public static func redacted(_ connection: String) -> String {
        if isURI(connection), var components = URLComponents(string: connection) {
            if components.password != nil { components.password = "***" }
            if let items = components.queryItems {
                components.queryItems = items.map {
                    $0.name == "password" ? URLQueryItem(name: "password", value: "***") : $0
                }
            }
            return components.string ?? "postgresql://***"
        }
        let pattern = #"password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)"#
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else {
            return connection
        }
        let range = NSRange(connection.startIndex..., in: connection)
        return regex.stringByReplacingMatches(in: connection, range: range, withTemplate: "password=***")
    }

    /// A short "host:port/db" form for status lines.
    public static func summary(_ connection: String) -> String {
        if isURI(connection), let components = URLComponents(string: connection) {
            let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "local socket"
            let port = components.port.map { ":\($0)" } ?? ""
            let db = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            return "\(host)\(port)/\(db.isEmpty ? "(default db)" : db)"
        }
        return redacted(connection)
    }

    static func isURI(_ connection: String) -> Bool {
        connection.hasPrefix("postgresql://") || connection.hasPrefix("postgres://")
    }

    /// Adds application_name unless the string sets one, so sessions show up as vecscope in pg_stat_activity.
    static func withApplicationName(_ connection: String, _ name: String) -> String {
        withDefault("application_name", name, in: connection)
    }

    /// The longest wait for a server to answer a connection, in seconds, unless the string or PGCONNECT_TIMEOUT
    /// says otherwise: libpq's own default is to wait forever (a host that drops packets hangs every command).
    public static let defaultConnectTimeout = 10

    /// `VECSCOPE_PREPARED_STATEMENTS=off` (or 0, false, no): run every statement unnamed. PgBouncer before 1.21 in
    /// transaction mode hands each transaction any server connection, where a statement prepared on another one
    /// does not exist (1.21+ with `max_prepared_statements` set supports them).
    public static func preparedStatementsEnabled(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Bool {
        guard let value = environment["VECSCOPE_PREPARED_STATEMENTS"]?.lowercased() else { return true }
        return !["off", "0", "false", "no"].contains(value)
    }

    static func withConnectTimeout(
        _ connection: String, seconds: Int = defaultConnectTimeout,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        guard environment["PGCONNECT_TIMEOUT"]?.isEmpty ?? true else { return connection }
        return withDefault("connect_timeout", String(seconds), in: connection)
    }

    /// `key=value` added to a URI's query or a conninfo string, unless the string already names `key`.
    private static func withDefault(_ key: String, _ value: String, in connection: String) -> String {
        guard !connection.contains(key) else { return connection }
        if isURI(connection) {
            return connection + (connection.contains("?") ? "&" : "?") + "\(key)=\(value)"
        }
        return connection + " \(key)=\(value)"
    }
}
