import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import TestSupport
import Testing
import VecAPI
import VecCore

/// The shared MiniLM as every pool's embedder: one model for the run, as `FixtureDatabase` keeps it.
final class SharedModel: @unchecked Sendable {  // MiniLM is read-only once loaded
    static let instance = SharedModel()
    func embedder() throws -> any Embedder { try FixtureDatabase.model() }
}

enum API {
    /// A configuration that listens on a free port (for live tests) and embeds with the shared model.
    static func configuration() -> APIConfiguration {
        var configuration = APIConfiguration()
        configuration.port = 0
        configuration.makeEmbedder = { _ in try SharedModel.instance.embedder() }
        return configuration
    }

    /// Runs `test` against the real application on the fixture database (or `url`), through `setup` (the router
    /// directly, or a live server on 127.0.0.1), and stops its pool afterwards.
    static func test(
        _ setup: TestingSetup = .router, url: String? = nil,
        configure: (inout APIConfiguration) -> Void = { _ in },
        _ test: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        var configuration = configuration()
        configure(&configuration)
        let pool = APIServer.pool(configuration: configuration, url: try url ?? FixtureDatabase.connectionURL())
        var logger = Logger(label: "vecscope.api.test")
        logger.logLevel = .warning  // a line per request would bury the test output
        let app = APIServer.application(configuration: configuration, pool: pool, logger: logger)
        do {
            try await app.test(setup, test)
        } catch {
            try? await pool.shutdown()
            throw error
        }
        try await pool.shutdown()
    }

    /// A new token for a fixture user.
    static func token(_ user: String, admin: Bool = false) throws -> String {
        let connection = try Connection(try FixtureDatabase.connectionURL())
        return try APITokenStore(connection: connection).create(user: user, name: "test", admin: admin).token
    }

    static func headers(token: String?, contentType: String? = "application/json") -> HTTPFields {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let contentType { headers[.contentType] = contentType }
        return headers
    }

    static func body(_ object: [String: Any]) throws -> ByteBuffer {
        ByteBuffer(data: try JSONSerialization.data(withJSONObject: object))
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
        return try #require(object as? [String: Any], "not a JSON object: \(String(buffer: response.body))")
    }

    /// POSTs `object` as JSON with `token`.
    static func post(
        _ client: any TestClientProtocol, _ uri: String, token: String?, _ object: [String: Any]
    ) async throws -> TestResponse {
        try await client.execute(
            uri: uri, method: .post, headers: headers(token: token), body: try body(object))
    }

    /// The error body's code, checking it has the documented shape (code, message, what).
    static func errorCode(_ response: TestResponse) throws -> String {
        let error = try #require(try json(response)["error"] as? [String: Any])
        #expect(error["message"] is String)
        #expect(error["what"] is String)
        return try #require(error["code"] as? String)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}
