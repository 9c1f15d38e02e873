import Foundation
import Logging

/// Embeddings from the OpenAI API or any server that speaks it (`POST {base}/v1/embeddings`): Ollama, vLLM,
/// LocalAI, text-embeddings-inference, LiteLLM …
///
/// Inputs are sent in batches bounded by count and by estimated tokens; vectors come back base64-encoded
/// (little-endian float32) or, from servers that ignore that, as float arrays. 429, 5xx and dropped connections
/// are retried with exponential backoff and jitter, honouring `Retry-After`; other 4xx fail at once. Every
/// response is checked (count, order, dimensions, finite values) before a vector is returned.
///
/// Calls are serialised: one embedder owns one libcurl handle (and its kept-alive connection).
/// The API key is sent only as `Authorization: Bearer …` and never appears in an error or a log line.
public final class OpenAIEmbedder: Embedder, @unchecked Sendable {
    /// Sleeps for the given number of seconds; injected so tests can observe backoff without waiting.
    public typealias Sleeper = @Sendable (Double) -> Void

    public static let defaultBaseURL = "https://api.openai.com"

    // MARK: Configuration

    /// When and how long to wait before trying a request again.
    public struct RetryPolicy: Sendable, Equatable {
        /// Attempts per request, the first included (1 = no retries).
        public var maxAttempts: Int
        /// The backoff before the second attempt; it doubles per attempt.
        public var baseDelay: Double
        /// The longest backoff between attempts.
        public var maxDelay: Double
        /// The longest wait a server's `Retry-After` can impose.
        public var retryAfterCap: Double

        public init(maxAttempts: Int = 6, baseDelay: Double = 0.5, maxDelay: Double = 20, retryAfterCap: Double = 60) {
            self.maxAttempts = maxAttempts
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
            self.retryAfterCap = retryAfterCap
        }

        /// The wait after `failures` failed attempts (1, 2, …): `baseDelay·2^(failures−1)` capped at `maxDelay`,
        /// with "equal jitter" — half fixed, half `random` (0…1) — so clients that failed together spread out.
        public func backoff(afterFailures failures: Int, random: Double) -> Double {
            let exponential = baseDelay * pow(2, Double(min(max(failures, 1), 30) - 1))
            let capped = min(maxDelay, exponential)
            return capped / 2 + capped / 2 * min(max(random, 0), 1)
        }
    }

    public struct Configuration: Sendable, Equatable {
        /// The `model` sent to the server, e.g. `text-embedding-3-small` or `nomic-embed-text`.
        public var model: String
        /// The name in the `embedding_models` registry (`Embedder.modelName`).
        public var registryName: String
        public var dimensions: Int
        /// Send `dimensions` in the request (text-embedding-3-* can shorten their vectors; most servers reject it).
        public var sendsDimensions: Bool
        /// Scheme, host and optional path prefix, with or without a trailing `/v1`.
        public var baseURL: String
        public var apiKey: String?
        public var maxInputsPerRequest: Int
        /// Budget of estimated tokens (`countTokens`) per request.
        public var maxTokensPerRequest: Int
        /// The longest single input the model takes, in its tokens.
        public var maxInputTokens: Int
        /// Ask for base64 vectors (a quarter of the bytes of float arrays); float arrays are accepted either way.
        public var requestsBase64: Bool
        public var connectTimeout: Double
        /// Limit for a whole request, upload to last byte of the response.
        public var requestTimeout: Double
        public var retry: RetryPolicy
        /// US dollars per million tokens, where known.
        public var costPerMillionTokens: Double?

        public init(model: String, dimensions: Int, registryName: String? = nil, sendsDimensions: Bool = false,
                    baseURL: String = OpenAIEmbedder.defaultBaseURL, apiKey: String? = nil,
                    maxInputsPerRequest: Int = 2048, maxTokensPerRequest: Int = 300_000, maxInputTokens: Int = 8191,
                    requestsBase64: Bool = true, connectTimeout: Double = 10, requestTimeout: Double = 120,
                    retry: RetryPolicy = RetryPolicy(), costPerMillionTokens: Double? = nil) {
            self.model = model
            self.registryName = registryName ?? model
            self.dimensions = dimensions
            self.sendsDimensions = sendsDimensions
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.maxInputsPerRequest = maxInputsPerRequest
            self.maxTokensPerRequest = maxTokensPerRequest
            self.maxInputTokens = maxInputTokens
            self.requestsBase64 = requestsBase64
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.retry = retry
            self.costPerMillionTokens = costPerMillionTokens
        }
    }

    // MARK: Run statistics

    /// What one request (one batch) took.
    public struct RequestStats: Sendable, Equatable {
        /// Position of the batch's first input in the `embed` call, and how many inputs it carried.
        public var firstInput: Int
        public var inputCount: Int
        public var estimatedTokens: Int
        public var attempts = 0
        /// Per attempt: the HTTP status, or nil when no response came (connection error, timeout).
        public var statuses: [Int?] = []
        /// The waits before each retry, in seconds, as handed to the sleeper.
        public var delays: [Double] = []
        /// `usage.total_tokens` of the successful response (0 if the server reported none).
        public var totalTokens = 0

        public var retries: Int { max(0, attempts - 1) }
    }

    /// The requests of the most recent `embed` call, failed ones included.
    public struct RunStats: Sendable, Equatable {
        public var requests: [RequestStats] = []
        public var totalTokens: Int { requests.reduce(0) { $0 + $1.totalTokens } }
        public var attempts: Int { requests.reduce(0) { $0 + $1.attempts } }
        public var retries: Int { requests.reduce(0) { $0 + $1.retries } }
        public var delays: [Double] { requests.flatMap(\.delays) }
        public init() {}
    }

    // MARK: State

    public let configuration: Configuration
    public var modelName: String { configuration.registryName }
    public var dimensions: Int { configuration.dimensions }
    public var maxInputTokens: Int { configuration.maxInputTokens }
    /// The embeddings URL requests go to, e.g. `https://api.openai.com/v1/embeddings`.
    public let endpoint: String

    private let sleep: Sleeper
    private let logger: Logger
    /// Serialises `embed` calls: the libcurl handle is single-threaded.
    private let callLock = NSLock()
    private var client: CurlEasy?
    /// Turned off when a server says it does not know `encoding_format: base64`.
    private var usesBase64: Bool
    private let statsLock = NSLock()
    private var stats = RunStats()

    public var lastRunStats: RunStats {
        statsLock.lock()
        defer { statsLock.unlock() }
        return stats
    }

    /// Checks the configuration (URL, key, limits); sends nothing.
    public init(configuration: Configuration, logger: Logger = Logger(label: "vecscope.openai"),
                sleep: @escaping Sleeper = { Thread.sleep(forTimeInterval: $0) }) throws {
        self.configuration = configuration
        self.logger = logger
        self.sleep = sleep
        usesBase64 = configuration.requestsBase64
        endpoint = try Self.endpoint(forBase: configuration.baseURL)
        try Self.validate(configuration)
    }

    // MARK: Embedding

    public func embed(_ texts: [String]) throws -> [[Float]] {
        try embedReportingUsage(texts).vectors
    }

    public func embedReportingUsage(_ texts: [String]) throws -> EmbeddingOutput {
        if let empty = texts.firstIndex(where: \.isEmpty) {
            throw EmbeddingProviderError(
                kind: .invalidInput, what: "input \(empty) is an empty string",
                why: "embedding APIs reject empty inputs, and an empty text has no meaning to embed",
                fix: "Drop empty texts (or replace them with a placeholder) before embedding.",
                inputs: empty..<(empty + 1))
        }
        callLock.lock()
        defer { callLock.unlock() }
        setStats(RunStats())
        guard !texts.isEmpty else { return EmbeddingOutput(vectors: [], totalTokens: 0) }

        let client = try makeClient()
        let batches = Self.batches(for: texts, maxInputs: configuration.maxInputsPerRequest,
                                   maxTokens: configuration.maxTokensPerRequest, countTokens: countTokens)
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var totalTokens = 0
        for (number, range) in batches.enumerated() {
            let position = BatchPosition(inputs: range, request: number + 1, of: batches.count, total: texts.count)
            let estimated = texts[range].reduce(0) { $0 + countTokens($1) }
            var request = RequestStats(firstInput: range.lowerBound, inputCount: range.count, estimatedTokens: estimated)
            defer { appendStats(request) }
            let (batchVectors, tokens) = try send(Array(texts[range]), at: position, using: client, stats: &request)
            request.totalTokens = tokens
            vectors.append(contentsOf: batchVectors)
            totalTokens += tokens
        }
        return EmbeddingOutput(vectors: vectors, totalTokens: totalTokens)
    }

    /// Splits inputs into consecutive requests of at most `maxInputs` inputs and `maxTokens` estimated tokens
    /// (an input larger than the budget goes alone).
    static func batches(for texts: [String], maxInputs: Int, maxTokens: Int, countTokens: (String) -> Int) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        var tokens = 0
        for (index, text) in texts.enumerated() {
            let cost = countTokens(text)
            if index > start, index - start >= maxInputs || tokens + cost > maxTokens {
                result.append(start..<index)
                start = index
                tokens = 0
            }
            tokens += cost
        }
        if start < texts.count { result.append(start..<texts.count) }
        return result
    }

    // MARK: One request, with retries

    /// Where a batch sits in an `embed` call, for error messages.
    struct BatchPosition {
        var inputs: Range<Int>
        var request: Int
        var of: Int
        var total: Int

        var text: String {
            let span = inputs.count == 1 ? "input \(inputs.lowerBound)" : "inputs \(inputs.lowerBound)–\(inputs.upperBound - 1)"
            return of == 1 ? "\(span) of \(total)" : "\(span) of \(total) (request \(request) of \(of))"
        }
    }

    private func send(_ texts: [String], at position: BatchPosition, using client: CurlEasy,
                      stats: inout RequestStats) throws -> (vectors: [[Float]], tokens: Int) {
        let policy = configuration.retry
        var headers = ["Content-Type: application/json", "Accept: application/json"]
        if let key = configuration.apiKey, !key.isEmpty { headers.append("Authorization: Bearer \(key)") }
        var triedFloatFallback = false

        while true {
            stats.attempts += 1
            let attempt = stats.attempts
            let base64 = usesBase64
            let body = try requestBody(texts, base64: base64)
            let retryWait: Double
            let reason: String
            do {
                let response = try client.post(url: endpoint, headers: headers, body: body,
                                               connectTimeout: configuration.connectTimeout,
                                               timeout: configuration.requestTimeout)
                stats.statuses.append(response.status)
                switch response.status {
                case 200..<300:
                    return try decode(response, count: texts.count, at: position, attempts: attempt)
                case 408, 409, 429, 500...599:
                    let server = serverError(in: response.body)
                    if response.status == 429, server.code == "insufficient_quota" {
                        throw failure(.quotaExceeded, response: response, server: server, at: position, attempts: attempt)
                    }
                    guard attempt < policy.maxAttempts else {
                        throw failure(response.status == 429 ? .rateLimited : .server, response: response, server: server,
                                      at: position, attempts: attempt)
                    }
                    retryWait = Self.retryAfter(response.headers).map { min($0, policy.retryAfterCap) }
                        ?? policy.backoff(afterFailures: attempt, random: Double.random(in: 0...1))
                    reason = "HTTP \(response.status)"
                case 400 where base64 && !triedFloatFallback && Self.rejectsBase64(serverError(in: response.body)):
                    // A compatible server that does not know base64: ask for float arrays from now on.
                    logger.notice("\(displayBase) rejects encoding_format=base64; asking for float arrays instead")
                    usesBase64 = false
                    triedFloatFallback = true
                    stats.attempts -= 1
                    stats.statuses.removeLast()
                    continue
                default:
                    throw failure(nil, response: response, server: serverError(in: response.body), at: position,
                                  attempts: attempt)
                }
            } catch let error as CurlEasy.TransportError {
                stats.statuses.append(nil)
                guard error.isTransient, attempt < policy.maxAttempts else {
                    throw transportFailure(error, at: position, attempts: attempt)
                }
                retryWait = policy.backoff(afterFailures: attempt, random: Double.random(in: 0...1))
                reason = error.isTimeout ? "a timeout" : error.message
            }
            logger.warning("""
                \(configuration.model): \(position.text) failed with \(reason) (attempt \(attempt) of \(policy.maxAttempts)); \
                retrying in \(String(format: "%.1f", retryWait)) s
                """)
            stats.delays.append(retryWait)
            sleep(retryWait)
        }
    }

    private func makeClient() throws -> CurlEasy {
        if let client { return client }
        do {
            let created = try CurlEasy(userAgent: "vecscope")
            client = created
            return created
        } catch let error as CurlEasy.TransportError {
            throw EmbeddingProviderError(kind: .transport, what: "cannot set up an HTTP client (libcurl)", why: error.description)
        }
    }

    private func requestBody(_ texts: [String], base64: Bool) throws -> [UInt8] {
        let request = EmbeddingsRequest(model: configuration.model, input: texts, encoding_format: base64 ? "base64" : "float",
                                        dimensions: configuration.sendsDimensions ? configuration.dimensions : nil)
        return Array(try JSONEncoder().encode(request))
    }

    // MARK: Response checks

    private func decode(_ http: CurlEasy.Response, count: Int, at position: BatchPosition,
                        attempts: Int) throws -> (vectors: [[Float]], tokens: Int) {
        let body = http.body
        func invalid(_ why: String) -> EmbeddingProviderError {
            EmbeddingProviderError(kind: .invalidResponse, what: "\(displayBase) sent an unusable response for \(position.text)",
                                   why: why, fix: "Check that OPENAI_BASE_URL points at an OpenAI-compatible embeddings server.",
                                   status: http.status, inputs: position.inputs, attempts: attempts)
        }
        let response: EmbeddingsResponse
        do {
            response = try JSONDecoder().decode(EmbeddingsResponse.self, from: Data(body))
        } catch {
            throw invalid("the body is not the expected JSON (\(Self.describe(error)); \(body.count) bytes: \(redacted(Self.snippet(body))))")
        }
        guard let data = response.data else {
            if let message = response.error?.message { throw invalid("it carries an error: \(redacted(message))") }
            throw invalid("it has no `data` array")
        }
        guard data.count == count else {
            throw invalid("it has \(data.count) embeddings for \(count) inputs")
        }
        var vectors = [[Float]?](repeating: nil, count: count)
        for (offset, item) in data.enumerated() {
            let index = item.index ?? offset
            guard (0..<count).contains(index), vectors[index] == nil else {
                throw invalid("embedding index \(index) is out of range or repeated (expected each of 0–\(count - 1) once)")
            }
            let input = position.inputs.lowerBound + index
            let vector: [Float]
            switch item.embedding {
            case .base64(let text):
                guard let decoded = Self.decodeBase64Floats(text) else {
                    throw invalid("the embedding for input \(input) is not valid base64 float32 data")
                }
                vector = decoded
            case .floats(let values):
                vector = values.map { Float($0) }
            }
            guard vector.count == configuration.dimensions else {
                throw invalid("the embedding for input \(input) has \(vector.count) dimensions, expected \(configuration.dimensions)"
                              + (configuration.sendsDimensions ? "" : " (declare the model as openai:\(configuration.model):\(vector.count)?)"))
            }
            if let bad = vector.firstIndex(where: { !$0.isFinite }) {
                throw invalid("the embedding for input \(input) has a non-finite value (\(vector[bad])) at dimension \(bad)")
            }
            vectors[index] = vector
        }
        return (vectors.compactMap { $0 }, max(0, response.usage?.total_tokens ?? 0))
    }

    /// Little-endian float32s, as `encoding_format: base64` returns them.
    static func decodeBase64Floats(_ text: String) -> [Float]? {
        guard let data = Data(base64Encoded: text), data.count % 4 == 0 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// `retry-after-ms` (OpenAI's), else `Retry-After` in seconds or as an HTTP date.
    static func retryAfter(_ headers: [String: String], now: Date = Date()) -> Double? {
        if let text = headers["retry-after-ms"], let milliseconds = Double(text.trimmingCharacters(in: .whitespaces)),
           milliseconds.isFinite, milliseconds >= 0 {
            return milliseconds / 1000
        }
        guard let text = headers["retry-after"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Double(text) { return seconds.isFinite && seconds >= 0 ? seconds : nil }
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "GMT")
        format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = format.date(from: text) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    private static func rejectsBase64(_ server: ServerError) -> Bool {
        let text = [server.message, server.param, server.code].compactMap { $0 }.joined(separator: " ").lowercased()
        return text.contains("encoding_format") || text.contains("base64")
    }

    // MARK: Errors

    private func failure(_ forcedKind: EmbeddingProviderError.Kind?, response: CurlEasy.Response, server: ServerError,
                         at position: BatchPosition, attempts: Int) -> EmbeddingProviderError {
        let status = response.status
        let message = server.message.map(redacted)
        let said = message.map { ": \($0)" } ?? ""
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        var error = EmbeddingProviderError(kind: .badRequest, what: "", status: status, serverMessage: message,
                                           inputs: position.inputs, attempts: attempts)
        switch forcedKind ?? Self.kind(forStatus: status) {
        case .authentication:
            error.kind = .authentication
            error.what = "\(displayBase) refused the request (HTTP \(status))"
            error.why = "OPENAI_API_KEY is missing or invalid"
            error.fix = "Set OPENAI_API_KEY to a valid key for \(displayBase)."
        case .permission:
            error.kind = .permission
            error.what = "\(displayBase) does not allow this key to use \(configuration.model) (HTTP \(status))"
            error.why = message
            error.fix = "Check the key's project and model permissions, or use another model."
        case .modelNotFound:
            error.kind = .modelNotFound
            error.what = "model \(configuration.model) was not found on \(displayBase) (HTTP 404)"
            error.why = message
            error.fix = "Check the model name (for a compatible server: openai:<name>:<dimensions>) and OPENAI_BASE_URL "
                + "(requests go to \(displayEndpoint))."
        case .quotaExceeded:
            error.kind = .quotaExceeded
            error.what = "\(displayBase) refused \(position.text): the account's quota is used up (HTTP \(status))"
            error.why = message
            error.fix = "Check the plan and billing of the account the key belongs to."
        case .rateLimited:
            error.kind = .rateLimited
            error.what = "\(displayBase) kept rate-limiting \(position.text) (HTTP \(status))\(tries)"
            error.why = message
            error.fix = "Wait and run again (finished batches are kept), or send smaller batches."
        case .server:
            error.kind = .server
            error.what = "\(displayBase) failed on \(position.text) (HTTP \(status))\(tries)"
            error.why = message
            error.fix = "The server is in trouble; try again later."
        default:
            error.kind = .badRequest
            error.what = "\(displayBase) rejected \(position.text) (HTTP \(status))\(said)"
            error.why = nil
            error.fix = nil
        }
        return error
    }

    private static func kind(forStatus status: Int) -> EmbeddingProviderError.Kind {
        switch status {
        case 401: return .authentication
        case 403: return .permission
        case 404: return .modelNotFound
        case 429: return .rateLimited
        case 500...599: return .server
        default: return .badRequest
        }
    }

    private func transportFailure(_ error: CurlEasy.TransportError, at position: BatchPosition,
                                  attempts: Int) -> EmbeddingProviderError {
        let tries = attempts > 1 ? " (\(attempts) attempts)" : ""
        let what = error.isTimeout
            ? "no answer from \(displayBase) within \(Self.seconds(configuration.requestTimeout)) for \(position.text)\(tries)"
            : "cannot reach \(displayBase) for \(position.text)\(tries)"
        let fix: String
        switch error.code {
        case 6: fix = "Check the host name in OPENAI_BASE_URL and the DNS settings."  // CURLE_COULDNT_RESOLVE_HOST
        case 5: fix = "Check the proxy variables (https_proxy, HTTPS_PROXY, NO_PROXY)."  // CURLE_COULDNT_RESOLVE_PROXY
        case 35, 58, 59, 60, 77, 80, 83, 90, 91:  // TLS handshake and certificate failures
            fix = "The server's TLS certificate could not be verified (vecscope does not turn verification off); "
                + "use a certificate the system trusts, or a plain http:// URL for a local server."
        default:
            fix = error.isTimeout ? "Try again, or send smaller batches." : "Check OPENAI_BASE_URL, the network and any proxy settings."
        }
        return EmbeddingProviderError(kind: .transport, what: what, why: redacted(error.description), fix: fix,
                                      inputs: position.inputs, attempts: attempts)
    }

    private func serverError(in body: [UInt8]) -> ServerError {
        if let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: Data(body)) {
            if let error = envelope.error { return error }
            if let detail = envelope.detail { return ServerError(message: detail) }
            if let message = envelope.message { return ServerError(message: message) }
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return ServerError(message: text.isEmpty ? nil : text)
    }

    /// Server text with the API key blotted out (some servers echo it back).
    private func redacted(_ text: String) -> String {
        guard let key = configuration.apiKey, key.count >= 4 else { return text }
        return text.replacingOccurrences(of: key, with: "[API key]")
    }

    private var displayBase: String { Self.withoutUserInfo(configuration.baseURL) }
    private var displayEndpoint: String { Self.withoutUserInfo(endpoint) }

    private static func withoutUserInfo(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.user != nil || parts.password != nil else { return url }
        parts.user = nil
        parts.password = nil
        return parts.string ?? url
    }

    private static func snippet(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(120), as: UTF8.self)
        return body.count > 120 ? "\"\(text)…\"" : "\"\(text)\""
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .dataCorrupted(let context)?:
            return context.codingPath.isEmpty ? "not valid JSON" : "bad value at \(path(context.codingPath))"
        case .keyNotFound(let key, let context)?:
            return "missing `\(key.stringValue)` at \(path(context.codingPath))"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "unexpected type at \(path(context.codingPath))"
        default:
            return "not valid JSON"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }

    private func setStats(_ value: RunStats) {
        statsLock.lock()
        stats = value
        statsLock.unlock()
    }

    private func appendStats(_ request: RequestStats) {
        statsLock.lock()
        stats.requests.append(request)
        statsLock.unlock()
    }
}

/// Printing a configuration (or dumping it) never shows the API key.
extension OpenAIEmbedder.Configuration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "OpenAIEmbedder.Configuration(model: \(model), registryName: \(registryName), dimensions: \(dimensions), "
            + "sendsDimensions: \(sendsDimensions), baseURL: \(baseURL), apiKey: \(apiKey == nil ? "none" : "[set]"), "
            + "maxInputsPerRequest: \(maxInputsPerRequest), maxTokensPerRequest: \(maxTokensPerRequest), "
            + "requestTimeout: \(requestTimeout), retry: \(retry))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "model": model, "registryName": registryName, "dimensions": dimensions, "sendsDimensions": sendsDimensions,
            "baseURL": baseURL, "apiKey": apiKey == nil ? "none" : "[set]", "maxInputsPerRequest": maxInputsPerRequest,
            "maxTokensPerRequest": maxTokensPerRequest, "maxInputTokens": maxInputTokens, "requestsBase64": requestsBase64,
            "connectTimeout": connectTimeout, "requestTimeout": requestTimeout, "retry": retry,
            "costPerMillionTokens": costPerMillionTokens as Any,
        ], displayStyle: .struct)
    }
}

// MARK: - Configuration from names and the environment

extension OpenAIEmbedder {
    /// An OpenAI embedding model vecscope knows by name.
    public struct KnownModel: Sendable, Equatable {
        public var name: String
        public var dimensions: Int
        /// Whether the model can return shorter vectors (`dimensions` request parameter).
        public var acceptsDimensions: Bool
        public var maxInputTokens: Int
        public var costPerMillionTokens: Double
    }

    public static let knownModels: [KnownModel] = [
        KnownModel(name: "text-embedding-3-small", dimensions: 1536, acceptsDimensions: true, maxInputTokens: 8191,
                   costPerMillionTokens: 0.02),
        KnownModel(name: "text-embedding-3-large", dimensions: 3072, acceptsDimensions: true, maxInputTokens: 8191,
                   costPerMillionTokens: 0.13),
        KnownModel(name: "text-embedding-ada-002", dimensions: 1536, acceptsDimensions: false, maxInputTokens: 8191,
                   costPerMillionTokens: 0.10),
    ]

    /// Whether `name` is a model this provider serves: a known OpenAI model or `openai:<name>[:<dims>]`.
    public static func recognises(_ name: String) -> Bool {
        name.hasPrefix("openai:") || knownModels.contains { $0.name == name }
    }

    /// The embedder for `name`: `text-embedding-3-small` (1536), `text-embedding-3-large` (3072),
    /// `text-embedding-ada-002` (1536), or `openai:<model>:<dimensions>` for any compatible server
    /// (e.g. `openai:nomic-embed-text:768`; the model may contain colons, as Ollama tags do).
    /// Reads `OPENAI_BASE_URL` and `OPENAI_API_KEY` from `environment`.
    public static func forModel(name: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                                logger: Logger = Logger(label: "vecscope.openai"),
                                sleep: @escaping Sleeper = { Thread.sleep(forTimeInterval: $0) }) throws -> OpenAIEmbedder {
        try OpenAIEmbedder(configuration: configuration(forModel: name, environment: environment), logger: logger, sleep: sleep)
    }

    /// The configuration `forModel` would use, without building the embedder.
    ///
    /// The registry name is the known model's name, or the spec as written (`openai:nomic-embed-text:768`) —
    /// a known model asked for with its own size (`openai:text-embedding-3-small:1536`) keeps its plain name.
    public static func configuration(forModel name: String, environment: [String: String]) throws -> Configuration {
        let spec = name.trimmingCharacters(in: .whitespaces)
        let model: String
        let dimensions: Int?
        if spec.hasPrefix("openai:") {
            let rest = String(spec.dropFirst("openai:".count))
            if let colon = rest.lastIndex(of: ":"), let size = Int(rest[rest.index(after: colon)...]) {
                model = String(rest[..<colon])
                dimensions = size
            } else {
                model = rest
                dimensions = nil
            }
        } else {
            model = spec
            dimensions = nil
        }
        let known = knownModels.first { $0.name == model }
        guard !model.isEmpty, known != nil || spec.hasPrefix("openai:") else {
            throw unknownModel(name, why: "it is not an OpenAI embedding model vecscope knows")
        }
        guard let size = dimensions ?? known?.dimensions else {
            throw unknownModel(name, why: "the number of dimensions is missing")
        }
        guard (1...16_000).contains(size) else {
            throw unknownModel(name, why: "\(size) dimensions is outside 1–16000")
        }
        if let known, size != known.dimensions {
            guard known.acceptsDimensions, size < known.dimensions else {
                throw unknownModel(name, why: known.acceptsDimensions
                    ? "\(known.name) returns at most \(known.dimensions) dimensions"
                    : "\(known.name) always returns \(known.dimensions) dimensions")
            }
        }
        let registryName = known != nil && size == known?.dimensions ? model : spec
        var configuration = Configuration(
            model: model, dimensions: size, registryName: registryName,
            sendsDimensions: known?.acceptsDimensions ?? false,
            maxInputTokens: known?.maxInputTokens ?? 2048, costPerMillionTokens: known?.costPerMillionTokens)
        if let base = nonEmpty(environment["OPENAI_BASE_URL"]) { configuration.baseURL = base }
        configuration.apiKey = nonEmpty(environment["OPENAI_API_KEY"])
        return configuration
    }

    /// `{base}/v1/embeddings` for a base given with or without `/v1` and trailing slashes.
    public static func endpoint(forBase base: String) throws -> String {
        var text = base.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix("/v1") { text.removeLast(3) }
        while text.hasSuffix("/") { text.removeLast() }
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parts.host, !host.isEmpty,
              parts.query == nil, parts.fragment == nil else {
            throw EmbeddingProviderError(
                kind: .configuration, what: "OPENAI_BASE_URL \"\(withoutUserInfo(base))\" is not a usable base URL",
                why: "it needs to be an http:// or https:// URL with a host and no query",
                fix: "Use e.g. https://api.openai.com or http://localhost:11434/v1.")
        }
        return text + "/v1/embeddings"
    }

    /// Whether the base URL is OpenAI's own API, which always needs a key.
    static func isPublicAPI(_ base: String) -> Bool {
        guard let host = URLComponents(string: base.trimmingCharacters(in: .whitespaces))?.host?.lowercased() else { return false }
        return host == "api.openai.com" || host.hasSuffix(".openai.com")
    }

    private static func validate(_ configuration: Configuration) throws {
        func invalid(_ what: String) -> EmbeddingProviderError {
            EmbeddingProviderError(kind: .configuration, what: "invalid OpenAI embedder configuration: \(what)")
        }
        let key = configuration.apiKey ?? ""
        if key.isEmpty, isPublicAPI(configuration.baseURL) {
            throw EmbeddingProviderError(
                kind: .configuration, what: "OPENAI_API_KEY is not set",
                why: "\(configuration.model) is served by \(withoutUserInfo(configuration.baseURL)), which needs an API key",
                fix: "Export OPENAI_API_KEY, or set OPENAI_BASE_URL to a compatible server that needs none.")
        }
        if key.contains(where: { $0.isNewline || $0 == "\0" }) {
            throw EmbeddingProviderError(kind: .configuration, what: "OPENAI_API_KEY contains a line break",
                                         fix: "Set it to the key alone, on one line.")
        }
        guard !configuration.model.isEmpty, !configuration.model.contains(where: \.isNewline) else { throw invalid("empty model name") }
        guard configuration.dimensions > 0 else { throw invalid("dimensions must be positive") }
        guard configuration.maxInputsPerRequest > 0 else { throw invalid("maxInputsPerRequest must be positive") }
        guard configuration.maxTokensPerRequest > 0 else { throw invalid("maxTokensPerRequest must be positive") }
        guard configuration.retry.maxAttempts > 0 else { throw invalid("retry.maxAttempts must be at least 1") }
        guard configuration.retry.baseDelay >= 0, configuration.retry.maxDelay >= 0, configuration.retry.retryAfterCap >= 0 else {
            throw invalid("retry delays must not be negative")
        }
    }

    private static func unknownModel(_ name: String, why: String) -> EmbeddingProviderError {
        EmbeddingProviderError(
            kind: .configuration, what: "unknown OpenAI embedding model \"\(name)\"", why: why,
            fix: "Use text-embedding-3-small, text-embedding-3-large, or openai:<model>:<dimensions> for a compatible "
                + "server (e.g. openai:nomic-embed-text:768).")
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}

// MARK: - Wire format

private struct EmbeddingsRequest: Encodable {
    var model: String
    var input: [String]
    var encoding_format: String
    var dimensions: Int?
}

private struct EmbeddingsResponse: Decodable {
    struct Item: Decodable {
        var index: Int?
        var embedding: Payload
    }

    enum Payload: Decodable {
        case base64(String)
        case floats([Double])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .base64(text)
            } else {
                self = .floats(try container.decode([Double].self))
            }
        }
    }

    struct Usage: Decodable {
        var total_tokens: Int?
    }

    var data: [Item]?
    var usage: Usage?
    var error: ServerError?
}

/// `{"error": {"message", "type", "param", "code"}}` (OpenAI), `{"detail": …}` or `{"message": …}` (others).
private struct ErrorEnvelope: Decodable {
    var error: ServerError?
    var detail: String?
    var message: String?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        if let text = try? container.decode(String.self, forKey: .error) {
            error = ServerError(message: text)
        } else {
            error = try? container.decode(ServerError.self, forKey: .error)
        }
        detail = try? container.decode(String.self, forKey: .detail)
        message = try? container.decode(String.self, forKey: .message)
    }

    enum Keys: String, CodingKey { case error, detail, message }
}

private struct ServerError: Decodable {
    var message: String?
    var type: String?
    var param: String?
    var code: String?

    init(message: String?) { self.message = message }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        message = try? container.decode(String.self, forKey: .message)
        type = try? container.decode(String.self, forKey: .type)
        param = try? container.decode(String.self, forKey: .param)
        code = (try? container.decode(String.self, forKey: .code)) ?? (try? container.decode(Int.self, forKey: .code)).map(String.init)
    }

    enum Keys: String, CodingKey { case message, type, param, code }
}

// MARK: - Errors

/// A failure of an embedding provider: what happened, why, what to do, plus the HTTP status, the server's own
/// message and which inputs it concerns. Never contains the API key.
public struct EmbeddingProviderError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Bad model name, base URL or missing key; nothing was sent.
        case configuration
        /// An input that cannot be sent (empty string).
        case invalidInput
        /// No HTTP response: connection refused or dropped, TLS failure, timeout (after retries).
        case transport
        /// 401: the key is missing or wrong.
        case authentication
        /// 403: the key may not use the model.
        case permission
        /// 404: no such model on that server (or a wrong base URL).
        case modelNotFound
        /// 400 and other 4xx: the server refused the request as sent.
        case badRequest
        /// 429 after every retry.
        case rateLimited
        /// 429 insufficient_quota: retrying will not help.
        case quotaExceeded
        /// 5xx after every retry.
        case server
        /// A 2xx whose body is not usable: bad JSON, missing data, wrong count or dimensions, NaN/∞.
        case invalidResponse
    }

    public var kind: Kind
    public var what: String
    public var why: String?
    public var fix: String?
    /// The HTTP status of the last response, when there was one.
    public var status: Int?
    /// The server's own error message (with the key blotted out if it echoed it).
    public var serverMessage: String?
    /// The inputs of the failing request, as positions in the `embed` call.
    public var inputs: Range<Int>?
    public var attempts: Int

    public init(kind: Kind, what: String, why: String? = nil, fix: String? = nil, status: Int? = nil,
                serverMessage: String? = nil, inputs: Range<Int>? = nil, attempts: Int = 0) {
        self.kind = kind
        self.what = what
        self.why = why
        self.fix = fix
        self.status = status
        self.serverMessage = serverMessage
        self.inputs = inputs
        self.attempts = attempts
    }

    /// Whether every later request would fail the same way, so a run should stop rather than go on to the next batch.
    public var stopsRun: Bool {
        switch kind {
        case .configuration, .authentication, .permission, .modelNotFound, .quotaExceeded: return true
        case .invalidInput, .transport, .badRequest, .rateLimited, .server, .invalidResponse: return false
        }
    }

    public var description: String {
        var text = what
        if let why, !why.isEmpty { text += ": \(why)" }
        if let fix, !fix.isEmpty { text += "\n→ \(fix)" }
        return text
    }

    public var debugDescription: String {
        var fields = ["kind: \(kind.rawValue)", "what: \(what)"]
        if let why { fields.append("why: \(why)") }
        if let fix { fields.append("fix: \(fix)") }
        if let status { fields.append("status: \(status)") }
        if let serverMessage { fields.append("server: \(serverMessage)") }
        if let inputs { fields.append("inputs: \(inputs.lowerBound)..<\(inputs.upperBound)") }
        if attempts > 0 { fields.append("attempts: \(attempts)") }
        return "EmbeddingProviderError(" + fields.joined(separator: ", ") + ")"
    }

    /// The same message as the CLI's error type.
    public var vecscopeError: VecscopeError { VecscopeError(what: what, why: why, fix: fix) }
}
