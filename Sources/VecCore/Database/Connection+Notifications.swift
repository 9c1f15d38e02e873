import CLibPQ
import Foundation

/// The NOTIFY channels vecscope listens on; a channel name is an identifier, so only these are ever sent.
public enum NotificationChannel: String, Sendable {
    /// The embedding queue's trigger (migration 5) notifies when it queued work.
    case embeddingQueue = "vecscope_embedding_queue"
}

extension Connection {
    /// LISTENs on `channel`; notifications then arrive through `waitForNotification`.
    public func listen(_ channel: NotificationChannel) throws {
        switch channel {
        case .embeddingQueue: try execute("LISTEN vecscope_embedding_queue")
        }
    }

    /// Waits up to `timeout` seconds for a notification on a channel this connection listens on; true when one (or
    /// several: all pending ones are consumed) arrived. Throws when the connection is lost, so a caller reconnects.
    public func waitForNotification(timeout: TimeInterval) throws -> Bool {
        if try drainNotifications() { return true }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw lostWhileListening() }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(max(0, min(timeout, 86_400)) * 1000)
        let ready = poll(&descriptor, 1, milliseconds)
        if ready < 0 {
            if errno == EINTR { return false }  // a signal (SIGTERM): the caller checks whether to stop
            throw lostWhileListening()
        }
        if ready == 0 { return false }
        return try drainNotifications()
    }

    /// Reads what the server sent and frees every queued notification; true when there was at least one.
    private func drainNotifications() throws -> Bool {
        guard PQconsumeInput(handle) == 1 else { throw lostWhileListening() }
        var any = false
        while let notification = PQnotifies(handle) {
            any = true
            PQfreemem(notification)
        }
        return any
    }

    private func lostWhileListening() -> PostgresError {
        PostgresError(
            kind: .connection, code: .connectionFailure,
            message: "lost the connection to \(displayTarget) while waiting for notifications: "
                + Self.trimmed(PQerrorMessage(handle)),
            hint: "The server stopped or restarted; vecscope reconnects when it is back.")
    }
}
