import Foundation
import Logging
import Testing

@testable import VecCore

/// Records the waits the embedder asks for instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Double] = []

    var delays: [Double] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    var sleeper: OpenAIEmbedder.Sleeper {
        { [self] seconds in
            lock.lock()
            recorded.append(seconds)
            lock.unlock()
        }
    }
}

/// Vectors per thread, filled from `concurrentPerform`.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [[[Float]]?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: [[Float]]?) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }

    func get(_ index: Int) -> [[Float]]? {
        lock.lock()
        defer { lock.unlock() }
        return values[index]
    }
}

@Suite struct OpenAIEmbedderTests {
    static let key = "sk-test-SECRET-4f9a0c27b1"

    static var quietLogger: Logger {
        var logger = Logger(label: "vecscope.openai.test")
        logger.logLevel = .critical
        return logger
    }

    /// A fake server plus an embedder pointed at it (base URL given with `/v1`, as SDKs write it).
    private func withServer(
        dimensions: Int = 8, model: String = "fake-embed", key: String? = key,
        configure: (inout OpenAIEmbedder.Configuration) -> Void = { _ in },
        _ body: (FakeEmbeddingsServer, OpenAIEmbedder, SleepRecorder) throws -> Void
    ) throws {
        let server = try FakeEmbeddingsServer(dimensions: dimensions)
        defer { server.stop() }
        var configuration = OpenAIEmbedder.Configuration(
            model: model, dimensions: dimensions, baseURL: server.baseURL + "/v1", apiKey: key,
            connectTimeout: 2, requestTimeout: 5,
            retry: .init(maxAttempts: 4, baseDelay: 0.1, maxDelay: 1, retryAfterCap: 10))
        configure(&configuration)
        let recorder = SleepRecorder()
        let embedder = try OpenAIEmbedder(
            configuration: configuration, logger: Self.quietLogger, sleep: recorder.sleeper)
        try body(server, embedder, recorder)
    }

    private func expected(_ texts: [String], dimensions: Int = 8) -> [[Float]] {
        texts.map { FakeEmbeddingsServer.vector(for: $0, dimensions: dimensions) }
    }

    /// The error `body` throws, as an `EmbeddingProviderError`.
    private func providerError(_ body: () throws -> Void) -> EmbeddingProviderError? {
        do {
            try body()
            return nil
        } catch {
            return error as? EmbeddingProviderError
        }
    }

    private func expectNoKey(_ error: EmbeddingProviderError?) {
        guard let error else { return }
        #expect(!error.description.contains(Self.key))
        #expect(!error.debugDescription.contains(Self.key))
        #expect(!"\(error)".contains(Self.key))
    }

    // MARK: Vectors and requests

    @Test func returnsTheServersVectorsInInputOrder() throws {
        try withServer { server, embedder, _ in
            let texts = ["Built a search engine in Go", "Kubernetes operator", "ünïcödé — 検索", "a"]
            let output = try embedder.embedReportingUsage(texts)
            #expect(output.vectors == expected(texts))
            #expect(output.totalTokens == texts.reduce(0) { $0 + FakeEmbeddingsServer.tokens(for: $1) })
            for vector in output.vectors {
                #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
            }
            #expect(try embedder.embed(texts) == output.vectors)  // deterministic
            #expect(try embedder.embed([texts[2]]) == [output.vectors[2]])
        }
    }

    @Test func speaksTheEmbeddingsAPI() throws {
        try withServer { server, embedder, _ in
            _ = try embedder.embed(["hello"])
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/v1/embeddings")
            #expect(request.headers["authorization"] == "Bearer \(Self.key)")
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.model == "fake-embed")
            #expect(request.inputs == ["hello"])
            #expect(request.encodingFormat == "base64")
            #expect(!request.sentDimensions)
        }
    }

    @Test func sendsNoAuthorizationWithoutAKeyForALocalServer() throws {
        try withServer(key: nil) { server, embedder, _ in
            _ = try embedder.embed(["hello"])
            #expect(server.requests.first?.headers["authorization"] == nil)
        }
    }

    @Test func sendsDimensionsWhenTheModelTakesThem() throws {
        try withServer(dimensions: 4, model: "text-embedding-3-small", configure: { $0.sendsDimensions = true }) {
            server, embedder, _ in
            let vectors = try embedder.embed(["short vector"])
            #expect(server.requests.first?.dimensions == 4)
            #expect(vectors == expected(["short vector"], dimensions: 4))
        }
    }

    @Test func batches5000InputsInto3Requests() throws {
        try withServer { server, embedder, _ in
            let texts = (0..<5000).map { "artifact \($0)" }
            let output = try embedder.embedReportingUsage(texts)
            #expect(server.requests.map(\.inputs.count) == [2048, 2048, 904])
            #expect(server.requests.flatMap(\.inputs) == texts)
            #expect(output.vectors == expected(texts))
            #expect(output.totalTokens == texts.reduce(0) { $0 + FakeEmbeddingsServer.tokens(for: $1) })
            let stats = embedder.lastRunStats
            #expect(stats.requests.map(\.firstInput) == [0, 2048, 4096])
            #expect(stats.requests.map(\.attempts) == [1, 1, 1])
            #expect(stats.totalTokens == output.totalTokens)
        }
    }

    @Test func callsFromSeveralThreadsAreSerialised() throws {
        try withServer { server, embedder, _ in
            let texts = (0..<4).map { thread in (0..<50).map { "thread \(thread) text \($0)" } }
            let results = ResultBox(count: texts.count)
            DispatchQueue.concurrentPerform(iterations: texts.count) { thread in
                results.set(thread, try? embedder.embed(texts[thread]))
            }
            for (thread, batch) in texts.enumerated() {
                #expect(results.get(thread) == expected(batch))
            }
            #expect(server.requests.count == texts.count)
        }
    }

    @Test func batchesByEstimatedTokens() throws {
        try withServer(configure: { $0.maxTokensPerRequest = 10 }) { server, embedder, _ in
            let texts = (0..<5).map { "sixteen chars #\($0)" }  // 17 bytes → 5 estimated tokens each
            let embedded = try embedder.embed(texts)
            #expect(embedded == expected(texts))
            #expect(server.requests.map(\.inputs.count) == [2, 2, 1])
        }
    }

    @Test func batchSplittingKeepsOversizedInputsAlone() {
        let count: (String) -> Int = { $0.count }
        let texts = ["aaa", "bbbbbbbbbbbb", "c", "d", "e", "f"]
        #expect(
            OpenAIEmbedder.batches(for: texts, maxInputs: 3, maxTokens: 5, countTokens: count) == [
                0..<1, 1..<2, 2..<5, 5..<6,
            ])
        #expect(OpenAIEmbedder.batches(for: [], maxInputs: 3, maxTokens: 5, countTokens: count).isEmpty)
        #expect(
            OpenAIEmbedder.batches(for: ["x", "y"], maxInputs: 1, maxTokens: 100, countTokens: count) == [0..<1, 1..<2])
    }

    @Test func ordersVectorsByTheResponsesIndex() throws {
        try withServer { server, embedder, _ in
            server.script(.reversedOrder)
            let texts = ["first", "second", "third"]
            let embedded = try embedder.embed(texts)
            #expect(embedded == expected(texts))
        }
    }

    @Test func acceptsFloatArraysWhenTheServerIgnoresBase64() throws {
        try withServer { server, embedder, _ in
            server.script(.floatArrays)
            let texts = ["one", "two"]
            let vectors = try embedder.embed(texts)
            for (got, want) in zip(vectors, expected(texts)) {
                #expect(got.count == want.count)
                #expect(zip(got, want).allSatisfy { abs($0 - $1) < 1e-6 })
            }
        }
    }

    @Test func switchesToFloatsWhenTheServerRejectsBase64() throws {
        try withServer { server, embedder, _ in
            server.script(.rejectsBase64, .rejectsBase64)
            let vectors = try embedder.embed(["one"])
            #expect(zip(vectors[0], expected(["one"])[0]).allSatisfy { abs($0 - $1) < 1e-6 })
            #expect(server.requests.map(\.encodingFormat) == ["base64", "float"])
            #expect(embedder.lastRunStats.requests.first?.attempts == 1)
            _ = try embedder.embed(["two"])
            #expect(server.requests.last?.encodingFormat == "float")  // remembered
        }
    }

    @Test func emptyInputIsRejectedBeforeSending() throws {
        try withServer { server, embedder, _ in
            let error = providerError { _ = try embedder.embed(["fine", "", "also fine"]) }
            #expect(error?.kind == .invalidInput)
            #expect(error?.inputs == 1..<2)
            #expect(error?.description.contains("input 1 is an empty string") == true)
            #expect(server.requests.isEmpty)
            let embedded = try embedder.embed([])
            #expect(embedded == [])
        }
    }

    // MARK: Retries

    @Test func retries429HonouringRetryAfter() throws {
        try withServer { server, embedder, recorder in
            server.script(.rateLimited(retryAfter: "2"))
            let embedded = try embedder.embed(["x"])
            #expect(embedded == expected(["x"]))
            #expect(server.requests.count == 2)
            #expect(recorder.delays == [2])
            let stats = try #require(embedder.lastRunStats.requests.first)
            #expect(stats.attempts == 2)
            #expect(stats.retries == 1)
            #expect(stats.statuses == [429, 200])
            #expect(stats.delays == [2])
        }
    }

    @Test func capsRetryAfter() throws {
        try withServer { server, embedder, recorder in
            server.script(.rateLimited(retryAfter: "3600"))
            _ = try embedder.embed(["x"])
            #expect(recorder.delays == [10])
        }
    }

    @Test func backsOffExponentiallyWithJitterOnServerErrors() throws {
        try withServer { server, embedder, recorder in
            server.script(.serverError, .serverError, .rateLimited(retryAfter: nil))
            let embedded = try embedder.embed(["x"])
            #expect(embedded == expected(["x"]))
            let delays = recorder.delays
            #expect(delays.count == 3)
            #expect((0.05...0.1).contains(delays[0]))
            #expect((0.1...0.2).contains(delays[1]))
            #expect((0.2...0.4).contains(delays[2]))
            #expect(embedder.lastRunStats.requests.first?.statuses == [500, 500, 429, 200])
        }
    }

    @Test func givesUpAfterMaxAttempts() throws {
        try withServer { server, embedder, recorder in
            server.script(.serverError, .serverError, .serverError, .serverError, .serverError)
            let error = providerError { _ = try embedder.embed(["x", "y"]) }
            #expect(error?.kind == .server)
            #expect(error?.status == 500)
            #expect(error?.attempts == 4)
            #expect(error?.inputs == 0..<2)
            #expect(error?.description.contains("after 4 attempts") == true)
            #expect(server.requests.count == 4)
            #expect(recorder.delays.count == 3)
            #expect(embedder.lastRunStats.requests.first?.attempts == 4)
        }
    }

    @Test func rateLimitOnEveryAttemptIsReportedAsSuch() throws {
        try withServer(configure: { $0.retry.maxAttempts = 2 }) { server, embedder, _ in
            server.script(.rateLimited(retryAfter: "1"), .rateLimited(retryAfter: "1"))
            let error = providerError { _ = try embedder.embed(["x"]) }
            #expect(error?.kind == .rateLimited)
            #expect(error?.description.contains("HTTP 429") == true)
        }
    }

    @Test func exhaustedQuotaFailsWithoutRetrying() throws {
        try withServer { server, embedder, recorder in
            server.script(.quotaExhausted)
            let error = providerError { _ = try embedder.embed(["x"]) }
            #expect(error?.kind == .quotaExceeded)
            #expect(error?.stopsRun == true)
            #expect(server.requests.count == 1)
            #expect(recorder.delays.isEmpty)
        }
    }

    @Test func retriesAfterATimeout() throws {
        // Generous enough that the retry itself is not cut short on a loaded machine.
        try withServer(configure: { $0.requestTimeout = 1 }) { server, embedder, recorder in
            server.script(.slow(seconds: 3))
            let embedded = try embedder.embed(["x"])
            #expect(embedded == expected(["x"]))
            #expect(embedder.lastRunStats.requests.first?.statuses == [nil, 200])
            #expect(recorder.delays.count == 1)
        }
    }

    @Test func timeoutOnEveryAttemptSaysSo() throws {
        try withServer(configure: {
            $0.requestTimeout = 0.3
            $0.retry.maxAttempts = 2
        }) { server, embedder, _ in
            server.script(.slow(seconds: 1), .slow(seconds: 1))
            let error = providerError { _ = try embedder.embed(["x"]) }
            #expect(error?.kind == .transport)
            #expect(error?.description.contains("no answer from") == true)
            #expect(error?.description.contains("timeout") == true || error?.description.contains("Timeout") == true)
        }
    }

    /// Issue 15 #6: a server that accepts the connection and never answers stalled 120 s per attempt × 6 attempts
    /// per batch. Now the deadline ends the batch, whatever the attempts left.
    @Test func aServerThatNeverAnswersIsAbandonedAtTheDeadline() throws {
        try withServer(configure: {
            $0.requestTimeout = 1
            $0.deadline = 2.5
            $0.retry = .init(maxAttempts: 6, baseDelay: 0.2, maxDelay: 0.4)
        }) { server, embedder, _ in
            server.script(.neverAnswers, .neverAnswers, .neverAnswers, .neverAnswers, .neverAnswers, .neverAnswers)
            let started = Date()
            let error = providerError { _ = try embedder.embed(["x"]) }
            let seconds = Date().timeIntervalSince(started)
            #expect(seconds < 4, "waited \(seconds) s")
            #expect(error?.kind == .transport)
            #expect(
                error?.description.contains("by the 2.5 s deadline for one batch") == true,
                "\(String(describing: error))")
            #expect(error?.fix?.contains("VECSCOPE_EMBED_DEADLINE") == true)
            #expect((error?.attempts ?? 0) < 6)
        }
    }

    @Test func timeLimitsComeFromTheEnvironmentWithSafeDefaults() throws {
        let documents = try OpenAIEmbedder.configuration(forModel: "openai:m:8", environment: [:])
        #expect(documents.connectTimeout == 10 && documents.requestTimeout == 60 && documents.deadline == 120)
        let query = try OpenAIEmbedder.configuration(forModel: "openai:m:8", environment: [:], purpose: .query)
        #expect(query.deadline == 30)
        let set = try OpenAIEmbedder.configuration(
            forModel: "openai:m:8",
            environment: [
                "VECSCOPE_HTTP_CONNECT_TIMEOUT": "2", "VECSCOPE_HTTP_TIMEOUT": "7.5", "VECSCOPE_EMBED_DEADLINE": "20",
                "VECSCOPE_QUERY_DEADLINE": "4",
            ])
        #expect(set.connectTimeout == 2 && set.requestTimeout == 7.5 && set.deadline == 20)
        for bad in ["0", "-1", "soon", "inf"] {
            let error = providerError {
                _ = try OpenAIEmbedder.configuration(
                    forModel: "openai:m:8", environment: ["VECSCOPE_HTTP_TIMEOUT": bad])
            }
            #expect(error?.kind == .configuration)
            #expect(error?.what == "VECSCOPE_HTTP_TIMEOUT=\"\(bad)\" is not a time limit")
        }
    }

    /// Issue 15 #10: `embed --dry-run` demanded OPENAI_API_KEY although it sends nothing.
    @Test func anEstimateNeedsNoKey() throws {
        let estimator = try OpenAIEmbedder.forModel(
            name: "text-embedding-3-small", environment: [:], purpose: .estimate)
        #expect(estimator.countTokens("four words of text") > 0)
        #expect(throws: EmbeddingProviderError.self) {
            _ = try OpenAIEmbedder.forModel(name: "text-embedding-3-small", environment: [:], purpose: .documents)
        }
    }

    @Test func retriesADroppedConnection() throws {
        try withServer { server, embedder, _ in
            server.script(.droppedConnection)
            let embedded = try embedder.embed(["x", "y"])
            #expect(embedded == expected(["x", "y"]))
            #expect(server.requests.count == 2)
            #expect(embedder.lastRunStats.requests.first?.statuses == [nil, 200])
        }
    }

    @Test func refusedConnectionsAreRetriedThenReported() throws {
        let port = try FreePort.pick()
        let recorder = SleepRecorder()
        let configuration = OpenAIEmbedder.Configuration(
            model: "fake-embed", dimensions: 8, baseURL: "http://127.0.0.1:\(port)", apiKey: Self.key,
            connectTimeout: 1, requestTimeout: 2, retry: .init(maxAttempts: 3, baseDelay: 0.1))
        let embedder = try OpenAIEmbedder(
            configuration: configuration, logger: Self.quietLogger, sleep: recorder.sleeper)
        let error = providerError { _ = try embedder.embed(["x"]) }
        #expect(error?.kind == .transport)
        #expect(error?.attempts == 3)
        #expect(error?.description.contains("cannot reach http://127.0.0.1:\(port)") == true)
        #expect(error?.description.contains("connect") == true)
        #expect(recorder.delays.count == 2)
        expectNoKey(error)
    }

    // MARK: Failures that do not retry

    @Test func unauthorizedFailsAtOnceAndNeverShowsTheKey() throws {
        try withServer { server, embedder, recorder in
            server.script(.unauthorized)
            let error = providerError { _ = try embedder.embed(["x"]) }
            #expect(error?.kind == .authentication)
            #expect(error?.status == 401)
            #expect(error?.description.contains("OPENAI_API_KEY is missing or invalid") == true)
            #expect(error?.stopsRun == true)
            #expect(server.requests.count == 1)
            #expect(recorder.delays.isEmpty)
            #expect(error?.serverMessage?.contains("[API key]") == true)  // the echo is blotted out
            expectNoKey(error)
        }
    }

    @Test func notFoundNamesTheModelAndServer() throws {
        try withServer(model: "nomic-embed-txet") { server, embedder, _ in
            server.script(.notFound)
            let error = providerError { _ = try embedder.embed(["x"]) }
            #expect(error?.kind == .modelNotFound)
            #expect(error?.description.contains("model nomic-embed-txet was not found on \(server.baseURL)") == true)
            #expect(error?.description.contains("\(server.baseURL)/v1/embeddings") == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test func badRequestCarriesTheServersMessage() throws {
        try withServer { server, embedder, _ in
            let message =
                "This model's maximum context length is 8192 tokens, however you requested 9001 tokens "
                + "(key \(Self.key))"
            server.script(.badRequest(message))
            let error = providerError { _ = try embedder.embed(["x", "y", "z"]) }
            #expect(error?.kind == .badRequest)
            #expect(error?.status == 400)
            #expect(error?.inputs == 0..<3)
            #expect(error?.description.contains("maximum context length is 8192 tokens") == true)
            #expect(error?.description.contains("inputs 0–2 of 3") == true)
            #expect(server.requests.count == 1)
            expectNoKey(error)
        }
    }

    @Test(arguments: [
        (FakeEmbeddingsServer.Behaviour.malformedJSON, "not the expected JSON"),
        (.truncatedJSON, "not the expected JSON"),
        (.missingData, "no `data`"),
        (.missingEmbedding, "1 embeddings for 2 inputs"),
        (.wrongDimensions(5), "has 5 dimensions, expected 8"),
        (.nonFinite(.nan), "non-finite value (nan)"),
        (.nonFinite(.infinity), "non-finite value (inf)"),
        (.zeroVector, "the embedding for input 2 is all zeros"),  // issue 15 #7: was accepted and stored
    ])
    func unusableResponsesAreReportedWithTheBatchPosition(
        behaviour: FakeEmbeddingsServer.Behaviour, message: String
    ) throws {
        try withServer(configure: { $0.maxInputsPerRequest = 2 }) { server, embedder, recorder in
            server.script(.ok, behaviour)
            let error = providerError { _ = try embedder.embed(["a", "b", "c", "d"]) }
            #expect(error?.kind == .invalidResponse)
            #expect(error?.inputs == 2..<4)
            #expect(error?.description.contains("inputs 2–3 of 4 (request 2 of 2)") == true)
            #expect(error?.description.contains(message) == true, "\(String(describing: error))")
            #expect(server.requests.count == 2)
            #expect(recorder.delays.isEmpty)
            #expect(embedder.lastRunStats.requests.count == 2)
        }
    }

    // MARK: Configuration

    @Test func missingKeyForThePublicAPIFailsBeforeAnyRequest() {
        let error = providerError { _ = try OpenAIEmbedder.forModel(name: "text-embedding-3-small", environment: [:]) }
        #expect(error?.kind == .configuration)
        #expect(error?.description.contains("OPENAI_API_KEY is not set") == true)
        let blank = providerError {
            _ = try OpenAIEmbedder.forModel(
                name: "text-embedding-3-small",
                environment: ["OPENAI_API_KEY": "  ", "OPENAI_BASE_URL": "https://api.openai.com/v1/"])
        }
        #expect(blank?.kind == .configuration)
    }

    @Test func printingAConfigurationHidesTheKey() throws {
        let configuration = try OpenAIEmbedder.configuration(
            forModel: "text-embedding-3-small",
            environment: ["OPENAI_API_KEY": Self.key])
        #expect(configuration.apiKey == Self.key)
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in ["\(configuration)", String(reflecting: configuration), dumped] {
            #expect(!text.contains(Self.key))
            #expect(text.contains("text-embedding-3-small"))
        }
    }

    @Test func factoryReadsTheEnvironment() throws {
        let embedder = try OpenAIEmbedder.forModel(
            name: "text-embedding-3-large",
            environment: [
                "OPENAI_API_KEY": Self.key + "\n", "OPENAI_BASE_URL": "https://gateway.example.com/openai/v1/",
            ])
        #expect(embedder.endpoint == "https://gateway.example.com/openai/v1/embeddings")
        #expect(embedder.configuration.apiKey == Self.key)
        #expect(embedder.dimensions == 3072)
        #expect(embedder.modelName == "text-embedding-3-large")
        #expect(embedder.maxInputTokens == 8191)
        let local = try OpenAIEmbedder.forModel(
            name: "openai:nomic-embed-text:768",
            environment: ["OPENAI_BASE_URL": "http://localhost:11434"])
        #expect(local.endpoint == "http://localhost:11434/v1/embeddings")
        #expect(local.configuration.apiKey == nil)
    }

    @Test func factoryKnowsModelsAndParsesSpecs() throws {
        let env = ["OPENAI_API_KEY": Self.key]
        let small = try OpenAIEmbedder.configuration(forModel: "text-embedding-3-small", environment: env)
        #expect(small.model == "text-embedding-3-small")
        #expect(small.dimensions == 1536)
        #expect(small.sendsDimensions)
        #expect(small.costPerMillionTokens == 0.02)
        #expect(small.baseURL == OpenAIEmbedder.defaultBaseURL)

        let large = try OpenAIEmbedder.configuration(forModel: "text-embedding-3-large", environment: env)
        #expect(large.dimensions == 3072)

        let nomic = try OpenAIEmbedder.configuration(forModel: "openai:nomic-embed-text:768", environment: env)
        #expect(nomic.model == "nomic-embed-text")
        #expect(nomic.dimensions == 768)
        #expect(nomic.registryName == "openai:nomic-embed-text:768")
        #expect(!nomic.sendsDimensions)

        let tagged = try OpenAIEmbedder.configuration(forModel: "openai:nomic-embed-text:latest:768", environment: env)
        #expect(tagged.model == "nomic-embed-text:latest")
        #expect(tagged.dimensions == 768)

        let shortened = try OpenAIEmbedder.configuration(
            forModel: "openai:text-embedding-3-small:512", environment: env)
        #expect(shortened.dimensions == 512)
        #expect(shortened.sendsDimensions)
        #expect(shortened.registryName == "openai:text-embedding-3-small:512")

        let native = try OpenAIEmbedder.configuration(forModel: "openai:text-embedding-3-small:1536", environment: env)
        #expect(native.registryName == "text-embedding-3-small")

        #expect(OpenAIEmbedder.recognises("openai:bge-m3:1024"))
        #expect(OpenAIEmbedder.recognises("text-embedding-3-large"))
        #expect(!OpenAIEmbedder.recognises("all-MiniLM-L6-v2"))
    }

    @Test(arguments: [
        "all-MiniLM-L6-v2", "gpt-4o", "openai:nomic-embed-text", "openai::768", "openai:x:0",
        "openai:text-embedding-3-small:4096", "openai:text-embedding-ada-002:512", "",
    ])
    func factoryRejectsUnknownModels(name: String) {
        let error = providerError {
            _ = try OpenAIEmbedder.forModel(name: name, environment: ["OPENAI_API_KEY": Self.key])
        }
        #expect(error?.kind == .configuration)
        #expect(error?.description.contains("unknown OpenAI embedding model") == true)
        #expect(error?.description.contains("openai:<model>:<dimensions>") == true)
    }

    @Test(arguments: [
        ("https://api.openai.com", "https://api.openai.com/v1/embeddings"),
        ("https://api.openai.com/", "https://api.openai.com/v1/embeddings"),
        ("https://api.openai.com/v1", "https://api.openai.com/v1/embeddings"),
        ("https://api.openai.com/v1/", "https://api.openai.com/v1/embeddings"),
        ("http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1/embeddings"),
        ("https://proxy.example.com/openai", "https://proxy.example.com/openai/v1/embeddings"),
    ])
    func endpointAcceptsABaseWithOrWithoutV1(base: String, endpoint: String) throws {
        #expect(try OpenAIEmbedder.endpoint(forBase: base) == endpoint)
    }

    @Test(arguments: ["", "api.openai.com", "ftp://example.com", "https://", "https://example.com?x=1"])
    func endpointRejectsUnusableBases(base: String) {
        let error = providerError { _ = try OpenAIEmbedder.endpoint(forBase: base) }
        #expect(error?.kind == .configuration)
        #expect(error?.description.contains("OPENAI_BASE_URL") == true)
    }

    @Test func retryAfterReadsSecondsMillisecondsAndDates() {
        #expect(OpenAIEmbedder.retryAfter(["retry-after": "2"]) == 2)
        #expect(OpenAIEmbedder.retryAfter(["retry-after": "1.5"]) == 1.5)
        #expect(OpenAIEmbedder.retryAfter(["retry-after-ms": "250", "retry-after": "9"]) == 0.25)
        #expect(OpenAIEmbedder.retryAfter(["retry-after": "-3"]) == nil)
        #expect(OpenAIEmbedder.retryAfter(["retry-after": "soon"]) == nil)
        #expect(OpenAIEmbedder.retryAfter([:]) == nil)
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        #expect(OpenAIEmbedder.retryAfter(["retry-after": "Tue, 14 Nov 2023 22:13:50 GMT"], now: now) == 30)
    }

    @Test func backoffDoublesUpToTheCapWithHalfJitter() {
        let policy = OpenAIEmbedder.RetryPolicy(maxAttempts: 10, baseDelay: 1, maxDelay: 8)
        #expect(policy.backoff(afterFailures: 1, random: 0) == 0.5)
        #expect(policy.backoff(afterFailures: 1, random: 1) == 1)
        #expect(policy.backoff(afterFailures: 3, random: 1) == 4)
        #expect(policy.backoff(afterFailures: 9, random: 0.5) == 6)
        #expect(policy.backoff(afterFailures: 100, random: 1) == 8)
    }

    @Test func decodesLittleEndianFloat32Base64() {
        let values: [Float] = [1, -2.5, 0.125, .leastNonzeroMagnitude]
        #expect(OpenAIEmbedder.decodeBase64Floats(FakeEmbeddingsServer.base64(values)) == values)
        #expect(OpenAIEmbedder.decodeBase64Floats("AAAAAAA=") == nil)  // 5 bytes
        #expect(OpenAIEmbedder.decodeBase64Floats("not base64!") == nil)
    }
}
