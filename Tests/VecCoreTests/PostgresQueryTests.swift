import Foundation
import TestSupport
import Testing

@testable import VecCore

/// The interpolating query type: numbering, nesting, fragments — without a database.
@Suite struct PostgresQueryTests {
    /// The binds as text, for comparing.
    private func bound(_ query: PostgresQuery) -> [PostgresBind] { query.binds.map(\.postgresBind) }

    @Test func valuesBecomePlaceholdersNumberedInOrder() {
        let query: PostgresQuery = "SELECT \("a") || \(1)::text WHERE x = \(2.5) AND y IS \(Int?.none)"
        #expect(query.sql == "SELECT $1 || $2::text WHERE x = $3 AND y IS $4")
        #expect(bound(query) == [.text("a"), .text("1"), .text("2.5"), .null])
    }

    @Test func aLiteralWithoutValuesIsItsText() {
        let query: PostgresQuery = "SELECT 1"
        #expect(query.sql == "SELECT 1")
        #expect(query.binds.isEmpty)
        #expect(!query.isEmpty)
        #expect(PostgresQuery().isEmpty)
    }

    @Test func nestedQueriesAreRenumberedAfterTheOuterOnes() {
        let filter: PostgresQuery = "a.user_id = \(7) AND a.type = ANY(\(["x", "y"])::text[])"
        let query: PostgresQuery = "SELECT \(1) FROM a WHERE \(filter) LIMIT \(10)"
        #expect(query.sql == "SELECT $1 FROM a WHERE a.user_id = $2 AND a.type = ANY($3::text[]) LIMIT $4")
        let types = PostgresBind.text(#"{"x","y"}"#, oid: PostgresType.textArray)
        #expect(bound(query) == [.text("1"), .text("7"), types, .text("10")])
        // Appending renumbers the same way.
        var appended: PostgresQuery = "SELECT \(1) FROM a WHERE true"
        appended += " AND \(filter)"
        #expect(appended.sql == "SELECT $1 FROM a WHERE true AND a.user_id = $2 AND a.type = ANY($3::text[])")
        #expect((("SELECT \(5)" as PostgresQuery) + " + \(6)").sql == "SELECT $1 + $2")
    }

    @Test func aSharedParameterKeepsOnePlaceholderAcrossNesting() {
        let vector = PostgresParameter(Vector([1, 2, 3]))
        let order: PostgresQuery = " ORDER BY e <=> \(vector) LIMIT \(5)"
        var query: PostgresQuery = "SELECT e <=> \(vector), \("t") FROM v"
        query += order
        #expect(query.sql == "SELECT e <=> $1, $2 FROM v ORDER BY e <=> $1 LIMIT $3")
        #expect(bound(query) == [.vector(Vector([1, 2, 3])), .text("t"), .text("5")])
        // Nested once more, after other values: still one number, the one it got first.
        let outer: PostgresQuery = "WITH x AS (SELECT \(0)) \(query)"
        #expect(outer.sql == "WITH x AS (SELECT $1) SELECT e <=> $2, $3 FROM v ORDER BY e <=> $2 LIMIT $4")
        #expect(outer.binds.count == 4)
    }

    @Test func rebindingReplacesASharedParameterEverywhereAndKeepsTheText() {
        let vector = PostgresParameter(Vector([1, 2, 3]))
        let query: PostgresQuery = "SELECT e <=> \(vector), \("t") FROM v ORDER BY e <=> \(vector)"
        let other = query.rebinding(vector, to: Vector([4, 5, 6]))
        #expect(other.sql == query.sql)
        #expect(bound(other) == [.vector(Vector([4, 5, 6])), .text("t")])
        #expect(bound(query) == [.vector(Vector([1, 2, 3])), .text("t")])
    }

    @Test func fragmentsAreSplicedVerbatim() {
        let model = EmbeddingModel(name: "all-MiniLM-L6-v2", provider: .local, dimensions: 384, storage: .vector)
        let big = EmbeddingModel(name: "o'dd", provider: .openai, dimensions: 3072, storage: .halfvec)
        let query: PostgresQuery = """
            SELECT e\(sql: .vectorCast(model)) \(sql: .distanceOperator(.innerProduct)) \(Vector([1])) \
            WHERE m = \(sql: .modelNameLiteral(model)) OR m = \(sql: .modelNameLiteral(big)) \
            LIMIT \(sql: .integer(64))\(sql: " + 0")
            """
        #expect(query.sql == "SELECT e::vector(384) <#> $1 WHERE m = 'all-MiniLM-L6-v2' OR m = 'o''dd' LIMIT 64 + 0")
        #expect(query.binds.count == 1)
        #expect(SQLFragment.vectorCast(big).text == "::halfvec(3072)")
        #expect(SQLFragment.distanceOperator(.cosine).text == "<=>" && SQLFragment.distanceOperator(.l2).text == "<->")
    }

    @Test func valuesAreNeverSplicedIntoTheText() {
        let hostile = "x'); DROP TABLE users; --"
        let query: PostgresQuery = "SELECT \(hostile)::text, \([hostile])::text[]"
        #expect(query.sql == "SELECT $1::text, $2::text[]")
        #expect(!query.sql.contains("DROP"))
    }
}

/// The same, against the real server: what is bound comes back as data.
@Suite struct PostgresQueryDatabaseTests {
    let connection: Connection

    init() throws {
        connection = try TestDatabase.fresh(migrate: false).connection
    }

    @Test func aValueWithSQLInItRoundTripsAsData() throws {
        try connection.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")
        let hostile = "'; DROP TABLE notes; --"
        try connection.execute("INSERT INTO notes VALUES (\(1), \(hostile))")
        #expect(try connection.query("SELECT body FROM notes WHERE id = \(1)").scalar(String.self) == hostile)
        #expect(try connection.query("SELECT count(*) FROM notes WHERE body = \(hostile)").scalar(Int.self) == 1)
        let quoted = #"a"b\c,{d}"#
        #expect(try connection.query("SELECT \([quoted, hostile])::text[]").scalar([String].self) == [quoted, hostile])
    }

    @Test func nestedAndSharedParametersBindTheRightValues() throws {
        let word = PostgresParameter("kafka")
        let inner: PostgresQuery = "SELECT \(word) || \("-") || \(word) AS w"
        let outer: PostgresQuery = "SELECT \(10)::int8 AS n, x.w FROM (\(inner)) x WHERE x.w LIKE \(word) || '%'"
        let row = try connection.query(outer).row(0)
        #expect(try row.decode("n", as: Int.self) == 10)
        #expect(try row.decode("w", as: String.self) == "kafka-kafka")
        #expect(try connection.queryPrepared(outer).row(0).decode("w", as: String.self) == "kafka-kafka")
    }
}
