import Foundation

/// A client of a running `vecscope serve`, for `bench-suite http`: POSTs JSON with a bearer token over one kept-alive
/// libcurl connection. Not `Sendable`, as `CurlEasy`: one thread at a time, so each load-generating thread owns one.
public final class APIClient {
    private let curl: CurlEasy
    private let baseURL: String
    private let headers: [String]

    public init(baseURL: String, token: String) throws {
        curl = try CurlEasy(userAgent: "vecscope-bench")
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        headers = ["Content-Type: application/json", "Authorization: Bearer \(token)"]
    }

    /// The status and body of `POST path` with `json`; a transport failure (no response) throws.
    public func post(_ path: String, json: [UInt8], timeout: Double = 60) throws -> (status: Int, body: [UInt8]) {
        do {
            let response = try curl.post(
                url: baseURL + path, headers: headers, body: json, connectTimeout: 10, timeout: timeout)
            return (response.status, response.body)
        } catch let error as CurlEasy.TransportError {
            throw VecscopeError(
                what: "no answer from \(baseURL)", why: error.description,
                fix: "Start `vecscope serve` there first (make bench does).")
        }
    }
}
