import Foundation
import Logging

// What an embedder is told: the retry policy, the configuration, and how both come from a model name and
// the environment.

/// What an embedder is made for, which sets how long one call may wait and whether it needs a key.
public enum EmbeddingPurpose: Sendable, Equatable {
    /// Batches of stored texts (`embed`, the TUI's set-up): `VECSCOPE_EMBED_DEADLINE` per batch.
    case documents
    /// A query or job description someone is waiting for (`search`, `rank`, the TUI): `VECSCOPE_QUERY_DEADLINE`.
    case query
    /// Token counts and cost only (`embed --dry-run`): nothing is sent, so no key is needed.
    case estimate
}

extension OpenAIEmbedder {
    public static let defaultBaseURL = "https://api.openai.com"

    /// The environment variables that bound every wait on an embedding server, in seconds, and their defaults.
    public enum TimeLimit: String, CaseIterable, Sendable {
        /// Establishing the TCP (and TLS) connection.
        case connect = "VECSCOPE_HTTP_CONNECT_TIMEOUT"
        /// One HTTP request, upload to the last byte of the answer.
        case request = "VECSCOPE_HTTP_TIMEOUT"
        /// One batch of documents, every retry and backoff included.
        case batchDeadline = "VECSCOPE_EMBED_DEADLINE"
        /// One query embedding, every retry included: the longest a search waits for its vector.
        case queryDeadline = "VECSCOPE_QUERY_DEADLINE"

        public var defaultSeconds: Double {
            switch self {
            case .connect: return 10
            case .request: return 60
            case .batchDeadline: return 120
            case .queryDeadline: return 30
            }
        }

        /// The value in `environment`, else the default; an unusable value is an error naming the variable.
        public func seconds(in environment: [String: String]) throws -> Double {
            guard let text = environment[rawValue]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
                return defaultSeconds
            }
            guard let value = Double(text), value.isFinite, value > 0, value <= 86_400 else {
                throw EmbeddingProviderError(
                    kind: .configuration, what: "\(rawValue)=\"\(text)\" is not a time limit",
                    why: "it needs a number of seconds above 0 and at most 86400",
                    fix: "Set \(rawValue) to e.g. \(Int(defaultSeconds)) (the default), or unset it.")
            }
            return value
        }
    }

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
        /// Limit for one request with all its retries and backoff: past it, the batch fails with what it last got.
        public var deadline: Double
        public var purpose: EmbeddingPurpose
        public var retry: RetryPolicy
        /// US dollars per million tokens, where known.
        public var costPerMillionTokens: Double?

        public init(
            model: String, dimensions: Int, registryName: String? = nil, sendsDimensions: Bool = false,
            baseURL: String = OpenAIEmbedder.defaultBaseURL, apiKey: String? = nil,
            maxInputsPerRequest: Int = 2048, maxTokensPerRequest: Int = 300_000, maxInputTokens: Int = 8191,
            requestsBase64: Bool = true, connectTimeout: Double = TimeLimit.connect.defaultSeconds,
            requestTimeout: Double = TimeLimit.request.defaultSeconds,
            deadline: Double = TimeLimit.batchDeadline.defaultSeconds, purpose: EmbeddingPurpose = .documents,
            retry: RetryPolicy = RetryPolicy(), costPerMillionTokens: Double? = nil
        ) {
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
            self.deadline = deadline
            self.purpose = purpose
            self.retry = retry
            self.costPerMillionTokens = costPerMillionTokens
        }
    }

    var displayBase: String { Self.withoutUserInfo(configuration.baseURL) }
    var displayEndpoint: String { Self.withoutUserInfo(endpoint) }

    static func withoutUserInfo(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.user != nil || parts.password != nil else { return url }
        parts.user = nil
        parts.password = nil
        return parts.string ?? url
    }
}

/// Printing a configuration (or dumping it) never shows the API key.
extension OpenAIEmbedder.Configuration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "OpenAIEmbedder.Configuration(model: \(model), registryName: \(registryName), dimensions: \(dimensions), "
            + "sendsDimensions: \(sendsDimensions), baseURL: \(baseURL), apiKey: \(apiKey == nil ? "none" : "[set]"), "
            + "maxInputsPerRequest: \(maxInputsPerRequest), maxTokensPerRequest: \(maxTokensPerRequest), "
            + "requestTimeout: \(requestTimeout), deadline: \(deadline), retry: \(retry))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "model": model, "registryName": registryName, "dimensions": dimensions,
                "sendsDimensions": sendsDimensions,
                "baseURL": baseURL, "apiKey": apiKey == nil ? "none" : "[set]",
                "maxInputsPerRequest": maxInputsPerRequest,
                "maxTokensPerRequest": maxTokensPerRequest, "maxInputTokens": maxInputTokens,
                "requestsBase64": requestsBase64,
                "connectTimeout": connectTimeout, "requestTimeout": requestTimeout, "deadline": deadline,
                "purpose": purpose, "retry": retry,
                "costPerMillionTokens": costPerMillionTokens as Any,
            ], displayStyle: .struct)
    }
}

extension OpenAIEmbedder {
    /// Whether `name` is a model this provider serves: a built-in OpenAI model or `openai:<name>[:<dims>]`.
    public static func recognises(_ name: String) -> Bool { ModelSpec(name).namesOpenAIModel }

    /// The embedder for `name`: one of OpenAI's built-in models (`ModelCatalog.openAI`), or
    /// `openai:<model>:<dimensions>` for any compatible server (e.g. `openai:nomic-embed-text:768`).
    /// Reads `OPENAI_BASE_URL` and `OPENAI_API_KEY` from `environment`.
    public static func forModel(
        name: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        purpose: EmbeddingPurpose = .documents, logger: Logger = Logger(label: "vecscope.openai"),
        sleep: @escaping Sleeper = { Thread.sleep(forTimeInterval: $0) }
    ) throws -> OpenAIEmbedder {
        try OpenAIEmbedder(
            configuration: configuration(forModel: name, environment: environment, purpose: purpose), logger: logger,
            sleep: sleep)
    }

    /// The configuration `forModel` would use, without building the embedder; the model as `ModelSpec` reads it.
    /// The time limits come from `TimeLimit`'s variables; `purpose` picks the batch or the query deadline.
    public static func configuration(
        forModel name: String, environment: [String: String], purpose: EmbeddingPurpose = .documents
    ) throws -> Configuration {
        let choice: OpenAIModelChoice
        do {
            choice = try ModelSpec(name).openAIModel()
        } catch let error as VecscopeError {
            throw EmbeddingProviderError(kind: .configuration, what: error.what, why: error.why, fix: error.fix)
        }
        var configuration = Configuration(
            model: choice.serverModel, dimensions: choice.model.dimensions, registryName: choice.model.name,
            sendsDimensions: choice.sendsDimensions, maxInputTokens: choice.model.maxInputTokens,
            costPerMillionTokens: choice.builtIn.map { _ in choice.model.costPerMTok })
        if let base = nonEmpty(environment["OPENAI_BASE_URL"]) { configuration.baseURL = base }
        configuration.apiKey = nonEmpty(environment["OPENAI_API_KEY"])
        configuration.purpose = purpose
        configuration.connectTimeout = try TimeLimit.connect.seconds(in: environment)
        configuration.requestTimeout = try TimeLimit.request.seconds(in: environment)
        configuration.deadline = try (purpose == .query ? TimeLimit.queryDeadline : .batchDeadline)
            .seconds(in: environment)
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
            parts.query == nil, parts.fragment == nil
        else {
            throw EmbeddingProviderError(
                kind: .configuration, what: "OPENAI_BASE_URL \"\(withoutUserInfo(base))\" is not a usable base URL",
                why: "it needs to be an http:// or https:// URL with a host and no query",
                fix: "Use e.g. https://api.openai.com or http://localhost:11434/v1.")
        }
        return text + "/v1/embeddings"
    }

    /// Whether the base URL is OpenAI's own API, which always needs a key.
    static func isPublicAPI(_ base: String) -> Bool {
        guard let host = URLComponents(string: base.trimmingCharacters(in: .whitespaces))?.host?.lowercased() else {
            return false
        }
        return host == "api.openai.com" || host.hasSuffix(".openai.com")
    }

    static func validate(_ configuration: Configuration) throws {
        func invalid(_ what: String) -> EmbeddingProviderError {
            EmbeddingProviderError(kind: .configuration, what: "invalid OpenAI embedder configuration: \(what)")
        }
        let key = configuration.apiKey ?? ""
        if key.isEmpty, isPublicAPI(configuration.baseURL), configuration.purpose != .estimate {
            throw EmbeddingProviderError(
                kind: .configuration, what: "OPENAI_API_KEY is not set",
                why:
                    "\(configuration.model) is served by \(withoutUserInfo(configuration.baseURL)), which needs an API key",
                fix: "Export OPENAI_API_KEY, or set OPENAI_BASE_URL to a compatible server that needs none.")
        }
        if key.contains(where: { $0.isNewline || $0 == "\0" }) {
            throw EmbeddingProviderError(
                kind: .configuration, what: "OPENAI_API_KEY contains a line break",
                fix: "Set it to the key alone, on one line.")
        }
        guard !configuration.model.isEmpty, !configuration.model.contains(where: \.isNewline) else {
            throw invalid("empty model name")
        }
        guard configuration.dimensions > 0 else { throw invalid("dimensions must be positive") }
        guard configuration.maxInputsPerRequest > 0 else { throw invalid("maxInputsPerRequest must be positive") }
        guard configuration.maxTokensPerRequest > 0 else { throw invalid("maxTokensPerRequest must be positive") }
        guard configuration.retry.maxAttempts > 0 else { throw invalid("retry.maxAttempts must be at least 1") }
        guard configuration.connectTimeout > 0, configuration.requestTimeout > 0, configuration.deadline > 0 else {
            throw invalid("time limits must be positive")
        }
        guard configuration.retry.baseDelay >= 0, configuration.retry.maxDelay >= 0,
            configuration.retry.retryAfterCap >= 0
        else {
            throw invalid("retry delays must not be negative")
        }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
