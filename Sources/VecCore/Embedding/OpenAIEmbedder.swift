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
///
/// This file is the client (batching, the retry loop); `+Configuration`, `+WireFormat` and `+Errors` hold the rest.
public final class OpenAIEmbedder: Embedder, @unchecked Sendable {
    /// Sleeps for the given number of seconds; injected so tests can observe backoff without waiting.
    public typealias Sleeper = @Sendable (Double) -> Void

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
    public init(
        configuration: Configuration, logger: Logger = Logger(label: "vecscope.openai"),
        sleep: @escaping Sleeper = { Thread.sleep(forTimeInterval: $0) }
    ) throws {
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
        let batches = Self.batches(
            for: texts, maxInputs: configuration.maxInputsPerRequest,
            maxTokens: configuration.maxTokensPerRequest, countTokens: countTokens)
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var totalTokens = 0
        for (number, range) in batches.enumerated() {
            let position = BatchPosition(inputs: range, request: number + 1, of: batches.count, total: texts.count)
            let estimated = texts[range].reduce(0) { $0 + countTokens($1) }
            var request = RequestStats(
                firstInput: range.lowerBound, inputCount: range.count, estimatedTokens: estimated)
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
    static func batches(
        for texts: [String], maxInputs: Int, maxTokens: Int, countTokens: (String) -> Int
    ) -> [Range<Int>] {
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
            let span =
                inputs.count == 1
                ? "input \(inputs.lowerBound)" : "inputs \(inputs.lowerBound)–\(inputs.upperBound - 1)"
            return of == 1 ? "\(span) of \(total)" : "\(span) of \(total) (request \(request) of \(of))"
        }
    }

    private func send(
        _ texts: [String], at position: BatchPosition, using client: CurlEasy,
        stats: inout RequestStats
    ) throws -> (vectors: [[Float]], tokens: Int) {
        let policy = configuration.retry
        var headers = ["Content-Type: application/json", "Accept: application/json"]
        if let key = configuration.apiKey, !key.isEmpty { headers.append("Authorization: Bearer \(key)") }
        var triedFloatFallback = false
        // The deadline bounds the whole request, retries and waits included: each attempt gets what is left of it.
        let started = DispatchTime.now()
        var spent = 0.0  // seconds of attempts and of waits handed to the sleeper
        func elapsed() -> Double {
            max(spent, Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)
        }
        /// Whether waiting `wait` seconds more would pass the deadline, so this attempt is the last.
        func outOfTime(after wait: Double) -> Bool { elapsed() + wait >= configuration.deadline }

        while true {
            stats.attempts += 1
            let attempt = stats.attempts
            let base64 = usesBase64
            let body = try requestBody(texts, base64: base64)
            let retryWait: Double
            let reason: String
            let remaining = max(0.001, configuration.deadline - elapsed())
            do {
                let response = try client.post(
                    url: endpoint, headers: headers, body: body,
                    connectTimeout: min(configuration.connectTimeout, remaining),
                    timeout: min(configuration.requestTimeout, remaining))
                stats.statuses.append(response.status)
                switch response.status {
                case 200..<300:
                    return try decode(response, count: texts.count, at: position, attempts: attempt)
                case 408, 409, 429, 500...599:
                    let server = serverError(in: response.body)
                    if response.status == 429, server.code == "insufficient_quota" {
                        throw failure(
                            .quotaExceeded, response: response, server: server, at: position, attempts: attempt)
                    }
                    let wait =
                        Self.retryAfter(response.headers).map { min($0, policy.retryAfterCap) }
                        ?? policy.backoff(afterFailures: attempt, random: Double.random(in: 0...1))
                    guard attempt < policy.maxAttempts, !outOfTime(after: wait) else {
                        throw failure(
                            response.status == 429 ? .rateLimited : .server, response: response, server: server,
                            at: position, attempts: attempt, seconds: attempt < policy.maxAttempts ? elapsed() : nil)
                    }
                    retryWait = wait
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
                    throw failure(
                        nil, response: response, server: serverError(in: response.body), at: position,
                        attempts: attempt)
                }
            } catch let error as CurlEasy.TransportError {
                stats.statuses.append(nil)
                let wait = policy.backoff(afterFailures: attempt, random: Double.random(in: 0...1))
                guard error.isTransient, attempt < policy.maxAttempts, !outOfTime(after: wait) else {
                    throw transportFailure(
                        error, at: position, attempts: attempt,
                        seconds: error.isTransient && attempt < policy.maxAttempts ? elapsed() : nil)
                }
                retryWait = wait
                reason = error.isTimeout ? "a timeout" : error.message
            }
            logger.warning(
                """
                \(configuration.model): \(position.text) failed with \(reason) (attempt \(attempt) of \(policy.maxAttempts)); \
                retrying in \(String(format: "%.1f", retryWait)) s
                """)
            stats.delays.append(retryWait)
            spent = elapsed() + retryWait
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
            throw EmbeddingProviderError(
                kind: .transport, what: "cannot set up an HTTP client (libcurl)", why: error.description)
        }
    }

    /// `retry-after-ms` (OpenAI's), else `Retry-After` in seconds or as an HTTP date.
    static func retryAfter(_ headers: [String: String], now: Date = Date()) -> Double? {
        if let text = headers["retry-after-ms"], let milliseconds = Double(text.trimmingCharacters(in: .whitespaces)),
            milliseconds.isFinite, milliseconds >= 0
        {
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
