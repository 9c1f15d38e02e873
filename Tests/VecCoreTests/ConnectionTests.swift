import Foundation
import TestSupport
import Testing

@testable import VecCore

@Suite struct ConnectionTests {
    let connection: Connection

    init() throws {
        connection = try TestDatabase.fresh(migrate: false).connection
        try connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
    }

    @Test func decodesScalarTypesInBinary() throws {
        let id = UUID()
        let when = Date(timeIntervalSince1970: 1_700_000_000.25)
        let row = try connection.query(
            """
            SELECT \(42)::int4, \(9_000_000_000)::int8, \("héllo")::text, \(3.25)::float8, \(true)::bool,
                   \(id)::uuid, \(when)::timestamptz,
                   '{"b": [1, 2], "a": "x"}'::jsonb, 12.5::numeric, -0.000125::numeric, 7::int2, 1.5::float4,
                   'ü ß 漢字'::varchar, 'abc'::bytea
            """
        ).row(0)
        #expect(try row.decode(0, as: Int.self) == 42)
        #expect(try row.decode(1, as: Int64.self) == 9_000_000_000)
        #expect(try row.decode(2, as: String.self) == "héllo")
        #expect(try row.decode(3, as: Double.self) == 3.25)
        #expect(try row.decode(4, as: Bool.self) == true)
        #expect(try row.decode(5, as: UUID.self) == id)
        #expect(abs(try row.decode(6, as: Date.self).timeIntervalSince(when)) < 0.000_001)
        #expect(try row.decode(7, as: String.self) == #"{"a": "x", "b": [1, 2]}"#)
        #expect(try row.decode(8, as: Double.self) == 12.5)
        #expect(abs(try row.decode(9, as: Double.self) + 0.000125) < 1e-15)
        #expect(try row.decode(10, as: Int.self) == 7)
        #expect(try row.decode(11, as: Float.self) == 1.5)
        #expect(try row.decode(12, as: String.self) == "ü ß 漢字")
        #expect(try row.decode(13, as: Data.self) == Data("abc".utf8))
    }

    /// libpq sends text parameters as C strings: a NUL used to cut the value short without a word (issue 15 #1–#2).
    @Test func aNulInATextParameterIsRefusedNotTruncated() throws {
        let error = #expect(throws: PostgresError.self) {
            try connection.query("SELECT \("before\u{0}after")::text")
        }
        #expect(error?.kind == .encoding)
        #expect(error?.code == .characterNotInRepertoire)
        #expect(error?.message.contains("NUL character (U+0000) at byte 7") == true)
        #expect(try connection.query("SELECT \("still usable")::text").scalar(String.self) == "still usable")
    }

    @Test func decodesArraysAndTextArrayParameters() throws {
        let tricky = ["plain", "with,comma", "with \"quote\"", "back\\slash", "{braces}", ""]
        let row = try connection.query("SELECT \(tricky)::text[], ARRAY[1, NULL, 3]::int4[], '{}'::text[]").row(0)
        #expect(try row.decode(0, as: [String].self) == tricky)
        #expect(try row.decode(1, as: [Int?].self) == [1, nil, 3])
        #expect(try row.decode(2, as: [String].self) == [])
    }

    @Test func nullsDecodeAsNilAndFailAsNonOptional() throws {
        let row = try connection.query("SELECT NULL::text, \(Int?.none)::int").row(0)
        #expect(try row.decode(0, as: String?.self) == nil)
        #expect(try row.decode(1, as: Int?.self) == nil)
        #expect(row.isNull(0))
        #expect(throws: PostgresError.self) { try row.decode(0, as: String.self) }
    }

    @Test func decodingByColumnName() throws {
        let row = try connection.query("SELECT 1 AS one, 'two' AS two").row(0)
        #expect(try row.decode("two", as: String.self) == "two")
        let error = #expect(throws: PostgresError.self) { try row.decode("three", as: Int.self) }
        #expect(error?.message.contains("no column named \"three\"") == true)
    }

    @Test func serverErrorsCarrySQLStateDetailAndHint() throws {
        try connection.execute("CREATE TABLE t (id int PRIMARY KEY)")
        try connection.execute("INSERT INTO t VALUES (1)")
        let unique = #expect(throws: PostgresError.self) { try connection.execute("INSERT INTO t VALUES (\(1))") }
        #expect(unique?.code == .uniqueViolation)
        #expect(unique?.kind == .server)
        #expect(unique?.detail == "Key (id)=(1) already exists.")
        #expect(unique?.description.contains("SQLSTATE 23505") == true)

        let syntax = #expect(throws: PostgresError.self) { try connection.execute("SELEC 1") }
        #expect(syntax?.code == .syntaxError)

        let missing = #expect(throws: PostgresError.self) { try connection.execute("SELECT * FROM no_such_table") }
        #expect(missing?.code == .undefinedTable)
        #expect(missing?.message == "relation \"no_such_table\" does not exist")

        let hinted = #expect(throws: PostgresError.self) { try connection.execute("SELECT no_such_function(1)") }
        #expect(hinted?.code == .undefinedFunction)
        #expect(hinted?.hint?.isEmpty == false)
        // The connection is still usable after errors.
        #expect(try connection.query("SELECT 1").scalar(Int.self) == 1)
    }

    @Test func transactionRollsBackWhenBodyThrows() throws {
        try connection.execute("CREATE TABLE tx (v int)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try connection.transaction { conn in
                try conn.execute("INSERT INTO tx VALUES (1)")
                throw Boom()
            }
        }
        #expect(try connection.query("SELECT count(*) FROM tx").scalar(Int.self) == 0)
        #expect(!connection.inTransaction)
        try connection.transaction { try $0.execute("INSERT INTO tx VALUES (2)") }
        #expect(try connection.query("SELECT count(*) FROM tx").scalar(Int.self) == 1)
    }

    /// The statements in one round trip (pipeline mode) as one implicit transaction — no BEGIN or COMMIT sent, a
    /// local setting holding for the statements after it and ending with them — their answers in order, vectors decoded.
    @Test func aPipelinedTransactionIsOneRoundTripWithItsAnswersInOrder() throws {
        try connection.execute("CREATE TABLE pipe (id int PRIMARY KEY, v vector(3))")
        _ = try connection.vectorTypeOIDs()  // looked up once per connection, before any pipeline
        let defaultEfSearch = try connection.query("SELECT current_setting('hnsw.ef_search')").scalar(String.self)
        let trips = connection.roundTrips
        let sent = connection.statementsSent
        let results = try connection.pipelinedTransaction([
            PipelineStatement("INSERT INTO pipe VALUES (\(1), \(Vector([1, 2, 3]))), (2, '[0,0,1]')"),
            PipelineStatement("SELECT set_config('hnsw.ef_search', \("77"), true)"),
            PipelineStatement("SELECT v FROM pipe ORDER BY v <-> \(Vector([0, 0, 1])) LIMIT 1"),
            PipelineStatement("SELECT count(*)::int8 + \(40) FROM pipe", prepared: true),
            PipelineStatement("SELECT current_setting('hnsw.ef_search')"),
        ])
        #expect(connection.roundTrips - trips == 1)
        #expect(results.count == 5)
        #expect(results[0].affectedRows == 2)
        #expect(try results[2].scalar(Vector.self)?.values == [0, 0, 1])
        #expect(try results[3].scalar(Int.self) == 42)
        #expect(try results[4].scalar(String.self) == "77")
        #expect(connection.statementsSent - sent == 6, "the five statements and the PREPARE, nothing else")
        #expect(!connection.recentStatements.suffix(6).contains { $0 == "BEGIN" || $0 == "COMMIT" })
        #expect(!connection.inTransaction)
        // Committed at the Sync, and the local setting ended with it.
        #expect(try connection.query("SELECT count(*) FROM pipe").scalar(Int.self) == 2)
        #expect(try connection.query("SELECT current_setting('hnsw.ef_search')").scalar(String.self) == defaultEfSearch)
        // The prepared one is reused (no second Parse), also after the server forgot it.
        let again = try connection.pipelinedTransaction([
            PipelineStatement("SELECT count(*)::int8 + \(1) FROM pipe", prepared: true)
        ])
        #expect(try again[0].scalar(Int.self) == 3)
        #expect(!connection.recentStatements.suffix(3).contains { $0.hasPrefix("PREPARE") })
        try connection.execute("DEALLOCATE ALL")
        let forgotten = try connection.pipelinedTransaction([
            PipelineStatement("SELECT count(*)::int8 + \(2) FROM pipe", prepared: true)
        ])
        #expect(try forgotten[0].scalar(Int.self) == 4)
    }

    /// A failing statement: the first error, with SQLSTATE and detail, and nothing of the implicit transaction kept —
    /// the statement before it rolled back by the server at the Sync, without a ROLLBACK round trip.
    @Test func aPipelinedTransactionThatFailsKeepsNothing() throws {
        try connection.execute("CREATE TABLE pipefail (id int PRIMARY KEY)")
        _ = try connection.vectorTypeOIDs()  // looked up once per connection, before any pipeline
        let trips = connection.roundTrips
        let error = #expect(throws: PostgresError.self) {
            try connection.pipelinedTransaction([
                PipelineStatement("INSERT INTO pipefail VALUES (\(1))"),
                PipelineStatement("INSERT INTO pipefail VALUES (\(1))"),
                PipelineStatement("SELECT no_such_function(1)"),
            ])
        }
        #expect(error?.code == .uniqueViolation)
        #expect(error?.detail == "Key (id)=(1) already exists.")
        #expect(error?.statement == "INSERT INTO pipefail VALUES ($1)")
        #expect(connection.roundTrips - trips == 1)
        #expect(!connection.inTransaction)
        #expect(try connection.query("SELECT count(*) FROM pipefail").scalar(Int.self) == 0)
        #expect(try connection.pipelinedTransaction([PipelineStatement("SELECT 1")])[0].scalar(Int.self) == 1)
    }

    /// Each pipelined statement's statement_timestamp() is its own start, so a search's server time (clock minus
    /// statement start) does not include the statements before it.
    @Test func aPipelinedStatementTimesItselfOnly() throws {
        let results = try connection.pipelinedTransaction([
            PipelineStatement("SELECT pg_sleep(0.3)"),
            PipelineStatement("SELECT (extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::float8"),
        ])
        let ms = try #require(try results[1].scalar(Double.self))
        #expect(ms >= 0 && ms < 250, "\(ms) ms")
    }

    /// A prepared statement is parsed once per connection and reused with new values; the server switches it to
    /// its generic plan when asked (what `SearchEngine` does for its scoring statement).
    @Test func preparedStatementsAreReusedAndTakeAGenericPlan() throws {
        try connection.execute("CREATE TABLE prep (id int PRIMARY KEY, v vector(3))")
        try connection.execute("INSERT INTO prep SELECT g, ARRAY[g, 0, 0]::vector FROM generate_series(1, 50) g")
        for round in 1...3 {
            let ids = "{\(round),\(round + 10)}"
            let rows = try connection.transaction { conn in
                try conn.execute("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
                return try conn.queryPrepared(
                    """
                    SELECT id, (v <-> \(Vector([0, 0, 0])))::float8 FROM prep WHERE id = ANY(\(ids)::int4[]) ORDER BY id
                    """
                ).rows
            }
            #expect(try rows.map { try $0.decode(0, as: Int.self) } == [round, round + 10])
            #expect(try rows.map { try $0.decode(1, as: Double.self) } == [Double(round), Double(round + 10)])
        }
        let statements = try connection.query(
            """
            SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE from_sql = false
            """
        ).rows.map { (try $0.decode(0, as: Int.self), try $0.decode(1, as: Int.self)) }
        #expect(statements.count == 1)
        #expect(statements.first?.0 == 3)
        #expect(statements.first?.1 == 0)
    }

    /// A statement the server forgot (DEALLOCATE ALL, a pooler's new backend) is prepared again: at once outside a
    /// transaction; inside one, the failed transaction's error surfaces and the next call succeeds.
    @Test func forgottenPreparedStatementsArePreparedAgain() throws {
        func increment(_ value: Int) -> PostgresQuery { "SELECT \(value)::int4 + 1" }
        #expect(try connection.queryPrepared(increment(1)).scalar(Int.self) == 2)
        try connection.execute("DEALLOCATE ALL")
        #expect(try connection.queryPrepared(increment(2)).scalar(Int.self) == 3)
        try connection.execute("DEALLOCATE ALL")
        let error = #expect(throws: PostgresError.self) {
            try connection.transaction { try $0.queryPrepared(increment(3)) }
        }
        #expect(error?.code == .invalidStatementName)
        #expect(!connection.inTransaction)
        #expect(try connection.queryPrepared(increment(4)).scalar(Int.self) == 5)
        // One forgotten among several still prepared: its new name must not be one of theirs.
        func double(_ value: Int) -> PostgresQuery { "SELECT \(value)::int4 * 2" }
        #expect(try connection.queryPrepared(double(4)).scalar(Int.self) == 8)
        let names = try connection.query("SELECT name FROM pg_prepared_statements ORDER BY prepare_time")
            .rows.map { try $0.decode(0, as: String.self) }
        #expect(names.count == 2)
        try connection.executeScript("DEALLOCATE \(names[0])")  // a name the server listed
        #expect(try connection.queryPrepared(increment(5)).scalar(Int.self) == 6)
        #expect(try connection.queryPrepared(double(5)).scalar(Int.self) == 10)
    }

    @Test(arguments: [1, 384, 1536, 3072])
    func vectorRoundTripsInBinary(dimensions: Int) throws {
        let values = (0..<dimensions).map { Float(sin(Double($0) * 0.37)) * (Float($0 % 7) + 0.5) }
        let vector = Vector(values)
        try connection.execute("CREATE TEMP TABLE IF NOT EXISTS v (id int, e vector)")
        try connection.execute("INSERT INTO v VALUES (\(dimensions), \(vector))")
        let back = try connection.query("SELECT e, vector_dims(e) FROM v WHERE id = \(dimensions)").row(0)
        #expect(try back.decode(0, as: Vector.self) == vector)
        #expect(try back.decode(1, as: Int.self) == dimensions)
        // The server parsed the same numbers we sent: its own text form agrees.
        let firstText = try connection.query("SELECT (e::real[])[1]::float8 FROM v WHERE id = \(dimensions)")
            .scalar(Double.self)
        #expect(firstText.map(Float.init) == values[0])
    }

    @Test(arguments: [1, 384, 1536, 3072])
    func halfvecRoundTripsInBinary(dimensions: Int) throws {
        let vector = HalfVector(rounding: (0..<dimensions).map { Float($0 % 13) / 8 - 0.75 })
        let half = PostgresParameter(vector)
        let row = try connection.query("SELECT \(half)::halfvec, vector_dims(\(half)::halfvec)").row(0)
        #expect(try row.decode(0, as: HalfVector.self) == vector)
        #expect(try row.decode(0, as: Vector.self) == Vector(vector.floats))
        #expect(try row.decode(1, as: Int.self) == dimensions)
    }

    @Test func vectorDistancesMatchPgvectorOperators() throws {
        let a = Vector([1, 0, 0])
        let b = Vector([0.6, 0.8, 0])
        let (pa, pb) = (PostgresParameter(a), PostgresParameter(b))
        let row = try connection.query("SELECT \(pa) <=> \(pb), \(pa) <-> \(pb), \(pa) <#> \(pb)").row(0)
        #expect(abs(try row.decode(0, as: Double.self) - 0.4) < 1e-6)
        #expect(abs(try row.decode(1, as: Double.self) - sqrt(0.16 + 0.64)) < 1e-6)
        #expect(abs(try row.decode(2, as: Double.self) + 0.6) < 1e-6)
    }

    @Test func binaryCopyLoadsRowsOfEveryFieldKind() throws {
        try connection.execute(
            """
            CREATE TABLE c (id int4, big int8, name text, score float8, ok bool, uid uuid, at timestamptz,
                            meta jsonb, e vector, h halfvec, maybe text)
            """)
        let writer = try connection.copyIn("COPY c FROM STDIN (FORMAT binary)")
        let when = Date(timeIntervalSince1970: 1_750_000_000)
        let ids = (0..<2_000).map { _ in UUID() }
        for index in 0..<2_000 {
            let vector = (0..<384).map { Float(($0 + index) % 17) / 17 }
            try writer.writeRow([
                .int32(Int32(index)), .int64(Int64(index) * 1_000_000_000), .text("row \(index) ✓"),
                .float64(Double(index) / 4), .bool(index % 2 == 0), .uuid(ids[index]),
                .timestamptz(when), .jsonb(#"{"i": \#(index)}"#), .vector(Vector(vector)),
                .halfvec(HalfVector(rounding: Array(vector.prefix(8)))), .null,
            ])
        }
        #expect(try writer.finish() == 2_000)
        let row = try connection.query(
            """
            SELECT count(*), sum(id)::int8, bool_and(maybe IS NULL), min(vector_dims(e)) FROM c
            """
        ).row(0)
        #expect(try row.decode(0, as: Int.self) == 2_000)
        #expect(try row.decode(1, as: Int.self) == (0..<2_000).reduce(0, +))
        #expect(try row.decode(2, as: Bool.self))
        #expect(try row.decode(3, as: Int.self) == 384)
        let sample = try connection.query("SELECT name, uid, at, meta->>'i', score, big FROM c WHERE id = 1234").row(0)
        #expect(try sample.decode(0, as: String.self) == "row 1234 ✓")
        #expect(try sample.decode(1, as: UUID.self) == ids[1234])
        #expect(try sample.decode(2, as: Date.self) == when)
        #expect(try sample.decode(3, as: String.self) == "1234")
        #expect(try sample.decode(4, as: Double.self) == 308.5)
        #expect(try sample.decode(5, as: Int.self) == 1_234_000_000_000)
    }

    @Test func copyErrorsSurfaceWithSQLState() throws {
        try connection.execute("CREATE TABLE cv (e vector(3))")
        let writer = try connection.copyIn("COPY cv FROM STDIN (FORMAT binary)")
        try writer.writeRow([.vector(Vector([1, 2]))])
        let error = #expect(throws: PostgresError.self) { try writer.finish() }
        #expect(error?.code == .dataException || error?.code?.rawValue.hasPrefix("22") == true)
        #expect(try connection.query("SELECT 1").scalar(Int.self) == 1)
    }

    @Test func runningQueryCanBeCancelledFromAnotherThread() throws {
        let canceller = try connection.makeCanceller()
        let started = Date()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { canceller.cancel() }
        let error = #expect(throws: PostgresError.self) { try connection.execute("SELECT pg_sleep(30)") }
        #expect(error?.code == .queryCanceled)
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(try connection.query("SELECT 2").scalar(Int.self) == 2)
    }

    @Test func unreachableServerGivesAConnectionErrorWithAHint() throws {
        let port = try FreePort.pick()
        let error = #expect(throws: PostgresError.self) {
            _ = try Connection("postgresql://postgres:secret@127.0.0.1:\(port)/x?connect_timeout=3")
        }
        #expect(error?.kind == .connection)
        #expect(error?.hint?.contains("vecscope db start") == true)
        #expect(error?.description.contains("secret") == false)
    }

    /// libpq waits forever by default for a server that accepts and never answers; vecscope sets connect_timeout.
    @Test func aServerThatNeverAnswersTheStartupTimesOut() throws {
        let silent = try FakeEmbeddingsServer()  // reads for an HTTP request that a startup packet never completes
        defer { silent.stop() }
        let started = Date()
        let error = #expect(throws: PostgresError.self) {
            _ = try Connection("postgresql://vecscope@127.0.0.1:\(silent.port)/postgres", connectTimeout: 2)
        }
        let seconds = Date().timeIntervalSince(started)
        #expect(seconds < 6, "waited \(seconds) s")
        #expect(error?.kind == .connection)
        #expect(ConnectionString.withConnectTimeout("host=h", environment: [:]) == "host=h connect_timeout=10")
        #expect(
            ConnectionString.withConnectTimeout("postgresql://h/d?connect_timeout=3", environment: [:]).hasSuffix("=3"))
        #expect(ConnectionString.withConnectTimeout("host=h", environment: ["PGCONNECT_TIMEOUT": "5"]) == "host=h")
    }

    @Test func passwordsAreRedacted() throws {
        #expect(ConnectionString.redacted("postgresql://u:pw@h:5/db") == "postgresql://u:***@h:5/db")
        #expect(ConnectionString.redacted("host=h password='a b' dbname=d") == "host=h password=*** dbname=d")
        #expect(ConnectionString.redacted("postgresql://h/db?password=x&sslmode=require").contains("x&") == false)
        #expect(ConnectionString.summary("postgresql://u:pw@h:5432/db") == "h:5432/db")
    }

    @Test func sha256MatchesTheServer() throws {
        for text in ["", "abc", String(repeating: "x", count: 1_000), "ünïcødé 漢字 🙂"] {
            let server = try connection.query("SELECT encode(sha256(convert_to(\(text), 'UTF8')), 'hex')")
                .scalar(String.self)
            #expect(SHA256.hex(text) == server)
        }
    }
}
