import CLibPQ
import Foundation

extension Connection {
    /// True on a hot standby (a read-only replica). libpq learns it when connecting (`in_hot_standby`, reported by
    /// PostgreSQL 14+) and keeps it current, so asking costs no round trip.
    public var isHotStandby: Bool {
        guard let value = PQparameterStatus(handle, "in_hot_standby") else { return false }
        return String(cString: value) == "on"
    }

    /// The host and port this connection reached; with a multi-host URL, the one libpq chose.
    public var serverAddress: String {
        let host = PQhost(handle).map { String(cString: $0) } ?? ""
        let port = PQport(handle).map { String(cString: $0) } ?? ""
        return port.isEmpty ? host : "\(host):\(port)"
    }

    /// "primary" or "standby", for status lines and `--json`.
    public var serverRole: ServerRole { isHotStandby ? .standby : .primary }
}

/// Which kind of server answered: the primary (reads and writes) or a streaming standby (reads only).
public enum ServerRole: String, Codable, Sendable, Equatable {
    case primary, standby
}
