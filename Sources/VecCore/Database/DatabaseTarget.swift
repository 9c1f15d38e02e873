import Foundation
import Logging

/// Which PostgreSQL vecscope talks to: the one `DATABASE_URL` names, or the embedded one (started on demand).
public struct DatabaseTarget {
    public enum Source {
        case external(String)
        case embedded(EmbeddedPostgres)
    }

    public let source: Source
    /// The oldest pgvector with everything vecscope uses (halfvec, HNSW on it, iterative scans need 0.8).
    public static let minimumPgvector = "0.7.0"

    public init(source: Source) { self.source = source }

    /// `explicitURL` (a flag) wins over `DATABASE_URL`; without either, the embedded server under VECSCOPE_HOME.
    public static func resolve(
        explicitURL: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "vecscope.db")
    ) -> DatabaseTarget {
        if let url = explicitURL ?? environment["DATABASE_URL"], !url.isEmpty {
            return DatabaseTarget(source: .external(url))
        }
        return DatabaseTarget(
            source: .embedded(
                EmbeddedPostgres(
                    home: VecscopeHome.resolve(environment: environment),
                    logger: logger)))
    }

    public var isEmbedded: Bool {
        if case .embedded = source { return true }
        return false
    }

    /// The connection string, starting the embedded server first when that is the target.
    public func connectionString() throws -> String {
        switch source {
        case .external(let url): return url
        case .embedded(let server): return try server.start()
        }
    }

    /// Connects, checks pgvector, (by default) brings the schema up to date, and (unless `verify` is false, for
    /// `vecscope migrate` itself) checks that what vecscope needs is there before the first query.
    public func connect(
        migrate: Bool = true, verify: Bool = true, applicationName: String = "vecscope"
    ) throws -> Connection {
        let connection = try Connection(try connectionString(), applicationName: applicationName)
        try Self.checkPgvector(on: connection)
        if migrate {
            try Self.migrate(connection)
        } else if verify {
            try Self.verify(connection)
        }
        return connection
    }

    /// Migrates, then checks the result. A permission error says what this role could not create and who can
    /// (`DatabaseEnvironment`); the privileges are read only then, so a role that may do more than the catalogs
    /// show (a managed service's admin role) is never stopped in advance.
    @discardableResult
    public static func migrate(_ connection: Connection) throws -> [Migration] {
        let applied: [Migration]
        do {
            applied = try Migrator(connection: connection).migrate()
        } catch let error as PostgresError where error.code == .insufficientPrivilege {
            throw try DatabaseEnvironment.read(connection).whyMigratingWasRefused() ?? error
        }
        try verify(connection)
        return applied
    }

    /// Throws what / why / fix when the extension, the tables or their vector columns are missing.
    public static func verify(_ connection: Connection) throws {
        if let problem = try DatabaseEnvironment.read(connection).problemBeforeQuerying() { throw problem }
    }

    /// Fails with install instructions when pgvector is missing or older than 0.7.
    public static func checkPgvector(on connection: Connection) throws {
        let row = try connection.query(
            """
            SELECT (SELECT extversion FROM pg_extension WHERE extname = 'vector'),
                   (SELECT default_version FROM pg_available_extensions WHERE name = 'vector')
            """
        ).row(0)
        let installed: String? = try row.decode(0)
        let available: String? = try row.decode(1)
        guard let version = installed ?? available else {
            let major = connection.serverVersion / 10_000
            throw VecscopeError(
                what: "pgvector is not available on \(connection.displayTarget)",
                why: "the server has no `vector` extension to create",
                fix:
                    "Install pgvector \(minimumPgvector) or later on that server (Debian/Ubuntu: apt-get install postgresql-\(major)-pgvector; or build it from source), then run vecscope again. Or unset DATABASE_URL to use the embedded PostgreSQL, which ships it."
            )
        }
        guard compareVersions(version, minimumPgvector) >= 0 else {
            throw VecscopeError(
                what: "pgvector \(version) on \(connection.displayTarget) is too old",
                why: "vecscope needs \(minimumPgvector) or later (halfvec, HNSW and iterative index scans)",
                fix: installed != nil && available.map({ compareVersions($0, minimumPgvector) >= 0 }) == true
                    ? "Run ALTER EXTENSION vector UPDATE; as a superuser."
                    : "Upgrade the pgvector package on that server, then ALTER EXTENSION vector UPDATE;")
        }
    }

    /// Compares dotted version strings numerically ("0.10.0" > "0.7.0").
    static func compareVersions(_ a: String, _ b: String) -> Int {
        let left = a.split(separator: ".").map { Int($0) ?? 0 }
        let right = b.split(separator: ".").map { Int($0) ?? 0 }
        for index in 0..<max(left.count, right.count) {
            let l = index < left.count ? left[index] : 0
            let r = index < right.count ? right[index] : 0
            if l != r { return l < r ? -1 : 1 }
        }
        return 0
    }
}
