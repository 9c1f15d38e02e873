import Foundation

/// One vector index as the catalog describes it (`vecscope index list`).
public struct VectorIndexInfo: Sendable, Equatable, Codable {
    public var name: String
    public var schema: String
    public var table: String
    /// The model of the partial predicate (`WHERE model_version = '…'`); nil when the index has no such predicate.
    public var model: String?
    public var type: String
    public var opclass: String
    public var m: Int?
    public var efConstruction: Int?
    public var lists: Int?
    public var sizeBytes: Int
    /// Rows of the table that belong to the index's model (the whole table when it has no model predicate).
    public var rows: Int
    public var scans: Int
    public var valid: Bool
    public var definition: String
    /// What the index stores of each vector, read from its operator class.
    public var quantization: VectorQuantization = .none
    /// Seconds the last build (create or reindex) by vecscope took, kept in the index's comment; nil for an index
    /// built some other way.
    public var buildSeconds: Double? = nil
    /// On a partitioned table (`vecscope partition`): the index of each partition, which EXPLAIN names for a
    /// search; size and scans above are their sums.
    public var partitionIndexes: [String] = []
}

extension VectorIndexInfo {
    /// "781.2 MB": the on-disk size in binary units, as the CLI table and the TUI's index view show it.
    public var readableSize: String { ByteSize.readable(sizeBytes) }

    /// "m=16 ef_construction=64" or "lists=100".
    public var parameterSummary: String {
        if type == "hnsw" { return "m=\(m ?? 16) ef_construction=\(efConstruction ?? 64)" }
        return "lists=\(lists ?? 100)"
    }

    /// The distance the operator class serves ("cosine", "l2", "ip", …), from e.g. `vector_cosine_ops`.
    public var metricName: String {
        let parts = opclass.split(separator: "_")
        return parts.count >= 3 ? parts[1...].dropLast().joined(separator: "_") : opclass
    }
}

/// Where an index build stands, from `pg_stat_progress_create_index`.
public struct IndexBuildProgress: Sendable, Equatable {
    public var phase: String
    public var tuplesDone: Int
    public var tuplesTotal: Int
    public var blocksDone: Int
    public var blocksTotal: Int

    public init(phase: String, tuplesDone: Int = 0, tuplesTotal: Int = 0, blocksDone: Int = 0, blocksTotal: Int = 0) {
        self.phase = phase
        self.tuplesDone = tuplesDone
        self.tuplesTotal = tuplesTotal
        self.blocksDone = blocksDone
        self.blocksTotal = blocksTotal
    }

    /// Tuples when the phase counts them, blocks otherwise, else (0, 0).
    public var counts: (done: Int, total: Int, unit: String) {
        if tuplesTotal > 0 { return (tuplesDone, tuplesTotal, "tuples") }
        if blocksTotal > 0 { return (blocksDone, blocksTotal, "blocks") }
        return (0, 0, "")
    }
}

/// What a finished build did.
public struct IndexBuildSummary: Sendable, Equatable {
    public var name: String
    public var seconds: Double
    /// Whether the index existed already (IF NOT EXISTS skipped the build).
    public var alreadyExisted: Bool
    public var phasesSeen: [String]
}

/// The usual guidance for index parameters against a row count; pure, so a test pins its numbers.
public enum IndexAdvice {
    /// IVFFlat: about rows / 1000 lists up to 1M rows, sqrt(rows) above (pgvector's README), at least 1.
    public static func recommendedLists(rows: Int) -> Int {
        guard rows > 0 else { return 1 }
        if rows <= 1_000_000 { return max(1, rows / 1_000) }
        return Int(Double(rows).squareRoot().rounded())
    }

    /// HNSW: m 16 / ef_construction 64 serve most sizes; past 1M rows (or for recall ≥ 0.99 at 100k+) more
    /// neighbours and a wider build search pay off.
    public static func recommendedHNSW(rows: Int) -> (m: Int, efConstruction: Int) {
        if rows > 5_000_000 { return (32, 200) }
        if rows > 1_000_000 { return (24, 128) }
        return (16, 64)
    }

    /// A sentence when the parameters are far from the guidance for `rows` (a factor of 4 for lists, 2 for m and
    /// ef_construction); nil when they are within it.
    public static func advice(type: VectorIndexType, m: Int, efConstruction: Int, lists: Int, rows: Int) -> String? {
        switch type {
        case .ivfflat:
            let recommended = recommendedLists(rows: rows)
            let rule = rows <= 1_000_000 ? "rows/1000" : "sqrt(rows)"
            if rows > 0, rows < lists * 10 {
                return
                    "lists \(lists) for \(rows) rows leaves under 10 rows per list; use about \(recommended) (\(rule)) — or build the index after loading the data."
            }
            if lists > recommended * 4 || lists * 4 < recommended {
                return
                    "lists \(lists) is far from the usual \(recommended) for \(rows) rows (\(rule)); recall and speed at a given probes will suffer."
            }
            return nil
        case .hnsw:
            let (rm, ref) = recommendedHNSW(rows: rows)
            if m > rm * 2 || m * 2 < rm || efConstruction > ref * 4 || efConstruction * 2 < ref {
                return
                    "m \(m) / ef_construction \(efConstruction) is far from the usual m \(rm) / ef_construction \(ref) for \(rows) rows"
                    + (m > rm * 2 || efConstruction > ref * 4
                        ? "; the build will be slower and the index larger for little recall gain."
                        : "; expect lower recall at a given ef_search.")
            }
            return nil
        }
    }
}

/// Lists, creates, drops and rebuilds the vector indexes of `artifact_embeddings` and `chunk_embeddings`.
/// DROP and REINDEX take only names the catalog shows are such indexes, quoted by the server (`%I`).
public struct IndexManager {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    private static var catalogQuery: PostgresQuery {
        """
        SELECT c.relname::text AS name, n.nspname::text AS schema, t.relname::text AS table_name,
               am.amname::text AS type, coalesce(oc.opcname::text, '') AS opclass,
               coalesce(pg_get_expr(i.indpred, i.indrelid), '') AS predicate,
               coalesce(array_to_string(c.reloptions, ','), '') AS options,
               (pg_relation_size(c.oid) + coalesce((SELECT sum(pg_relation_size(p.relid))
                                                    FROM pg_partition_tree(c.oid) p WHERE p.isleaf), 0))::int8
                   AS size_bytes,
               (coalesce(s.idx_scan, 0) + coalesce((SELECT sum(ps.idx_scan) FROM pg_inherits pi
                                                   JOIN pg_stat_user_indexes ps ON ps.indexrelid = pi.inhrelid
                                                   WHERE pi.inhparent = c.oid), 0))::int8 AS scans,
               ARRAY(SELECT pc.relname::text FROM pg_inherits pi JOIN pg_class pc ON pc.oid = pi.inhrelid
                     WHERE pi.inhparent = c.oid ORDER BY pc.relname) AS partition_indexes,
               i.indisvalid AS valid,
               pg_get_indexdef(c.oid) AS definition,
               coalesce(obj_description(c.oid, 'pg_class'), '') AS comment
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_am am ON am.oid = c.relam
        LEFT JOIN pg_opclass oc ON oc.oid = i.indclass[0]
        LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = c.oid
        WHERE am.amname IN ('hnsw', 'ivfflat')
          AND t.relname IN ('artifact_embeddings', 'chunk_embeddings')
          AND n.nspname = current_schema()
        """
    }

    /// Every vector index on the two embedding tables, by table then name; without `countingRows`, `rows` is 0
    /// (counting reads every vector of the model, too slow for a search that only needs the catalog).
    public func list(countingRows: Bool = true) throws -> [VectorIndexInfo] {
        let rows = try connection.query(Self.catalogQuery + " ORDER BY t.relname, c.relname").rows
        var infos: [VectorIndexInfo] = []
        for row in rows {
            let predicate: String = try row.decode("predicate")
            let options = Self.parseReloptions(try row.decode("options"))
            let table: String = try row.decode("table_name")
            let model = Self.parseModel(fromPredicate: predicate)
            let opclass: String = try row.decode("opclass")
            infos.append(
                VectorIndexInfo(
                    name: try row.decode("name"), schema: try row.decode("schema"), table: table, model: model,
                    type: try row.decode("type"), opclass: opclass,
                    m: options["m"].flatMap(Int.init), efConstruction: options["ef_construction"].flatMap(Int.init),
                    lists: options["lists"].flatMap(Int.init),
                    sizeBytes: try row.decode("size_bytes"),
                    rows: countingRows ? try modelRows(table: table, model: model) : 0,
                    scans: try row.decode("scans"), valid: try row.decode("valid"),
                    definition: try row.decode("definition"),
                    quantization: VectorQuantization(operatorClass: opclass),
                    buildSeconds: Self.parseBuildSeconds(fromComment: try row.decode("comment")),
                    partitionIndexes: try row.decode("partition_indexes")))
        }
        // Defaults pgvector applies when WITH (…) names none.
        return infos.map { info in
            var info = info
            if info.type == "hnsw" { info.m = info.m ?? 16; info.efConstruction = info.efConstruction ?? 64 }
            if info.type == "ivfflat" { info.lists = info.lists ?? 100 }
            return info
        }
    }

    /// The catalog's entry for `name`, or an error naming the vector indexes there are.
    public func index(named name: String) throws -> VectorIndexInfo {
        let all = try list()
        if let found = all.first(where: { $0.name == name }) { return found }
        let known = all.map(\.name)
        throw VecscopeError(
            what: "\"\(name)\" is not a vecscope vector index",
            why: "only HNSW and IVFFlat indexes on artifact_embeddings and chunk_embeddings are managed here",
            fix: known.isEmpty
                ? "There are none yet; create one with `vecscope index create`."
                : "Use one of: \(known.joined(separator: ", ")).")
    }

    /// Rows of `table` (a fixed catalog name) for `model`, or all rows without a model.
    public func modelRows(table: String, model: String?) throws -> Int {
        guard let vectorTable = VectorTable(rawValue: table) else { return 0 }
        if let model {
            return try connection.query(
                """
                SELECT count(*)::int8 FROM \(sql: .table(vectorTable)) WHERE model_version = \(model)
                """
            ).row(0).decode(0)
        }
        return try connection.query("SELECT count(*)::int8 FROM \(sql: .table(vectorTable))").row(0).decode(0)
    }

    /// Rows an index on `spec` would cover.
    public func rows(for spec: VectorIndexSpec) throws -> Int {
        try modelRows(table: spec.table.rawValue, model: spec.model.name)
    }

    /// Builds the index on this connection while `monitor` (a second connection) polls its progress every
    /// `pollInterval`; `progress` runs on the calling thread.
    public func create(
        _ spec: VectorIndexSpec, concurrently: Bool = false, maintenanceWorkMem: String? = "1GB",
        monitor: Connection?, pollInterval: Double = 0.2,
        progress: (IndexBuildProgress) -> Void = { _ in }
    ) throws -> IndexBuildSummary {
        try spec.validate()
        let existed = try connection.query("SELECT to_regclass(\(spec.name)) IS NOT NULL").row(0)
            .decode(0, as: Bool.self)
        if existed {
            return IndexBuildSummary(name: spec.name, seconds: 0, alreadyExisted: true, phasesSeen: [])
        }
        if concurrently { try refuseConcurrently("CREATE INDEX CONCURRENTLY", on: spec.table.rawValue) }
        try setMaintenanceWorkMem(maintenanceWorkMem)
        let (seconds, phases) = try runReportingProgress(
            spec.createSQL(concurrently: concurrently), monitor: monitor,
            pollInterval: pollInterval, progress: progress)
        try nameChildIndexes(of: spec.name)
        try recordBuildSeconds(seconds, index: spec.name)
        return IndexBuildSummary(name: spec.name, seconds: seconds, alreadyExisted: false, phasesSeen: phases)
    }

    /// HNSW builds fast only while the graph fits in maintenance_work_mem; the size is checked before it reaches SQL.
    func setMaintenanceWorkMem(_ size: String?) throws {
        guard let size else { return }
        guard size.range(of: #"^[0-9]+\s*(kB|MB|GB)?$"#, options: .regularExpression) != nil else {
            throw VecscopeError(what: "maintenance_work_mem \"\(size)\" is not a size", fix: "Write e.g. 512MB or 2GB.")
        }
        try connection.execute("SELECT set_config('maintenance_work_mem', \(size), false)")
    }

    /// Runs a CREATE INDEX or REINDEX on this connection (on its own thread) while `monitor`, a second connection,
    /// polls pg_stat_progress_create_index for this backend every `pollInterval`; `progress` runs on the calling thread.
    private func runReportingProgress(
        _ sql: String, monitor: Connection?, pollInterval: Double,
        progress: (IndexBuildProgress) -> Void
    ) throws -> (seconds: Double, phases: [String]) {
        let pid = connection.backendPID
        let builder = BuildThread(connection: connection, sql: sql)
        let started = DispatchTime.now()
        builder.start()
        var phases: [String] = []
        while !builder.wait(seconds: pollInterval) {
            guard let monitor else { continue }
            let rows = try monitor.query(
                """
                SELECT phase, coalesce(tuples_done, 0)::int8 AS tuples_done,
                       coalesce(tuples_total, 0)::int8 AS tuples_total, coalesce(blocks_done, 0)::int8 AS blocks_done,
                       coalesce(blocks_total, 0)::int8 AS blocks_total
                FROM pg_stat_progress_create_index WHERE pid = \(Int(pid))
                """
            ).rows
            guard let row = rows.first else { continue }
            let state = IndexBuildProgress(
                phase: try row.decode("phase"), tuplesDone: try row.decode("tuples_done"),
                tuplesTotal: try row.decode("tuples_total"), blocksDone: try row.decode("blocks_done"),
                blocksTotal: try row.decode("blocks_total"))
            if phases.last != state.phase { phases.append(state.phase) }
            progress(state)
        }
        if let error = builder.error { throw error }
        return (Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9, phases)
    }

    /// Drops a vecscope vector index (named as the catalog lists it).
    public func drop(named name: String, concurrently: Bool = false) throws {
        let info = try index(named: name)
        if concurrently { try refuseConcurrently("DROP INDEX CONCURRENTLY", on: info.table) }
        let drop: SQLFragment = concurrently ? "DROP INDEX CONCURRENTLY" : "DROP INDEX"
        let sql: String = try connection.query(
            """
            SELECT format('\(sql: drop) %I.%I', \(info.schema)::text, \(info.name)::text)
            """
        ).row(0).decode(0)
        try connection.executeScript(sql)
    }

    /// Rebuilds a vecscope vector index, reporting progress like `create` when given a `monitor` connection;
    /// returns the seconds it took.
    @discardableResult
    public func reindex(
        named name: String, concurrently: Bool = false, maintenanceWorkMem: String? = "1GB",
        monitor: Connection? = nil, pollInterval: Double = 0.2,
        progress: (IndexBuildProgress) -> Void = { _ in }
    ) throws -> Double {
        let info = try index(named: name)
        try setMaintenanceWorkMem(maintenanceWorkMem)
        let reindex: SQLFragment = concurrently ? "REINDEX INDEX CONCURRENTLY" : "REINDEX INDEX"
        let sql: String = try connection.query(
            """
            SELECT format('\(sql: reindex) %I.%I', \(info.schema)::text, \(info.name)::text)
            """
        ).row(0).decode(0)
        let seconds = try runReportingProgress(sql, monitor: monitor, pollInterval: pollInterval, progress: progress)
            .seconds
        try recordBuildSeconds(seconds, index: info.name)
        return seconds
    }

    /// Keeps the build time with the index, as its comment: it goes when the index is dropped, and needs no table.
    /// COMMENT takes no parameters, so the server quotes name and text (`%I`, `%L`).
    func recordBuildSeconds(_ seconds: Double, index name: String) throws {
        let text = Self.buildComment(seconds: seconds)
        let sql: String = try connection.query(
            """
            SELECT format('COMMENT ON INDEX %I.%I IS %L', current_schema(), \(name)::text, \(text)::text)
            """
        ).row(0).decode(0)
        try connection.executeScript(sql)
    }

    /// PostgreSQL cannot build or drop a partitioned table's index CONCURRENTLY (it can rebuild one).
    private func refuseConcurrently(_ what: String, on table: String) throws {
        let partitioned =
            try connection.query(
                "SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(\(table)::text)"
            ).scalar(Bool.self) ?? false
        guard partitioned else { return }
        throw VecscopeError(
            what: "\(what) is not possible on \(table)",
            why: "\(table) is partitioned by user (`vecscope partition`), and PostgreSQL cannot do that to a "
                + "partitioned table's index",
            fix: "Run it without --concurrently (writes to \(table) wait meanwhile; searches go on), "
                + "or go back to one table with `vecscope partition --undo`.",
            kind: .invalidInput)
    }

    /// PostgreSQL names a partitioned index's per-partition indexes after the partition and column
    /// (`artifact_embeddings_p0_expr_idx`); vecscope renames them `<index>_p<k>`, so the EXPLAIN of a search pruned
    /// to one partition names the vecscope index it used (`QueryPlan.parse`, `PlanCheck` read those names).
    /// Nothing to do for an index of a table that is not partitioned.
    func nameChildIndexes(of name: String) throws {
        let children = try connection.query(
            """
            SELECT c.relname::text AS child, t.relname::text AS partition
            FROM pg_class p JOIN pg_inherits i ON i.inhparent = p.oid JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_index x ON x.indexrelid = c.oid JOIN pg_class t ON t.oid = x.indrelid
            WHERE p.relname = \(name) AND p.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
            """
        ).rows
        for row in children {
            let child: String = try row.decode("child")
            let partition: String = try row.decode("partition")
            guard let cut = partition.range(of: "_p", options: .backwards) else { continue }
            let suffix = String(partition[cut.lowerBound...])
            let wanted = String(decoding: name.utf8.prefix(63 - suffix.utf8.count), as: UTF8.self) + suffix
            guard child != wanted else { continue }
            let sql: String = try connection.query(
                "SELECT format('ALTER INDEX %I RENAME TO %I', \(child)::text, \(wanted)::text)"
            ).row(0).decode(0)
            try connection.executeScript(sql)
        }
    }

    static func buildComment(seconds: Double) -> String { String(format: "vecscope build_seconds=%.3f", seconds) }

    /// `vecscope build_seconds=12.345` → 12.345; nil for any other comment.
    public static func parseBuildSeconds(fromComment comment: String) -> Double? {
        let prefix = "vecscope build_seconds="
        guard comment.hasPrefix(prefix) else { return nil }
        return Double(comment.dropFirst(prefix.count))
    }

    // MARK: - Parsing the catalog (pure)

    /// `(model_version = 'all-MiniLM-L6-v2'::text)` → `all-MiniLM-L6-v2`; nil for any other predicate.
    public static func parseModel(fromPredicate predicate: String) -> String? {
        guard let range = predicate.range(of: #"model_version\s*=\s*'((?:[^']|'')*)'"#, options: .regularExpression)
        else { return nil }
        let match = String(predicate[range])
        guard let open = match.firstIndex(of: "'") else { return nil }
        let literal = match[match.index(after: open)..<match.index(before: match.endIndex)]
        return literal.replacingOccurrences(of: "''", with: "'")
    }

    /// `m=16,ef_construction=64` → ["m": "16", "ef_construction": "64"].
    public static func parseReloptions(_ text: String) -> [String: String] {
        var options: [String: String] = [:]
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { options[String(pair[0])] = String(pair[1]) }
        }
        return options
    }
}

/// Runs one DDL statement on its own thread, so the caller can poll progress meanwhile; the connection is used
/// by this thread alone until `wait` returns true.
private final class BuildThread: @unchecked Sendable {
    private let connection: Connection
    private let sql: String
    private let done = DispatchSemaphore(value: 0)
    private(set) var error: (any Error)?

    init(connection: Connection, sql: String) {
        self.connection = connection
        self.sql = sql
    }

    func start() {
        let thread = Thread { [self] in
            // DDL quoted by the server (`%I`) or built from registry values: no parameters, so run as a script.
            do { try connection.executeScript(sql) } catch { self.error = error }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// True once the statement has finished (the semaphore publishes `error`).
    func wait(seconds: Double) -> Bool {
        done.wait(timeout: .now() + seconds) == .success
    }
}
