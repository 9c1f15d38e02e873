import Foundation
import TestSupport
import Testing

@testable import VecCore

@Suite struct MigrationTests {
    @Test func migratingTwiceIsANoOp() throws {
        let (connection, _) = try TestDatabase.fresh(migrate: false)
        let first = try Migrator(connection: connection).migrate()
        #expect(first.map(\.version) == Migrations.all.map(\.version))
        let second = try Migrator(connection: connection).migrate()
        #expect(second.isEmpty)
        #expect(try Migrator(connection: connection).appliedVersions() == Migrations.all.map(\.version))
    }

    @Test func createsTheDesignedTablesAndIndexes() throws {
        let (connection, _) = try TestDatabase.fresh()
        let tables = try connection.query(
            """
            SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1
            """
        ).rows.map { try $0.decode(0, as: String.self) }
        for table in [
            "users", "artifacts", "embedding_models", "artifact_embeddings", "artifact_chunks",
            "chunk_embeddings", "job_embeddings", "relevance_judgments", "schema_migrations",
        ] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        let gin = try connection.query(
            """
            SELECT indexdef FROM pg_indexes WHERE tablename = 'artifacts' AND indexname = 'artifacts_search_gin'
            """
        ).scalar(String.self)
        #expect(gin?.contains("USING gin (search)") == true)
        let models =
            try connection
            .query("SELECT name, dimensions, storage FROM embedding_models ORDER BY dimensions, name")
            .rows.map {
                "\(try $0.decode(0, as: String.self)) \(try $0.decode(1, as: Int.self)) \(try $0.decode(2, as: String.self))"
            }
        #expect(
            models == [
                "all-MiniLM-L6-v2 384 vector", "text-embedding-3-small 1536 vector",
                "text-embedding-ada-002 1536 vector", "text-embedding-3-large 3072 halfvec",
            ])
    }

    @Test func constraintsRejectBadRows() throws {
        let (connection, _) = try TestDatabase.fresh()
        try connection.execute("INSERT INTO users (external_id) VALUES ('u1')")
        let badType = #expect(throws: PostgresError.self) {
            try connection.execute(
                """
                INSERT INTO artifacts (user_id, external_id, artifact_type, title, content_hash)
                VALUES (1, 'a1', 'hobby', 't', repeat('0', 64))
                """)
        }
        #expect(badType?.code == .checkViolation)
        try connection.execute(
            """
            INSERT INTO artifacts (user_id, external_id, artifact_type, title, content_hash)
            VALUES (1, 'a1', 'project', 'Search', repeat('0', 64))
            """)
        let wrongDims = #expect(throws: PostgresError.self) {
            try connection.execute(
                """
                INSERT INTO artifact_embeddings (artifact_id, user_id, content_type, model_version,
                                                 model_dimensions, embedding_vector, content_hash)
                VALUES (1, 1, 'full', 'all-MiniLM-L6-v2', 384, \(Vector([1, 2, 3])), repeat('0', 64))
                """)
        }
        #expect(wrongDims?.code == .checkViolation)
        let unknownModel = #expect(throws: PostgresError.self) {
            try connection.execute(
                """
                INSERT INTO artifact_embeddings (artifact_id, user_id, content_type, model_version,
                                                 model_dimensions, embedding_vector, content_hash)
                VALUES (1, 1, 'full', 'no-such-model', 3, \(Vector([1, 2, 3])), repeat('0', 64))
                """)
        }
        #expect(unknownModel?.code == .foreignKeyViolation)
        // The generated tsvector weights the title highest.
        let search = try connection.query("SELECT search::text FROM artifacts").scalar(String.self)
        #expect(search == "'search':1A")
    }

    /// Migration 6: a vector carries its artifact's user (the key per-user partitions hash), the key a writer's
    /// ON CONFLICT names holds it, and moving an artifact to another user moves its vectors with it.
    @Test func embeddingsCarryTheirArtifactsUserAndFollowIt() throws {
        let (connection, _) = try TestDatabase.fresh()
        try connection.execute("INSERT INTO users (external_id) VALUES ('u1'), ('u2')")
        try connection.execute(
            """
            INSERT INTO artifacts (user_id, external_id, artifact_type, title, content_hash)
            VALUES (1, 'a1', 'project', 'Search', repeat('0', 64))
            """)
        let insert: PostgresQuery = """
            INSERT INTO artifact_embeddings (artifact_id, user_id, content_type, model_version, model_dimensions,
                                             embedding_vector, content_hash)
            SELECT a.id, a.user_id, 'full', 'all-MiniLM-L6-v2', 384, array_fill(0.1, ARRAY[384])::vector, 'x'
            FROM artifacts a
            ON CONFLICT (artifact_id, content_type, model_version, user_id) DO UPDATE SET content_hash = 'y'
            """
        try connection.execute(insert)
        try connection.execute(insert)
        #expect(try connection.query("SELECT count(*)::int8 FROM artifact_embeddings").scalar(Int.self) == 1)
        #expect(
            try connection.query("SELECT content_hash::text FROM artifact_embeddings").scalar(String.self)?
                .hasPrefix("y") == true)
        let missingUser = #expect(throws: PostgresError.self) {
            try connection.execute(
                """
                INSERT INTO artifact_embeddings (artifact_id, content_type, model_version, model_dimensions,
                                                 embedding_vector, content_hash)
                VALUES (1, 'summary', 'all-MiniLM-L6-v2', 384, array_fill(0.1, ARRAY[384])::vector, 'x')
                """)
        }
        #expect(missingUser?.code == .notNullViolation)
        try connection.execute("UPDATE artifacts SET user_id = 2")
        #expect(try connection.query("SELECT user_id FROM artifact_embeddings").scalar(Int.self) == 2)
    }

    /// A 1536-dimension vector (6 kB) stays in its row: nothing goes to the TOAST table, so reading it costs no
    /// TOAST index lookup (migration 2; pgvector's default EXTERNAL storage moved every such vector out).
    @Test func largeVectorsStayInTheRow() throws {
        let (connection, _) = try TestDatabase.fresh()
        try connection.execute("INSERT INTO users (external_id) VALUES ('u1')")
        try connection.execute(
            """
            INSERT INTO artifacts (user_id, external_id, artifact_type, title, content_hash)
            VALUES (1, 'a1', 'project', 'Search', repeat('0', 64))
            """)
        let values = (0..<1536).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 }
        try connection.execute(
            """
            INSERT INTO artifact_embeddings (artifact_id, user_id, content_type, model_version, model_dimensions,
                                             embedding_vector, content_hash)
            VALUES (1, 1, 'full', 'text-embedding-3-small', 1536, \(Vector(values)), repeat('0', 64))
            """)
        for table in ["artifact_embeddings", "chunk_embeddings", "job_embeddings"] {
            let storage = try connection.query(
                """
                SELECT attstorage::text FROM pg_attribute
                WHERE attrelid = \(table)::regclass AND attname = 'embedding_vector'
                """
            ).scalar(String.self)
            #expect(storage == "m", "\(table).embedding_vector storage \(storage ?? "nil")")
        }
        let toastName =
            try connection.query(
                """
                SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'artifact_embeddings'::regclass
                """
            ).scalar(String.self) ?? ""
        #expect(toastName.hasPrefix("pg_toast."))
        // A table name cannot be bound; an empty TOAST table has no pages, and one chunk would give it one.
        let toastBytes = try connection.query("SELECT pg_relation_size(\(toastName)::regclass)").scalar(Int.self)
        #expect(toastBytes == 0)
        let stored = try connection.query("SELECT embedding_vector FROM artifact_embeddings").scalar(Vector.self)
        #expect(stored?.values == values)
    }

    @Test func concurrentMigratorsDoNotCollide() throws {
        let (_, url) = try TestDatabase.fresh(migrate: false)
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            do {
                let connection = try Connection(url)
                results.add(try Migrator(connection: connection).migrate().count)
            } catch {
                results.fail("\(error)")
            }
        }
        #expect(results.failures.isEmpty, "\(results.failures)")
        #expect(results.values.reduce(0, +) == Migrations.all.count)
    }
}

/// Collects results from concurrent workers.
final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Int] = []
    private(set) var failures: [String] = []
    func add(_ value: Int) { lock.lock(); values.append(value); lock.unlock() }
    func fail(_ message: String) { lock.lock(); failures.append(message); lock.unlock() }
}
