import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 that speaks the OpenAI embeddings API, for tests.
///
/// Vectors are derived from the input text (seeded by its hash, unit length), so a test can compute what it
/// should get back with `FakeEmbeddingsServer.vector(for:dimensions:)`. Each request takes the next scripted
/// `Behaviour` (`.ok` once the script runs out) and is recorded for assertions. Every connection is served on its own
/// thread and closed after one response (`Connection: close`), so a slow answer does not hold up the next request.
/// Call `stop()` when done: the accept thread keeps the server alive until then.
final class FakeEmbeddingsServer: @unchecked Sendable {
    enum Behaviour: Sendable, Equatable {
        case ok
        /// 429 with the given `Retry-After` (none if nil).
        case rateLimited(retryAfter: String?)
        /// 429 with `code: insufficient_quota`.
        case quotaExhausted
        case serverError
        /// A correct answer after a pause.
        case slow(seconds: Double)
        /// 200 with a body that is not JSON.
        case malformedJSON
        /// 200 with a correctly framed body that holds only the first half of the JSON.
        case truncatedJSON
        /// Announces the full length, sends half, then closes the connection.
        case droppedConnection
        case wrongDimensions(Int)
        /// One component of the first vector replaced (base64 only: JSON has no NaN).
        case nonFinite(Float)
        /// The first vector all zeros (a broken model or a server padding a failed input).
        case zeroVector
        /// Reads the request, then keeps the connection open and says nothing until the server stops.
        case neverAnswers
        /// One embedding fewer than inputs.
        case missingEmbedding
        /// A body without `data`.
        case missingData
        /// Float arrays even when base64 was asked for.
        case floatArrays
        /// `data` in reverse order (each item keeps its `index`).
        case reversedOrder
        /// 401 whose message echoes the bearer token back, as careless servers do.
        case unauthorized
        case notFound
        case badRequest(String)
        /// 400 for `encoding_format: base64`, like a server that only knows floats; floats are served.
        case rejectsBase64
    }

    struct Request: Sendable {
        var method: String
        var path: String
        /// Header fields by lower-cased name.
        var headers: [String: String]
        var model: String?
        var inputs: [String]
        var encodingFormat: String?
        var dimensions: Int?
        /// Whether the body carried a `dimensions` key at all.
        var sentDimensions: Bool
    }

    let port: Int
    let nativeDimensions: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private let listener: Int32
    private let lock = NSLock()
    private var script: [Behaviour] = []
    private var recorded: [Request] = []
    private var stopped = false

    init(dimensions: Int = 8) throws {
        nativeDimensions = dimensions
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw ServerError("bind/listen on 127.0.0.1: \(message)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "FakeEmbeddingsServer:\(port)"
        thread.start()
    }

    /// Queues behaviours for the next requests, in order.
    func script(_ behaviours: Behaviour...) {
        lock.lock()
        script.append(contentsOf: behaviours)
        lock.unlock()
    }

    var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    /// Stops accepting; the accept thread closes the listening socket within 0.1 s.
    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    // MARK: What the server computes

    /// The vector served for `text`: components from a generator seeded by the text's FNV-1a hash, unit length.
    static func vector(for text: String, dimensions: Int) -> [Float] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            state ^= UInt64(byte)
            state = state &* 0x0000_0100_0000_01b3
        }
        var values: [Float] = []
        values.reserveCapacity(dimensions)
        for _ in 0..<dimensions {
            state = state &+ 0x9e37_79b9_7f4a_7c15  // SplitMix64
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            z ^= z >> 31
            values.append(Float(Double(z >> 11) / Double(1 << 53) * 2 - 1))
        }
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? values.map { $0 / norm } : values
    }

    /// The tokens the server bills for `text`.
    static func tokens(for text: String) -> Int { max(1, (text.utf8.count + 3) / 4) }

    static func base64(_ vector: [Float]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString()
    }

    // MARK: Serving

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func acceptLoop() {
        defer { close(listener) }
        while !isStopped {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            Thread.detachNewThread { [self] in
                serve(client)
                close(client)
            }
        }
    }

    private func serve(_ client: Int32) {
        guard let (head, body) = readRequest(client) else { return }
        let lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.first?.split(separator: " ").map(String.init) ?? []
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        let request = Request(
            method: requestLine.first ?? "", path: requestLine.count > 1 ? requestLine[1] : "", headers: headers,
            model: json["model"] as? String, inputs: json["input"] as? [String] ?? [],
            encodingFormat: json["encoding_format"] as? String, dimensions: json["dimensions"] as? Int,
            sentDimensions: json["dimensions"] != nil)
        lock.lock()
        recorded.append(request)
        let behaviour = script.isEmpty ? .ok : script.removeFirst()
        lock.unlock()
        respond(to: request, with: behaviour, on: client)
    }

    private func respond(to request: Request, with behaviour: Behaviour, on client: Int32) {
        let dimensions = request.dimensions ?? nativeDimensions
        switch behaviour {
        case .ok:
            send(client, 200, embeddings(request, dimensions: dimensions))
        case .rateLimited(let retryAfter):
            send(
                client, 429, Self.error("Rate limit reached for requests", code: "rate_limit_exceeded"),
                headers: retryAfter.map { ["Retry-After: \($0)"] } ?? [])
        case .quotaExhausted:
            send(
                client, 429,
                Self.error(
                    "You exceeded your current quota, please check your plan and billing details.",
                    code: "insufficient_quota"))
        case .serverError:
            send(client, 500, Self.error("The server had an error while processing your request.", code: nil))
        case .slow(let seconds):
            Thread.sleep(forTimeInterval: seconds)
            send(client, 200, embeddings(request, dimensions: dimensions))
        case .malformedJSON:
            send(client, 200, Array("<html>upstream gateway said hello</html>".utf8))
        case .truncatedJSON:
            let full = embeddings(request, dimensions: dimensions)
            send(client, 200, Array(full.prefix(full.count / 2)))
        case .droppedConnection:
            let full = embeddings(request, dimensions: dimensions)
            send(client, 200, Array(full.prefix(full.count / 2)), declaredLength: full.count)
        case .wrongDimensions(let wrong):
            send(client, 200, embeddings(request, dimensions: wrong))
        case .nonFinite(let value):
            send(client, 200, embeddings(request, dimensions: dimensions, poison: value))
        case .zeroVector:
            send(client, 200, embeddings(request, dimensions: dimensions, zeroFirst: true))
        case .neverAnswers:
            while !isStopped { Thread.sleep(forTimeInterval: 0.05) }
        case .missingEmbedding:
            send(client, 200, embeddings(request, dimensions: dimensions, dropLast: true))
        case .missingData:
            send(
                client, 200,
                Array(#"{"object": "list", "model": "x", "usage": {"prompt_tokens": 1, "total_tokens": 1}}"#.utf8))
        case .floatArrays:
            send(client, 200, embeddings(request, dimensions: dimensions, forceFloats: true))
        case .reversedOrder:
            send(client, 200, embeddings(request, dimensions: dimensions, reversed: true))
        case .unauthorized:
            let token = request.headers["authorization"]?.replacingOccurrences(of: "Bearer ", with: "") ?? ""
            send(
                client, 401,
                Self.error(
                    "Incorrect API key provided: \(token). You can find your API key at "
                        + "https://platform.openai.com/account/api-keys.", code: "invalid_api_key"))
        case .notFound:
            send(
                client, 404,
                Self.error(
                    "The model `\(request.model ?? "")` does not exist or you do not have access to it.",
                    code: "model_not_found"))
        case .badRequest(let message):
            send(client, 400, Self.error(message, code: nil))
        case .rejectsBase64:
            if request.encodingFormat == "base64" {
                send(
                    client, 400, Self.error("unsupported encoding_format: base64", code: nil, param: "encoding_format"))
            } else {
                send(client, 200, embeddings(request, dimensions: dimensions))
            }
        }
    }

    private func embeddings(
        _ request: Request, dimensions: Int, forceFloats: Bool = false, reversed: Bool = false,
        dropLast: Bool = false, poison: Float? = nil, zeroFirst: Bool = false
    ) -> [UInt8] {
        let base64 = request.encodingFormat == "base64" && !forceFloats
        var items: [[String: Any]] = request.inputs.enumerated().map { index, text in
            var vector = Self.vector(for: text, dimensions: dimensions)
            if index == 0, let poison, !vector.isEmpty { vector[vector.count / 2] = poison }
            if index == 0, zeroFirst { vector = vector.map { _ in 0 } }
            let embedding: Any = base64 ? Self.base64(vector) : vector.map { Double($0) }
            return ["object": "embedding", "index": index, "embedding": embedding]
        }
        if reversed { items.reverse() }
        if dropLast, !items.isEmpty { items.removeLast() }
        let tokens = request.inputs.reduce(0) { $0 + Self.tokens(for: $1) }
        let object: [String: Any] = [
            "object": "list", "data": items, "model": request.model ?? "",
            "usage": ["prompt_tokens": tokens, "total_tokens": tokens],
        ]
        return Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    private static func error(_ message: String, code: String?, param: String? = nil) -> [UInt8] {
        var error: [String: Any] = ["message": message, "type": "invalid_request_error"]
        error["code"] = code ?? NSNull()
        error["param"] = param ?? NSNull()
        return Array((try? JSONSerialization.data(withJSONObject: ["error": error])) ?? Data())
    }

    /// Reads up to the end of the head and then `Content-Length` bytes of body; nil if the peer went away.
    private func readRequest(_ client: Int32) -> (head: String, body: [UInt8])? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        var expected = 0
        while true {
            if headEnd == nil, let end = Self.find(separator, in: buffer) {
                headEnd = end
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                for line in head.components(separatedBy: "\r\n") {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        expected = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                    if parts.count == 2, parts[0].lowercased() == "expect",
                        parts[1].trimmingCharacters(in: .whitespaces).lowercased() == "100-continue"
                    {
                        write(client, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                    }
                }
            }
            if let headEnd, buffer.count - (headEnd + 4) >= expected {
                let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
                return (head, Array(buffer[(headEnd + 4)..<(headEnd + 4 + expected)]))
            }
            let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    private func send(
        _ client: Int32, _ status: Int, _ body: [UInt8], headers: [String] = [], declaredLength: Int? = nil
    ) {
        let reasons = [
            200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests",
            500: "Internal Server Error",
        ]
        var head = "HTTP/1.1 \(status) \(reasons[status] ?? "Status")\r\n"
        head +=
            "Content-Type: application/json\r\nContent-Length: \(declaredLength ?? body.count)\r\nConnection: close\r\n"
        for header in headers { head += header + "\r\n" }
        head += "\r\n"
        write(client, Array(head.utf8) + body)
    }

    /// Writes everything, or gives up quietly when the client has gone (MSG_NOSIGNAL: no SIGPIPE).
    private func write(_ client: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }

    struct ServerError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
