import Foundation

/// Moves `artifact_embeddings` between one table and hash partitions by user (`vecscope partition`, ARCHITECTURE.md
/// §3): pgvector's README recommends partitions for multi-tenant data, since tenants sharing one index cut each
/// other's recall under a user filter. A user-scoped search filters on the vectors' own `user_id`, so the planner
/// reads one partition and its own index.
///
/// Both directions are one transaction: the table is locked against writes (searches go on) while its rows are copied
/// into a new table, then the old one is dropped, the new one takes its name and keys, and the vector indexes are
/// rebuilt from their own definitions (on a partitioned parent PostgreSQL builds one per partition; it cannot build a
/// partitioned index CONCURRENTLY). A failure anywhere leaves the table as it was.
public struct EmbeddingPartitions {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// pgvector builds and stores one index per partition; past a few hundred the per-partition overhead dominates.
    public static let partitionLimit = 1_024

    /// The table's layout now: its hash partitions (0 when it is one table).
    public func partitions() throws -> Int {
        try connection.query(
            """
            SELECT count(i.inhrelid)::int8 FROM pg_class c LEFT JOIN pg_inherits i ON i.inhparent = c.oid
            WHERE c.oid = 'artifact_embeddings'::regclass AND c.relkind = 'p'
            """
        ).scalar(Int.self) ?? 0
    }

    /// One step of a move, for the caller's progress display.
    public enum Step: Sendable, Equatable {
        /// Rows copied so far of all.
        case copying(done: Int, total: Int)
        /// The index about to be built (the `number`th of `count`).
        case building(index: String, number: Int, count: Int)
    }

    public struct Summary: Sendable {
        /// Partitions after the move (0: one table).
        public var partitions: Int
        public var rows: Int
        public var copySeconds: Double
        /// Each rebuilt vector index with its build time.
        public var indexes: [(name: String, seconds: Double)]
    }

    /// Hash-partitions the table by user into `count` partitions.
    public func partition(
        into count: Int, maintenanceWorkMem: String? = "1GB", progress: (Step) -> Void = { _ in }
    ) throws -> Summary {
        guard (1...Self.partitionLimit).contains(count) else {
            throw VecscopeError(
                what: "\(count) partitions is out of range", why: "each partition has its own vector index",
                fix: "Use 1…\(Self.partitionLimit); a few times fewer than the users is usual.", kind: .invalidInput)
        }
        let now = try partitions()
        guard now == 0 else {
            throw VecscopeError(
                what: "artifact_embeddings is already partitioned (\(now) hash partitions by user)",
                fix: "Run `vecscope partition --undo` first to go back to one table, then partition again.",
                kind: .invalidInput)
        }
        return try move(to: count, maintenanceWorkMem: maintenanceWorkMem, progress: progress)
    }

    /// Puts the rows back in one table.
    public func undo(maintenanceWorkMem: String? = "1GB", progress: (Step) -> Void = { _ in }) throws -> Summary {
        guard try partitions() > 0 else {
            throw VecscopeError(
                what: "artifact_embeddings is not partitioned", why: "it is one table already: nothing to undo",
                fix: "Partition it with `vecscope partition --by user --partitions N`.", kind: .invalidInput)
        }
        return try move(to: 0, maintenanceWorkMem: maintenanceWorkMem, progress: progress)
    }

    /// An index as `pg_get_indexdef` prints it; a vector index's build time is recorded again once rebuilt.
    private struct IndexDefinition {
        var name: String
        var sql: String
        var vector: Bool
    }

    private func move(to partitions: Int, maintenanceWorkMem: String?, progress: (Step) -> Void) throws -> Summary {
        let manager = IndexManager(connection: connection)
        return try connection.transaction { conn in
            // SHARE: writers wait for the move; readers wait only from the DROP (the swap and index builds) to COMMIT.
            try conn.execute("LOCK TABLE artifact_embeddings IN SHARE MODE")
            // Every index not behind a key (the vector indexes, and any other a user made), re-created verbatim on
            // the new table once it has the old one's name: "ON ONLY" is how a partitioned parent's index prints.
            let indexes = try conn.query(
                """
                SELECT c.relname::text AS name,
                       regexp_replace(pg_get_indexdef(c.oid), ' ON ONLY ', ' ON ') AS definition,
                       am.amname IN ('hnsw', 'ivfflat') AS vector
                FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
                WHERE i.indrelid = 'artifact_embeddings'::regclass
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid AND k.conrelid = i.indrelid)
                ORDER BY c.relname
                """
            ).rows.map {
                IndexDefinition(
                    name: try $0.decode("name"), sql: try $0.decode("definition"), vector: try $0.decode("vector"))
            }
            // Foreign keys and unique keys carry over as they are (the unique key holds user_id, which a partitioned
            // table's keys must); the primary key gains user_id in the partitioned table for the same reason.
            let keys: [(name: String, definition: String)] = try conn.query(
                """
                SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = 'artifact_embeddings'::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname
                """
            ).rows.map { (try $0.decode(0), try $0.decode(1)) }
            let total = try conn.query("SELECT count(*)::int8 FROM artifact_embeddings").scalar(Int.self) ?? 0

            let layout = partitions > 0 ? " PARTITION BY HASH (user_id)" : ""
            try conn.executeScript(
                """
                CREATE TABLE artifact_embeddings_moving (LIKE artifact_embeddings
                    INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)\(layout)
                """)
            for remainder in 0..<partitions {
                try conn.executeScript(
                    """
                    CREATE TABLE artifact_embeddings_moving_p\(remainder) PARTITION OF artifact_embeddings_moving
                        FOR VALUES WITH (MODULUS \(partitions), REMAINDER \(remainder))
                    """)
            }
            let started = DispatchTime.now()
            let copied = try copyRows(on: conn, total: total, progress: progress)
            let copySeconds = SyntheticDataLoader.seconds(since: started)
            guard copied == total else {
                throw VecscopeError(
                    what: "moving artifact_embeddings copied \(copied) of \(total) rows",
                    why: "a row escaped the artifact id ranges the copy walks", fix: "Nothing changed; report this.")
            }

            try conn.executeScript("DROP TABLE artifact_embeddings")
            try conn.executeScript("ALTER TABLE artifact_embeddings_moving RENAME TO artifact_embeddings")
            for remainder in 0..<partitions {
                try conn.executeScript(
                    "ALTER TABLE artifact_embeddings_moving_p\(remainder) RENAME TO artifact_embeddings_p\(remainder)")
            }
            let primaryKey = partitions > 0 ? "user_id, id" : "id"
            try conn.executeScript(
                "ALTER TABLE artifact_embeddings ADD CONSTRAINT artifact_embeddings_pkey PRIMARY KEY (\(primaryKey))")
            for key in keys {
                // Names and definitions come from the catalog; the server quotes them.
                let sql: String = try conn.query(
                    """
                    SELECT format('ALTER TABLE artifact_embeddings ADD CONSTRAINT %I %s', \(key.name)::text,
                                  \(key.definition)::text)
                    """
                ).row(0).decode(0)
                try conn.executeScript(sql)
            }

            try manager.setMaintenanceWorkMem(maintenanceWorkMem)
            var built: [(name: String, seconds: Double)] = []
            for (number, index) in indexes.enumerated() {
                progress(.building(index: index.name, number: number + 1, count: indexes.count))
                let start = DispatchTime.now()
                try conn.executeScript(index.sql)
                let seconds = SyntheticDataLoader.seconds(since: start)
                try manager.nameChildIndexes(of: index.name)
                if index.vector { try manager.recordBuildSeconds(seconds, index: index.name) }
                built.append((index.name, seconds))
            }
            try conn.executeScript("ANALYZE artifact_embeddings")
            return Summary(partitions: partitions, rows: copied, copySeconds: copySeconds, indexes: built)
        }
    }

    /// Copies the rows into `artifact_embeddings_moving` a range of artifact ids at a time (the unique key leads with
    /// artifact_id), so the caller can show progress; returns the rows copied.
    private func copyRows(on conn: Connection, total: Int, progress: (Step) -> Void) throws -> Int {
        let bounds = try conn.query("SELECT min(artifact_id), max(artifact_id) FROM artifact_embeddings").row(0)
        guard let low: Int = try bounds.decode(0), let high: Int = try bounds.decode(1) else {
            progress(.copying(done: 0, total: 0))
            return 0
        }
        // About fifty statements, each at least 1,000 artifacts' rows.
        let step = max(1_000, (high - low + 1) / 50)
        var copied = 0
        var from = low
        progress(.copying(done: 0, total: total))
        while from <= high {
            copied += try conn.execute(
                """
                INSERT INTO artifact_embeddings_moving SELECT * FROM artifact_embeddings
                WHERE artifact_id >= \(from)::int8 AND artifact_id < \(from + step)::int8
                """)
            from += step
            progress(.copying(done: copied, total: total))
        }
        return copied
    }
}
