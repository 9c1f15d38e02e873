import Foundation
import TestSupport
import Testing

@testable import VecCore

/// Issue 15 #8: a missing `vector` extension gave `column "embedding_vector" does not exist` (even for keyword
/// search) while `models` still counted fresh vectors, and a role without CREATE saw only `permission denied for
/// schema public`. Connecting now says what is missing, why and what to do, before the first query.
@Suite struct DatabaseEnvironmentTests {
    /// `url` with another user (the embedded server trusts local connections).
    private func url(_ url: String, user: String) throws -> String {
        var parts = try #require(URLComponents(string: url))
        parts.user = user
        parts.password = nil
        return try #require(parts.string)
    }

    @Test func aDroppedExtensionIsDiagnosedAndMigrateRestoresIt() throws {
        let (connection, url) = try TestDatabase.fresh()
        try connection.execute("INSERT INTO users (external_id) VALUES ('u1')")
        try connection.execute(
            """
            INSERT INTO artifacts (user_id, external_id, artifact_type, title, content_hash)
            SELECT id, 'a1', 'project', 'Tracing', repeat('0', 64) FROM users
            """)
        try connection.execute(
            """
            INSERT INTO artifact_embeddings (artifact_id, user_id, content_type, model_version, model_dimensions,
                                             embedding_vector, content_hash)
            SELECT id, user_id, 'full', 'all-MiniLM-L6-v2', 384, array_fill(0.1, ARRAY[384])::vector, content_hash FROM artifacts
            """)
        try connection.execute("DROP EXTENSION vector CASCADE")

        let error = #expect(throws: VecscopeError.self) { try DatabaseTarget.verify(connection) }
        #expect(error?.what.hasPrefix("the vector extension is not installed in database ") == true)
        #expect(error?.fix == "Run `vecscope migrate`, which creates it again.")

        let repaired = try DatabaseTarget(source: .external(url)).connect()
        let environment = try DatabaseEnvironment.read(repaired)
        #expect(environment.vectorVersion != nil && environment.tablesMissingVectors.isEmpty)
        let model = try EmbeddingModelRegistry(connection: repaired).model(named: "all-MiniLM-L6-v2")
        let status = try ModelStatus.of(model, connection: repaired)
        #expect(status.fresh == 0 && status.missing == 1)  // the vectors went with the extension; none is counted
        var params = SearchParams()
        params.method = .keyword
        let engine = SearchEngine(connection: repaired, makeEmbedder: { _ in try FixtureDatabase.model() })
        #expect(try engine.search(text: "tracing", params: params).results.map(\.externalID) == ["a1"])
    }

    @Test func aRoleThatMayNotCreateTheExtensionOrTablesIsToldWhoMust() throws {
        let (admin, adminURL) = try TestDatabase.fresh(migrate: false)
        let role = "limited_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        try admin.executeScript("CREATE ROLE \(role) LOGIN")  // a name made above; DDL takes no parameters
        let limitedURL = try url(adminURL, user: role)

        let noExtension = #expect(throws: VecscopeError.self) {
            try DatabaseTarget(source: .external(limitedURL)).connect()
        }
        #expect(noExtension?.what.hasPrefix("the vector extension is not installed in database ") == true)
        #expect(noExtension?.why == "role \(role) may not create it (CREATE EXTENSION vector needs a superuser)")
        #expect(noExtension?.fix?.hasPrefix("Have a superuser run CREATE EXTENSION vector;") == true)

        try admin.execute("CREATE EXTENSION vector")
        let noTables = #expect(throws: VecscopeError.self) {
            try DatabaseTarget(source: .external(limitedURL)).connect()
        }
        #expect(noTables?.what.hasPrefix("vecscope's tables are not set up in database ") == true)
        #expect(noTables?.why?.contains("may not create tables") == true)
        #expect(noTables?.fix?.contains("GRANT CREATE ON SCHEMA public TO \(role);") == true)
    }
}
