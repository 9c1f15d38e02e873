import CLibPQ
import Foundation

/// One connection to PostgreSQL; owns the libpq `PGconn` and frees it in `deinit`. Not thread-safe: one user at a time.
public final class Connection {
    /// Internal so the `Connection+…` extensions (notifications) reach it; still only this class frees it.
    let handle: OpaquePointer
    /// The connection string with any password removed, for messages and the status bar.
    public let displayTarget: String
    private var cachedVectorTypes: VectorTypeOIDs?
    /// Names of the statements prepared on this connection, by SQL text and parameter types.
    private var preparedStatements: [String: String] = [:]
    /// Never reused, so a name prepared again cannot collide with one the server still holds.
    private var preparedStatementsCreated = 0
    /// False: `queryPrepared` runs statements unnamed (`VECSCOPE_PREPARED_STATEMENTS=off`, for a pooler that cannot
    /// keep them).
    public let prepareStatements: Bool
    /// Enough for every filter combination of a search; past it, statements run unprepared rather than pile up.
    static let maxPreparedStatements = 64
    /// Times this connection waited for the server (each statement outside a pipeline, each prepare, each pipeline
    /// sync): what the tests count to prove a search is one round trip.
    public private(set) var roundTrips = 0
    /// Statements sent to the server (a pipeline's count each; prepares and connection set-up included).
    public private(set) var statementsSent = 0
    /// The texts of the last statements sent (never their parameters), newest last: what the tests read to prove
    /// which statements a search sends.
    public private(set) var recentStatements: [String] = []
    static let recentStatementCapacity = 200

    /// Connects with a libpq URI (`postgresql://…`) or a conninfo string (`host=… dbname=…`).
    /// `connectTimeout` (seconds) applies unless the string sets connect_timeout or PGCONNECT_TIMEOUT is set.
    public init(
        _ connectionString: String, applicationName: String = "vecscope",
        connectTimeout: Int = ConnectionString.defaultConnectTimeout,
        prepareStatements: Bool = ConnectionString.preparedStatementsEnabled()
    ) throws {
        self.prepareStatements = prepareStatements
        displayTarget = ConnectionString.redacted(connectionString)
        let params = ConnectionString.withConnectTimeout(
            ConnectionString.withApplicationName(connectionString, applicationName), seconds: connectTimeout)
        guard let conn = PQconnectdb(params) else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection (out of memory?)")
        }
        // Check before taking ownership: once `handle` is set, deinit frees it, so PQfinish here would free it twice.
        if PQstatus(conn) != CONNECTION_OK {
            let reason = Self.trimmed(PQerrorMessage(conn))
            PQfinish(conn)
            throw PostgresError(
                kind: .connection, code: .clientCannotConnect,
                message: "could not connect to \(displayTarget): \(reason)",
                hint:
                    "Check that the server is running and DATABASE_URL is right; without DATABASE_URL, `vecscope db start` starts the embedded server."
            )
        }
        handle = conn
        // Every vecscope statement runs in UTC so timestamps mean the same on every machine. The one session setting:
        // PgBouncer tracks TimeZone per client and sets it on whichever server connection a transaction gets.
        try execute("SET TimeZone = 'UTC'")
        // NOTICEs ("already exists, skipping") are noise for a tool's users; warnings still show. Filtered here, not
        // with SET client_min_messages, which behind a pooler would leak to other clients' transactions.
        PQsetNoticeReceiver(
            conn,
            { _, result in
                guard let result, let severity = PQresultErrorField(result, CLibPQ_DIAG_SEVERITY_NONLOCALIZED),
                    ["WARNING", "ERROR", "FATAL", "PANIC"].contains(String(cString: severity)),
                    let message = PQresultErrorMessage(result)
                else { return }
                FileHandle.standardError.write(Data(String(cString: message).utf8))
            }, nil)
    }

    deinit { PQfinish(handle) }

    /// Server version as an integer, e.g. 180006.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }
    public var isAlive: Bool { PQstatus(handle) == CONNECTION_OK }
    /// The backend's process id, as in `pg_stat_activity.pid`.
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// Runs one statement with its interpolated values bound (`$1`, `$2`, …); rows come back in binary format.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> QueryResult {
        let binds = try query.binds.map { try wireValue(for: $0.postgresBind) }
        return try run(query.sql, binds)
    }

    /// Like `query`, but the statement is parsed once per connection (PQprepare) and then only bound and executed,
    /// which also lets the server reuse one generic plan (`plan_cache_mode`) instead of planning every execution.
    @discardableResult
    public func queryPrepared(_ query: PostgresQuery) throws -> QueryResult {
        let sql = query.sql
        let binds = try query.binds.map { try wireValue(for: $0.postgresBind) }
        guard prepareStatements else { return try run(sql, binds) }
        let key = binds.map { String($0.oid) }.joined(separator: ",") + "|" + sql
        if let name = preparedStatements[key] {
            do {
                return try run(sql, binds, prepared: name)
            } catch var error as PostgresError where error.code == .invalidStatementName {
                // Gone from the server (DEALLOCATE ALL, a pooler's new backend): prepare again, now if no failed
                // transaction is in the way, else on the next call.
                preparedStatements[key] = nil
                if inTransaction {
                    error.hint =
                        "A statement vecscope prepared on this connection is gone. Behind a pooler in transaction "
                        + "mode (PgBouncer before 1.21, or without max_prepared_statements) set "
                        + "VECSCOPE_PREPARED_STATEMENTS=off; otherwise run the command again."
                    throw error
                }
            }
        }
        guard preparedStatements.count < Self.maxPreparedStatements else { return try run(sql, binds) }
        preparedStatementsCreated += 1
        let name = "vecscope_\(preparedStatementsCreated)"
        let types = binds.map { Oid($0.oid) }
        roundTrips += 1
        noteSent("PREPARE " + sql)
        guard let result = PQprepare(handle, name, sql, Int32(binds.count), types) else {
            throw connectionLost(statement: sql)
        }
        _ = try QueryResult(result, statement: sql, vectorTypes: cachedVectorTypes, connection: self)
        preparedStatements[key] = name
        return try run(sql, binds, prepared: name)
    }

    /// Runs one statement and returns how many rows it affected.
    @discardableResult
    public func execute(_ query: PostgresQuery) throws -> Int {
        try self.query(query).affectedRows
    }

    /// Runs several statements separated by semicolons, without parameters (migrations, DDL scripts).
    public func executeScript(_ sql: String) throws {
        roundTrips += 1
        noteSent(sql)
        guard let result = PQexec(handle, sql) else { throw connectionLost(statement: sql) }
        _ = try QueryResult(result, statement: sql, vectorTypes: cachedVectorTypes, connection: self)
    }

    /// Runs `body` inside BEGIN … COMMIT; rolls back if it throws. Inside an open transaction it is a savepoint, so
    /// a caller can wrap work that has transactions of its own (the worker runs the pipeline inside its claim).
    public func transaction<T>(_ body: (Connection) throws -> T) throws -> T {
        if inTransaction {
            try execute("SAVEPOINT vecscope_nested")
            do {
                let value = try body(self)
                try execute("RELEASE SAVEPOINT vecscope_nested")
                return value
            } catch {
                if PQtransactionStatus(handle) != PQTRANS_IDLE {
                    _ = try? execute("ROLLBACK TO SAVEPOINT vecscope_nested")
                }
                throw error
            }
        }
        try execute("BEGIN")
        do {
            let value = try body(self)
            try execute("COMMIT")
            return value
        } catch {
            if PQtransactionStatus(handle) != PQTRANS_IDLE { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Whether a transaction is open (or failed and awaiting ROLLBACK).
    public var inTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// A handle another thread can use to cancel the statement this connection is running.
    public func makeCanceller() throws -> QueryCanceller {
        guard let cancel = PQgetCancel(handle) else {
            throw PostgresError(
                kind: .connection, message: "libpq could not create a cancel request for \(displayTarget)")
        }
        return QueryCanceller(cancel)
    }

    /// pgvector's type OIDs in this database; nil when the extension is not installed.
    public func vectorTypeOIDs(refresh: Bool = false) throws -> VectorTypeOIDs? {
        if let cachedVectorTypes, !refresh { return cachedVectorTypes }
        let result = try run(
            """
            SELECT t.typname::text, t.oid FROM pg_type t
            JOIN pg_depend d ON d.objid = t.oid AND d.classid = 'pg_type'::regclass AND d.deptype = 'e'
            JOIN pg_extension e ON e.oid = d.refobjid
            WHERE e.extname = 'vector' AND t.typname IN ('vector', 'halfvec')
            """,
            [])
        var vector: UInt32?
        var halfvec: UInt32?
        for row in result.rows {
            let name: String = try row.decode(0)
            let oid: Int = try row.decode(1)
            if name == "vector" { vector = UInt32(oid) } else { halfvec = UInt32(oid) }
        }
        guard let vector else { return nil }
        cachedVectorTypes = VectorTypeOIDs(vector: vector, halfvec: halfvec)
        return cachedVectorTypes
    }

    // MARK: - Pipeline

    /// Runs `statements` as one transaction in one round trip: they go out in libpq's pipeline mode behind a single
    /// Sync and their results are read back in order. No BEGIN or COMMIT: the statements up to a Sync are one implicit
    /// transaction, committed at the Sync or rolled back as a whole on an error, so `set_config(…, true)` holds for
    /// the statements after it and ends with them. A `prepared` statement is parsed once per connection, its Parse
    /// riding in the same pipeline the first time. On an error nothing is kept and the first error is thrown with its
    /// SQLSTATE, detail and hint; a prepared statement the server no longer has is prepared again, once.
    public func pipelinedTransaction(_ statements: [PipelineStatement]) throws -> [QueryResult] {
        guard !inTransaction else {
            throw PostgresError(
                kind: .protocolViolation, message: "a pipelined transaction was started inside another transaction",
                hint: "This is a bug in vecscope; please report it.")
        }
        do {
            return try runPipeline(statements)
        } catch let error as PostgresError where error.code == .invalidStatementName {
            // DEALLOCATE ALL or a pooler's new backend: every name this connection remembers may be gone.
            preparedStatements.removeAll()
            return try runPipeline(statements)
        }
    }

    private enum PipelineStep {
        case prepare(key: String, name: String, sql: String)
        case statement(String)
    }

    private func runPipeline(_ statements: [PipelineStatement]) throws -> [QueryResult] {
        // Decoding a vector column needs pgvector's OIDs, which cannot be looked up while the pipeline is open.
        _ = try vectorTypeOIDs()
        let encoded = try statements.map { statement in
            (
                sql: statement.query.sql, prepared: statement.prepared,
                binds: try statement.query.binds.map { try wireValue(for: $0.postgresBind) }
            )
        }
        guard PQenterPipelineMode(handle) == 1 else { throw connectionLost(statement: "pipeline") }
        var steps: [PipelineStep] = []
        var sent = true
        for statement in encoded where sent {
            let key = statement.binds.map { String($0.oid) }.joined(separator: ",") + "|" + statement.sql
            var name = statement.prepared ? preparedStatements[key] : nil
            if statement.prepared, name == nil, preparedStatements.count < Self.maxPreparedStatements {
                preparedStatementsCreated += 1
                let newName = "vecscope_\(preparedStatementsCreated)"
                let types = statement.binds.map { Oid($0.oid) }
                sent = PQsendPrepare(handle, newName, statement.sql, Int32(types.count), types) == 1
                steps.append(.prepare(key: key, name: newName, sql: statement.sql))
                // Counted as prepared now; forgotten again below if the server refuses it.
                preparedStatements[key] = newName
                name = newName
            }
            sent =
                sent
                && Self.withParameters(statement.binds) { count, types, values, lengths, formats in
                    if let name {
                        PQsendQueryPrepared(handle, name, count, values, lengths, formats, 1)
                    } else {
                        PQsendQueryParams(handle, statement.sql, count, types, values, lengths, formats, 1)
                    }
                } == 1
            steps.append(.statement(statement.sql))
        }
        roundTrips += 1
        for step in steps {
            switch step {
            case .statement(let sql): noteSent(sql)
            case .prepare(_, _, let sql): noteSent("PREPARE " + sql)
            }
        }
        guard sent, PQpipelineSync(handle) == 1 else {
            let error = connectionLost(statement: "pipeline")
            preparedStatements = preparedStatements.filter { entry in
                !steps.contains { if case .prepare(let key, _, _) = $0 { key == entry.key } else { false } }
            }
            throw error
        }
        var kept: [OpaquePointer] = []
        var firstError: PostgresError?
        for step in steps {
            var first: OpaquePointer?
            while let result = PQgetResult(handle) {
                if first == nil { first = result } else { PQclear(result) }
            }
            let sql: String
            switch step {
            case .statement(let text), .prepare(_, _, let text): sql = text
            }
            guard let result = first else {
                firstError = firstError ?? connectionLost(statement: sql)
                continue
            }
            if PQresultStatus(result) != PGRES_PIPELINE_ABORTED,
                let error = QueryResult.error(from: result, statement: sql)
            {
                firstError = firstError ?? error
            }
            if case .prepare(let key, _, _) = step, PQresultStatus(result) != PGRES_COMMAND_OK {
                preparedStatements[key] = nil
            }
            if case .statement = step { kept.append(result) } else { PQclear(result) }
        }
        // The Sync's own result, then the pipeline is idle and can be left.
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        PQexitPipelineMode(handle)
        if let firstError {
            kept.forEach { PQclear($0) }
            throw firstError
        }
        var results: [QueryResult] = []
        for (result, statement) in zip(kept, encoded) {
            results.append(
                try QueryResult(result, statement: statement.sql, vectorTypes: cachedVectorTypes, connection: self))
        }
        return results
    }

    // MARK: - COPY

    /// Starts `COPY … FROM STDIN (FORMAT binary)`; write rows to the returned writer, then `finish()` it.
    public func copyIn(_ copyStatement: String) throws -> CopyInWriter {
        _ = try vectorTypeOIDs()
        roundTrips += 1
        noteSent(copyStatement)
        guard let result = PQexec(handle, copyStatement) else { throw connectionLost(statement: copyStatement) }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_IN else {
            throw QueryResult.error(from: result, statement: copyStatement)
                ?? PostgresError(
                    kind: .protocolViolation, message: "COPY did not enter copy-in mode", statement: copyStatement)
        }
        return CopyInWriter(connection: self, statement: copyStatement)
    }

    func putCopyData(_ bytes: [UInt8], statement: String) throws {
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                PQputCopyData(handle, $0, Int32(buffer.count))
            }
        }
        guard status == 1 else { throw connectionLost(statement: statement) }
    }

    func endCopy(error: String?, statement: String) throws -> Int {
        guard PQputCopyEnd(handle, error) == 1 else { throw connectionLost(statement: statement) }
        var affected = 0
        var firstError: PostgresError?
        while let result = PQgetResult(handle) {
            if let error = QueryResult.error(from: result, statement: statement), firstError == nil {
                firstError = error
            } else if let count = Int(String(cString: PQcmdTuples(result))) {
                affected = count
            }
            PQclear(result)
        }
        if let firstError { throw firstError }
        return affected
    }

    var vectorTypesForEncoding: VectorTypeOIDs? { cachedVectorTypes }

    // MARK: - Internals

    private struct WireValue {
        var oid: UInt32
        var bytes: [UInt8]?
        var isBinary: Bool
    }

    private func wireValue(for bind: PostgresBind) throws -> WireValue {
        switch bind {
        case .null:
            return WireValue(oid: 0, bytes: nil, isBinary: false)
        case .text(let text, let oid):
            // libpq sends text parameters as C strings: a NUL would silently cut the value short (an id
            // "a1\0-x" would become "a1"), so refuse it as PostgreSQL refuses a NUL in text.
            if let offset = text.utf8.firstIndex(of: 0) {
                throw PostgresError(
                    kind: .encoding, code: .characterNotInRepertoire,
                    message:
                        "a text value holds a NUL character (U+0000) at byte \(text.utf8.distance(from: text.utf8.startIndex, to: offset) + 1), which PostgreSQL text cannot store",
                    hint: "Remove the NUL characters from the input.")
            }
            return WireValue(oid: oid, bytes: Array(text.utf8) + [0], isBinary: false)
        case .binary(let bytes, let oid):
            return WireValue(oid: oid, bytes: bytes, isBinary: true)
        case .vector(let vector):
            let oids = try requireVectorTypes()
            return WireValue(oid: oids.vector, bytes: VectorCodec.encode(vector), isBinary: true)
        case .halfvec(let vector):
            guard let halfOID = try requireVectorTypes().halfvec else {
                throw PostgresError(
                    kind: .server, code: .undefinedObject,
                    message: "this database's pgvector has no halfvec type",
                    hint: "halfvec needs pgvector 0.7 or later: ALTER EXTENSION vector UPDATE;")
            }
            return WireValue(oid: halfOID, bytes: VectorCodec.encode(vector), isBinary: true)
        }
    }

    func requireVectorTypes() throws -> VectorTypeOIDs {
        if let types = try vectorTypeOIDs() { return types }
        throw PostgresError(
            kind: .server, code: .undefinedObject,
            message: "the pgvector extension is not installed in this database",
            hint: "Run `vecscope migrate`, which creates it, or CREATE EXTENSION vector; as a superuser.")
    }

    /// Executes `sql`, or the statement prepared for it under `prepared`, with `binds`; results in binary format.
    private func run(_ sql: String, _ binds: [WireValue], prepared: String? = nil) throws -> QueryResult {
        roundTrips += 1
        noteSent(sql)
        let result = Self.withParameters(binds) { count, types, values, lengths, formats in
            if let prepared {
                PQexecPrepared(handle, prepared, count, values, lengths, formats, 1)
            } else {
                PQexecParams(handle, sql, count, types, values, lengths, formats, 1)
            }
        }
        guard let result else { throw connectionLost(statement: sql) }
        return try QueryResult(result, statement: sql, vectorTypes: cachedVectorTypes, connection: self)
    }

    private func noteSent(_ sql: String) {
        statementsSent += 1
        recentStatements.append(sql)
        if recentStatements.count > Self.recentStatementCapacity {
            recentStatements.removeFirst(recentStatements.count - Self.recentStatementCapacity)
        }
    }

    /// Calls `body` with libpq's parameter arrays for `binds`, kept alive until it returns.
    private static func withParameters<T>(
        _ binds: [WireValue],
        _ body: (
            Int32, [Oid], [UnsafePointer<CChar>?], [Int32], [Int32]
        ) -> T
    ) -> T {
        let types = binds.map { Oid($0.oid) }
        let lengths = binds.map { Int32($0.isBinary ? ($0.bytes?.count ?? 0) : 0) }
        let formats = binds.map { Int32($0.isBinary ? 1 : 0) }
        let buffers: [UnsafeMutableRawPointer?] = binds.map { bind in
            guard let bytes = bind.bytes else { return nil }
            let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            bytes.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            return pointer
        }
        defer { buffers.forEach { $0?.deallocate() } }
        let values: [UnsafePointer<CChar>?] = buffers.map {
            $0.map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) }
        }
        return body(Int32(binds.count), types, values, lengths, formats)
    }

    private func connectionLost(statement: String) -> PostgresError {
        PostgresError(
            kind: .connection, code: .connectionFailure,
            message: "lost the connection to \(displayTarget): \(Self.trimmed(PQerrorMessage(handle)))",
            hint: "The server may have restarted or stopped; check `vecscope db status` and retry.",
            statement: statement)
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// One statement of `Connection.pipelinedTransaction`: sent as is, or prepared once per connection.
public struct PipelineStatement {
    public var query: PostgresQuery
    public var prepared: Bool

    public init(_ query: PostgresQuery, prepared: Bool = false) {
        self.query = query
        self.prepared = prepared
    }
}

/// Cancels the statement running on one connection, from any thread (libpq's `PQcancel` is thread-safe).
public final class QueryCanceller: @unchecked Sendable {
    /// Internal so the `Connection+…` extensions (notifications) reach it; still only this class frees it.
    let handle: OpaquePointer
    private let lock = NSLock()

    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQfreeCancel(handle) }

    /// Asks the server to cancel; returns false (with the reason) when the request could not be sent.
    @discardableResult
    public func cancel() -> (sent: Bool, reason: String?) {
        lock.lock()
        defer { lock.unlock() }
        var buffer = [CChar](repeating: 0, count: 256)
        let ok = PQcancel(handle, &buffer, Int32(buffer.count))
        return ok == 1 ? (true, nil) : (false, String(cString: buffer))
    }
}
