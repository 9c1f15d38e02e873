import CCurl
import Foundation

/// One libcurl easy handle that POSTs a body and collects the status, the response headers and the body.
///
/// The handle keeps its connection (and TLS session) between requests to the same host. It is not `Sendable`:
/// libcurl allows one thread at a time per handle, so the owner serialises calls. TLS peer and host verification
/// are on; the proxy variables (`https_proxy`, `HTTPS_PROXY`, `http_proxy`, `NO_PROXY`, …) apply as libcurl reads
/// them by default.
final class CurlEasy {
    struct Response: Sendable, Equatable {
        var status: Int
        /// Response header fields by lower-cased name; a repeated field keeps its last value.
        var headers: [String: String]
        var body: [UInt8]

        func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    /// A request that got no HTTP response: connect or TLS failure, timeout, broken connection.
    struct TransportError: Error, CustomStringConvertible, Sendable, Equatable {
        /// The `CURLcode`.
        var code: Int
        /// `curl_easy_strerror(code)`.
        var message: String
        /// libcurl's error buffer for this transfer, often more specific (host, port, errno); may be empty.
        var detail: String

        var isTimeout: Bool { code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) }

        /// Failures that may succeed on a later attempt (refused or dropped connections, timeouts).
        var isTransient: Bool {
            let transient: [CURLcode] = [
                CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
                CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_SSL_CONNECT_ERROR,
            ]
            return transient.contains { Int($0.rawValue) == code }
        }

        var description: String {
            detail.isEmpty || detail == message
                ? "\(message) (curl error \(code))" : "\(message): \(detail) (curl error \(code))"
        }
    }

    /// What libcurl hands the callbacks; reset before each transfer.
    private final class Sink {
        var body: [UInt8] = []
        var headers: [String: String] = [:]
    }

    /// `curl_global_init` once per process, before the first handle.
    private static let globalInit: CURLcode = CCurl_global_init_default()

    private let handle: UnsafeMutableRawPointer
    private let sink = Sink()
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The header list the handle points at; freed when replaced and in `deinit`.
    private var headerList: UnsafeMutablePointer<curl_slist>?

    init(userAgent: String = "vecscope") throws {
        guard Self.globalInit == CURLE_OK else {
            throw TransportError(
                code: Int(Self.globalInit.rawValue),
                message: String(cString: curl_easy_strerror(Self.globalInit)), detail: "curl_global_init failed")
        }
        guard let handle = curl_easy_init() else {
            throw TransportError(code: Int(CURLE_FAILED_INIT.rawValue), message: "curl_easy_init failed", detail: "")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CCurl_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CCurl_ERROR_SIZE))

        let context = UnsafeRawPointer(Unmanaged.passUnretained(sink).toOpaque())
        try check(CCurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))  // timeouts without SIGALRM: we run on many threads
        try check(CCurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        try check(CCurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        try check(CCurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        try check(CCurl_setopt_ptr(handle, CURLOPT_ACCEPT_ENCODING, ""))  // whatever this libcurl can decode
        try check(CCurl_setopt_ptr(handle, CURLOPT_USERAGENT, userAgent))
        try check(CCurl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try check(CCurl_setopt_write(handle, Self.receiveBody))
        try check(CCurl_setopt_ptr(handle, CURLOPT_WRITEDATA, context))
        try check(CCurl_setopt_header(handle, Self.receiveHeader))
        try check(CCurl_setopt_ptr(handle, CURLOPT_HEADERDATA, context))
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// POSTs `body` to `url` with `headers` (`"Name: value"` lines) and returns whatever HTTP status came back;
    /// throws `TransportError` only when no complete response arrived.
    func post(url: String, headers: [String], body: [UInt8], connectTimeout: Double, timeout: Double) throws -> Response
    {
        try check(CCurl_setopt_ptr(handle, CURLOPT_URL, url))
        try check(CCurl_setopt_long(handle, CURLOPT_POST, 1))
        try check(CCurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout)))
        try check(CCurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout)))

        var list: UnsafeMutablePointer<curl_slist>?
        // An empty "Expect:" stops libcurl waiting for "100 Continue" before sending large bodies.
        for line in headers + ["Expect:"] {
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw TransportError(
                    code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "curl_slist_append failed", detail: "")
            }
            list = appended
        }
        try check(CCurl_setopt_ptr(handle, CURLOPT_HTTPHEADER, list))
        curl_slist_free_all(headerList)  // the handle no longer points at the old list
        headerList = list

        sink.body.removeAll(keepingCapacity: true)
        sink.headers.removeAll()
        errorBuffer[0] = 0
        let payload = body.isEmpty ? [0] : body
        let code = payload.withUnsafeBytes { bytes -> CURLcode in
            // CURLOPT_POSTFIELDS is not copied: it stays valid only inside this closure, so clear it before leaving.
            defer { _ = CCurl_setopt_ptr(handle, CURLOPT_POSTFIELDS, nil) }
            let size = CCurl_setopt_int64(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            guard size == CURLE_OK else { return size }
            let fields = CCurl_setopt_ptr(handle, CURLOPT_POSTFIELDS, bytes.baseAddress)
            guard fields == CURLE_OK else { return fields }
            return curl_easy_perform(handle)
        }
        try check(code)

        var status = 0
        try check(CCurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status))
        return Response(status: status, headers: sink.headers, body: sink.body)
    }

    private func check(_ code: CURLcode) throws {
        guard code != CURLE_OK else { return }
        let detail = errorBuffer[0] == 0 ? "" : String(cString: errorBuffer)
        throw TransportError(
            code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)), detail: detail)
    }

    private static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }  // 0 = libcurl's default (no total limit)
        return max(1, Int((seconds * 1000).rounded(.up)))
    }

    private static let receiveBody:
        @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
            data, size, count, context in
            let length = size * count
            guard let data, let context else { return 0 }  // any other count than `length` aborts the transfer
            let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
            data.withMemoryRebound(to: UInt8.self, capacity: length) {
                sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
            }
            return length
        }

    private static let receiveHeader:
        @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
            data, size, count, context in
            let length = size * count
            guard let data, let context else { return length }
            let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
            let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.hasPrefix("HTTP/") {
                sink.headers.removeAll()  // a new response starts (after "100 Continue" or a proxy's CONNECT reply)
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                sink.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return length
        }
}

@available(*, unavailable)
extension CurlEasy: Sendable {}

extension CurlEasy.TransportError: ReportableError {
    /// Normally wrapped in an `EmbeddingProviderError` naming the server; this is the report when one escapes alone.
    var report: ErrorReport {
        ErrorReport(
            what: "an HTTP request got no response (curl error \(code): \(message))",
            why: detail == message ? nil : detail,
            fix: isTimeout
                ? "Try again, or send smaller batches."
                : "Check the URL, the network and any proxy settings (https_proxy, NO_PROXY).")
    }
}
