extension Connection {
    /// One round trip to the server; throws when it does not answer (`isAlive` only reads libpq's last status).
    public func ping() throws {
        _ = try query("SELECT 1")
    }
}

extension Connection {
    /// Cancels any statement of this session that runs longer than `timeout` (SQLSTATE 57014), so a server that
    /// answers many clients bounds each request's time in the database.
    public func setStatementTimeout(_ timeout: Duration) throws {
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        try execute("SELECT set_config('statement_timeout', \(String(milliseconds)), false)")
    }
}
