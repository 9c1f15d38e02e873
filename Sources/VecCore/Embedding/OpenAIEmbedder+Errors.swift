import Foundation

// What a failed request becomes: an `EmbeddingProviderError` saying what happened, why, and what to do.

extension OpenAIEmbedder {
    /// `seconds`: set when the deadline, not the attempt limit, ended the retries.
    func failure(
        _ forcedKind: EmbeddingProviderError.Kind?, response: CurlEasy.Response, server: ServerError,
        at position: BatchPosition, attempts: Int, seconds: Double? = nil
    ) -> EmbeddingProviderError {
        let status = response.status
        let message = server.message.map(redacted)
        let said = message.map { ": \($0)" } ?? ""
        let tries = (attempts > 1 ? " after \(attempts) attempts" : "") + deadlineNote(seconds)
        var error = EmbeddingProviderError(
            kind: .badRequest, what: "", status: status, serverMessage: message,
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
            error.fix =
                "Check the model name (for a compatible server: openai:<name>:<dimensions>) and OPENAI_BASE_URL "
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
            error.fix = "Wait and run again (finished batches are kept), or send smaller batches" + deadlineFix(seconds)
        case .server:
            error.kind = .server
            error.what = "\(displayBase) failed on \(position.text) (HTTP \(status))\(tries)"
            error.why = message
            error.fix = "The server is in trouble; try again later" + deadlineFix(seconds)
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

    func transportFailure(
        _ error: CurlEasy.TransportError, at position: BatchPosition,
        attempts: Int, seconds: Double? = nil
    ) -> EmbeddingProviderError {
        let tries = (attempts > 1 ? " (\(attempts) attempts)" : "") + deadlineNote(seconds)
        let limit = min(configuration.requestTimeout, configuration.deadline)
        let what =
            error.isTimeout
            ? "no answer from \(displayBase) within \(Self.seconds(limit)) for \(position.text)\(tries)"
            : "cannot reach \(displayBase) for \(position.text)\(tries)"
        let fix: String
        switch error.code {
        case 6: fix = "Check the host name in OPENAI_BASE_URL and the DNS settings."  // CURLE_COULDNT_RESOLVE_HOST
        case 5: fix = "Check the proxy variables (https_proxy, HTTPS_PROXY, NO_PROXY)."  // CURLE_COULDNT_RESOLVE_PROXY
        case 35, 58, 59, 60, 77, 80, 83, 90, 91:  // TLS handshake and certificate failures
            fix =
                "The server's TLS certificate could not be verified (vecscope does not turn verification off); "
                + "use a certificate the system trusts, or a plain http:// URL for a local server."
        default:
            fix =
                error.isTimeout
                ? "Check that the server at OPENAI_BASE_URL is up and not overloaded; a slow one needs a longer "
                    + "\(TimeLimit.request.rawValue) (now \(Self.seconds(configuration.requestTimeout)))"
                    + deadlineFix(seconds ?? configuration.deadline)
                : "Check OPENAI_BASE_URL, the network and any proxy settings" + deadlineFix(seconds)
        }
        return EmbeddingProviderError(
            kind: .transport, what: what, why: redacted(error.description), fix: fix,
            inputs: position.inputs, attempts: attempts)
    }

    /// The variable that holds this embedder's deadline.
    private var deadlineLimit: TimeLimit { configuration.purpose == .query ? .queryDeadline : .batchDeadline }

    private func deadlineNote(_ seconds: Double?) -> String {
        guard let seconds else { return "" }
        let what = configuration.purpose == .query ? "a query" : "one batch"
        return String(
            format: ", stopped after %.1f s by the %@ deadline for %@", seconds,
            Self.seconds(configuration.deadline), what)
    }

    /// "." or, when the deadline ended the attempts, how to give the server longer.
    private func deadlineFix(_ seconds: Double?) -> String {
        guard seconds != nil else { return "." }
        return "; \(deadlineLimit.rawValue) (now \(Self.seconds(configuration.deadline))) gives it longer."
    }

    /// Server text with the API key blotted out (some servers echo it back).
    func redacted(_ text: String) -> String {
        guard let key = configuration.apiKey, key.count >= 4 else { return text }
        return text.replacingOccurrences(of: key, with: "[API key]")
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}

/// A failure of an embedding provider: what happened, why, what to do, plus the HTTP status, the server's own
/// message and which inputs it concerns. Never contains the API key.
public struct EmbeddingProviderError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable, Equatable
{
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

    public init(
        kind: Kind, what: String, why: String? = nil, fix: String? = nil, status: Int? = nil,
        serverMessage: String? = nil, inputs: Range<Int>? = nil, attempts: Int = 0
    ) {
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

extension EmbeddingProviderError: ReportableError {
    /// The status and the server's message are already in `what` or `why` where they help.
    public var report: ErrorReport { ErrorReport(what: what, why: why, fix: fix) }
}
