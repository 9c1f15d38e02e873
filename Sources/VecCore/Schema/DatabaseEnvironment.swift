/// What vecscope needs of a database, read in one statement before the first query: the `vector` extension, its
/// tables (and their vector columns), and whether the role may create what is missing. A missing piece is said as
/// what / why / fix instead of surfacing later as `column "embedding_vector" does not exist` or `permission denied
/// for schema public`.
public struct DatabaseEnvironment: Sendable, Equatable {
    public var database: String
    public var role: String
    /// The installed pgvector version; nil when the extension is not created in this database.
    public var vectorVersion: String?
    /// Whether this role may run CREATE EXTENSION vector (a superuser, or CREATE on the database for a trusted one).
    public var mayCreateExtension: Bool
    /// Whether this role may create tables in the current schema.
    public var mayCreateTables: Bool
    /// Migration versions recorded in `schema_migrations`; empty when the table is missing.
    public var appliedMigrations: Set<Int>
    /// vecscope's vector tables that exist without their `embedding_vector` column (DROP EXTENSION … CASCADE).
    public var tablesMissingVectors: [String]

    /// The tables that hold a `vector` column.
    static let vectorTables = ["artifact_embeddings", "chunk_embeddings", "job_embeddings"]

    public static func read(_ connection: Connection) throws -> DatabaseEnvironment {
        let row = try connection.query(
            """
            SELECT current_database()::text AS database, current_user::text AS role,
                   (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector_version,
                   (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                   OR (coalesce((SELECT v.trusted FROM pg_available_extension_versions v
                                 JOIN pg_available_extensions a ON a.name = v.name AND a.default_version = v.version
                                 WHERE v.name = 'vector'), false)
                       AND has_database_privilege(current_database(), 'CREATE')) AS may_create_extension,
                   coalesce(has_schema_privilege(current_schema(), 'CREATE'), false) AS may_create_tables,
                   to_regclass('schema_migrations') IS NOT NULL AS has_migrations,
                   coalesce((SELECT array_agg(t ORDER BY t) FROM unnest(\(vectorTables)::text[]) t
                             WHERE to_regclass(t) IS NOT NULL
                               AND NOT EXISTS (SELECT 1 FROM pg_attribute
                                               WHERE attrelid = to_regclass(t) AND attname = 'embedding_vector'
                                                 AND NOT attisdropped)), '{}') AS tables_missing_vectors
            """
        ).row(0)
        var applied: Set<Int> = []
        if try row.decode("has_migrations", as: Bool.self) {
            applied = Set(try Migrator(connection: connection).appliedVersions())
        }
        return DatabaseEnvironment(
            database: try row.decode("database"), role: try row.decode("role"),
            vectorVersion: try row.decode("vector_version"),
            mayCreateExtension: try row.decode("may_create_extension"),
            mayCreateTables: try row.decode("may_create_tables"), appliedMigrations: applied,
            tablesMissingVectors: try row.decode("tables_missing_vectors"))
    }

    /// Whether `Migrator` has work to do (tables to create or change).
    public var needsMigrations: Bool { !Set(Migrations.all.map(\.version)).isSubset(of: appliedMigrations) }

    /// When migrating was refused: what this role cannot create, as an error, or nil when the catalogs do not say.
    public func whyMigratingWasRefused() -> VecscopeError? {
        if vectorVersion == nil, !mayCreateExtension { return missingExtension }
        if needsMigrations, !mayCreateTables {
            return VecscopeError(
                what: "vecscope's tables are not set up in database \(database)",
                why: "role \(role) may not create tables in its schema (no CREATE privilege; PostgreSQL 15 and later "
                    + "no longer grant it on schema public to everyone)",
                fix: "Have the schema's owner run GRANT CREATE ON SCHEMA public TO \(role); (or run `vecscope migrate` "
                    + "once as the owner), then run vecscope again.")
        }
        return nil
    }

    /// Before the first query: what is still missing, as an error, or nil when the database is usable.
    public func problemBeforeQuerying() -> VecscopeError? {
        if vectorVersion == nil { return missingExtension }
        if needsMigrations {
            return VecscopeError(
                what: "vecscope's tables are not set up in database \(database)",
                fix: "Run `vecscope migrate` as a role that may create tables there.")
        }
        if !tablesMissingVectors.isEmpty {
            return VecscopeError(
                what:
                    "the vector columns of \(tablesMissingVectors.joined(separator: ", ")) are missing in \(database)",
                why: "the vector extension was dropped with CASCADE, which removes every column of its types",
                fix: "Run `vecscope migrate`: it restores the columns (the embeddings they held are gone; "
                    + "`vecscope embed` makes them again).")
        }
        return nil
    }

    private var missingExtension: VecscopeError {
        VecscopeError(
            what: "the vector extension is not installed in database \(database)",
            why: mayCreateExtension
                ? "it was dropped after vecscope set the database up"
                : "role \(role) may not create it (CREATE EXTENSION vector needs a superuser)",
            fix: mayCreateExtension
                ? "Run `vecscope migrate`, which creates it again."
                : "Have a superuser run CREATE EXTENSION vector; in \(database), or connect as a role that may "
                    + "(vecscope then creates it itself).")
    }
}
