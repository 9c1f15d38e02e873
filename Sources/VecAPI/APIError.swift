import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VecCore

/// Every error the API answers with: a status, a stable code and the `ErrorReport` every face shows, as
/// `ErrorResponseBody` JSON. Whatever a route throws becomes one of these (`init(_:)`); nothing else reaches a client,
/// so no stack trace or SQL text ever does.
struct APIError: HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    var report: ErrorReport
    var headers: HTTPFields = [:]

    init(status: HTTPResponse.Status, code: String, report: ErrorReport, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.report = report
        self.headers = headers
    }

    /// Seconds a client should wait before retrying a 503.
    static let retryAfterSeconds = 5

    static func unauthorized(tokenSent: Bool) -> APIError {
        let challenge =
            tokenSent ? #"Bearer realm="vecscope", error="invalid_token""# : #"Bearer realm="vecscope""#
        return APIError(
            status: .unauthorized, code: "unauthorized",
            report: ErrorReport(
                what: tokenSent ? "the bearer token is not valid" : "no bearer token",
                why: tokenSent ? "it is unknown or revoked" : "every /api route needs Authorization: Bearer <token>",
                fix: "Create a token with `vecscope users token create USER` and send it as Authorization: Bearer …"),
            headers: [.wwwAuthenticate: challenge])
    }

    static func invalidRequest(_ what: String, why: String? = nil, fix: String? = nil) -> APIError {
        APIError(status: .badRequest, code: "invalid_request", report: ErrorReport(what: what, why: why, fix: fix))
    }

    /// The answer for any error a route or the framework threw.
    init(_ error: any Error, logger: Logger? = nil) {
        switch error {
        case let error as APIError:
            self = error
        case let error as VecscopeError:
            switch error.kind {
            case .invalidInput: self.init(status: .badRequest, code: "invalid_request", report: error.report)
            case .notFound: self.init(status: .notFound, code: "not_found", report: error.report)
            case .forbidden: self.init(status: .forbidden, code: "forbidden", report: error.report)
            case .failure: self.init(status: .internalServerError, code: "internal_error", report: error.report)
            }
        case let error as PostgresError where error.kind == .connection:
            self.init(
                status: .serviceUnavailable, code: "database_unavailable",
                report: ErrorReport(
                    what: "the database is unavailable", why: error.message,
                    fix: "Retry after the Retry-After seconds; check the server with `vecscope db status`."),
                headers: [.retryAfter: String(Self.retryAfterSeconds)])
        case let error as PostgresError where error.code == .queryCanceled:
            self.init(
                status: .serviceUnavailable, code: "deadline_exceeded",
                report: ErrorReport(
                    what: "the request ran past its deadline", why: "the database statement was cancelled",
                    fix: "Retry later, or narrow the request (a smaller limit, top_k or ef_search)."),
                headers: [.retryAfter: String(Self.retryAfterSeconds)])
        case let error as PostgresError where error.kind == .encoding:
            // A value of the request that PostgreSQL cannot hold (a NUL in a text): the request's fault, not ours.
            self.init(
                status: .badRequest, code: "invalid_request",
                report: ErrorReport(what: error.message, sqlState: error.code?.rawValue, hint: error.hint))
        case let error as PostgresError:
            // The server's message and SQLSTATE help; the statement and DETAIL (row values) stay in the log.
            logger?.error("database error: \(error.debugDescription)")
            self.init(
                status: .internalServerError, code: "database_error",
                report: ErrorReport(what: error.message, sqlState: error.code?.rawValue, hint: error.hint))
        case let error as PoolBusy:
            self.init(
                status: .serviceUnavailable, code: "busy", report: error.report,
                headers: [.retryAfter: String(Self.retryAfterSeconds)])
        case let error as DecodingError:
            self.init(status: .badRequest, code: "invalid_json", report: Self.report(error))
        case let error as any HTTPResponseError:
            // The framework's own: an unknown route, a body over the limit (NIOTooManyBytesError), …
            self.init(status: error.status, code: Self.code(for: error.status), report: Self.report(error))
        default:
            logger?.error("unexpected error: \(String(reflecting: error))")
            self.init(
                status: .internalServerError, code: "internal_error",
                report: ErrorReport(what: "internal error", fix: "The server log has the details."))
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let json = try JSONText.encode(ErrorResponseBody(code: code, report: report), pretty: false)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    private static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .contentTooLarge: "body_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        case .unauthorized: "unauthorized"
        default: status.code < 500 ? "invalid_request" : "internal_error"
        }
    }

    private static func report(_ error: any HTTPResponseError) -> ErrorReport {
        switch error.status {
        case .notFound:
            ErrorReport(what: "no such route", fix: "GET /openapi.json lists every route.")
        case .contentTooLarge:
            ErrorReport(
                what: "the request body is too large",
                fix: "Send a smaller body, or start serve with a larger --max-body.")
        default:
            ErrorReport(what: (error as? HTTPError)?.body ?? error.status.reasonPhrase)
        }
    }

    /// A decoding failure in words a client can act on: which field, and what was wrong with it.
    private static func report(_ error: DecodingError) -> ErrorReport {
        // The body's own spelling: the decoder converts from snake_case, so keys come back as Swift names.
        func snakeCase(_ name: String) -> String {
            name.reduce(into: "") { text, character in
                if character.isUppercase { text += "_" + character.lowercased() } else { text.append(character) }
            }
        }
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? snakeCase($0.stringValue) }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return ErrorReport(
                what: "missing field \(path(context.codingPath + [key]))", fix: "GET /openapi.json has every body.")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return ErrorReport(
                what: "field \(path(context.codingPath)) has the wrong type", why: "expected \(Self.jsonType(type))",
                fix: "GET /openapi.json has every body.")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return ErrorReport(what: "the body is not valid JSON", fix: "Send a JSON object.")
        case .dataCorrupted(let context):
            return ErrorReport(
                what: "field \(path(context.codingPath)) is not valid", why: context.debugDescription,
                fix: "GET /openapi.json has every body.")
        @unknown default:
            return ErrorReport(what: "the body could not be read as JSON")
        }
    }

    private static func jsonType(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}
