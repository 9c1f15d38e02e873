import Foundation
import Hummingbird
import HummingbirdAuth
import NIOCore
import VecCore

/// The request context of every route: Hummingbird's core, plus the caller once a bearer token named one.
public struct APIContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: APICaller?

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
    }

    /// The authenticated caller; `/api` routes sit behind `BearerTokenMiddleware`, so this only fails if one does
    /// not.
    func caller() throws -> APICaller {
        guard let identity else { throw APIError.unauthorized(tokenSent: false) }
        return identity
    }
}

/// Every `/api` request must carry `Authorization: Bearer <token>` of an active token; the caller is its user.
/// Missing or wrong → 401 with `WWW-Authenticate`. The token is hashed and looked up, never logged.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let pool: DatabasePool

    func handle(
        _ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response
    )
        async throws -> Response
    {
        guard let token = request.headers.bearer?.token, !token.isEmpty else {
            throw APIError.unauthorized(tokenSent: false)
        }
        let caller = try await pool.withWorker { worker in
            try APITokenStore(connection: try worker.connection).caller(forToken: token)
        }
        guard let caller else { throw APIError.unauthorized(tokenSent: true) }
        var context = context
        context.identity = caller
        return try await next(request, context)
    }
}

/// Turns whatever the routes (or the router: an unknown route or method) threw into an `APIError` response.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIContext

    func handle(
        _ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response
    )
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // No route matched: another method on a known path is 405 with Allow, not 404 (the path exists).
            guard let allowed = Routes.methods(forPath: request.uri.path), !allowed.contains(request.method) else {
                return try APIError(error).response(from: request, context: context)
            }
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            return try APIError(
                status: .methodNotAllowed, code: "method_not_allowed",
                report: ErrorReport(what: "\(request.method.rawValue) is not allowed here", fix: "Use \(allow)."),
                headers: [.allow: allow]
            ).response(from: request, context: context)
        } catch {
            return try APIError(error, logger: context.logger).response(from: request, context: context)
        }
    }
}

/// A request's JSON body, read once and decoded as one or more types (a route's request and `SearchKnobs`).
struct JSONBody {
    let data: Data

    /// 400 (`invalid_json`) when the body is not JSON or not of `T`'s shape.
    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(T.self, from: data)
    }
}

extension Request {
    /// The JSON body: 415 unless it says JSON, 413 past `limit` bytes.
    func jsonBody(limit: Int) async throws -> JSONBody {
        let mediaType = headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces)
        guard let mediaType, mediaType.lowercased() == "application/json" || mediaType.lowercased().hasSuffix("+json")
        else {
            throw APIError(
                status: .unsupportedMediaType, code: "unsupported_media_type",
                report: ErrorReport(
                    what: "the body is not JSON", why: "Content-Type is \(headers[.contentType] ?? "missing")",
                    fix: "Send a JSON object with Content-Type: application/json."))
        }
        var request = self  // collectBody keeps the collected bytes in the request, so it mutates it
        return JSONBody(data: Data(buffer: try await request.collectBody(upTo: limit)))
    }
}
