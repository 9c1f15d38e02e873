import Foundation

/// One bearer token of the HTTP API, as listed (never the token itself: only its hash is stored).
public struct APIToken: Sendable, Equatable {
    public var id: Int
    /// The user's external id (`u01`): the API acts as this user.
    public var user: String
    public var name: String
    /// The token's first characters, to tell tokens apart in a list.
    public var prefix: String
    /// May search every user's artifacts (`user_only = false`) and see any artifact.
    public var admin: Bool
    public var createdAt: Date
    public var revokedAt: Date?
}

/// Who an API request acts as: the user its token belongs to.
public struct APICaller: Sendable, Equatable {
    public var tokenID: Int
    /// The user's external id (`u01`).
    public var user: String
    public var admin: Bool

    public init(tokenID: Int, user: String, admin: Bool) {
        self.tokenID = tokenID
        self.user = user
        self.admin = admin
    }

    /// The scope of what this caller may read: its own artifacts, or everyone's for an admin that asks.
    public func scope(userOnly: Bool) throws -> UserScope {
        if userOnly { return .user(user) }
        guard admin else {
            throw VecscopeError(
                what: "user_only = false needs an admin token",
                why: "this token may read only user \(user)'s artifacts",
                fix: "Send user_only = true, or use a token made with `vecscope users token create … --admin`.",
                kind: .forbidden)
        }
        return .all
    }
}

/// Creates, lists, revokes and checks API tokens (`api_tokens`, migration 4).
public struct APITokenStore {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// Every token starts with this, so a leaked one is recognisable (and greppable) as vecscope's.
    static let tokenPrefix = "vs_"

    /// Makes a token for an existing user; the returned text is the only copy of the token there will ever be.
    public func create(user: String, name: String = "", admin: Bool = false) throws -> (token: String, record: APIToken)
    {
        var generator = SystemRandomNumberGenerator()  // getrandom(2): suitable for secrets
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = Self.tokenPrefix + bytes.map { String(format: "%02x", $0) }.joined()
        let prefix = String(token.prefix(Self.tokenPrefix.count + 6))
        let rows = try connection.query(
            """
            INSERT INTO api_tokens (user_id, name, token_hash, token_prefix, admin)
            SELECT u.id, \(name), \(SHA256.hex(token)), \(prefix), \(admin) FROM users u WHERE u.external_id = \(user)
            RETURNING id
            """
        ).rows
        guard let row = rows.first else {
            throw VecscopeError(
                what: "no user \(user)", why: "tokens belong to a loaded user",
                fix: "Use a user's external id as loaded (e.g. u01); `vecscope load` loads users with their artifacts.",
                kind: .notFound)
        }
        let id: Int = try row.decode("id")
        guard let record = try list().first(where: { $0.id == id }) else {
            throw VecscopeError(what: "the new token \(prefix)… was not stored")
        }
        return (token, record)
    }

    /// Every token, newest first, revoked ones included.
    public func list() throws -> [APIToken] {
        try connection.query(
            """
            SELECT t.id, u.external_id AS user_external_id, t.name, t.token_prefix, t.admin, t.created_at,
                   t.revoked_at
            FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id DESC
            """
        ).rows.map { row in
            APIToken(
                id: try row.decode("id"), user: try row.decode("user_external_id"), name: try row.decode("name"),
                prefix: try row.decode("token_prefix"), admin: try row.decode("admin"),
                createdAt: try row.decode("created_at"), revokedAt: try row.decode("revoked_at"))
        }
    }

    /// Revokes a token by id: requests with it are refused from now on.
    @discardableResult
    public func revoke(id: Int) throws -> APIToken {
        let revoked = try connection.execute(
            "UPDATE api_tokens SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL")
        guard revoked == 1, let record = try list().first(where: { $0.id == id }) else {
            throw VecscopeError(
                what: "no active token \(id)", fix: "`vecscope users token list` shows the tokens and their ids.",
                kind: .notFound)
        }
        return record
    }

    /// The caller a bearer token stands for; nil for an unknown or revoked token.
    public func caller(forToken token: String) throws -> APICaller? {
        guard token.hasPrefix(Self.tokenPrefix) else { return nil }
        let rows = try connection.query(
            """
            SELECT t.id, u.external_id AS user_external_id, t.admin FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = \(SHA256.hex(token))::bpchar AND t.revoked_at IS NULL
            """
        ).rows
        guard let row = rows.first else { return nil }
        return APICaller(
            tokenID: try row.decode("id"), user: try row.decode("user_external_id"), admin: try row.decode("admin"))
    }
}
