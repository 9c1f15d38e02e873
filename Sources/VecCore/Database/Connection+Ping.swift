extension Connection {
    /// One round trip to the server; throws when it does not answer (`isAlive` only reads libpq's last status).
    public func ping() throws {
        _ = try query("SELECT 1")
    }
}
