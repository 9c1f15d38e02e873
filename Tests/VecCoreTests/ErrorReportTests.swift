import Foundation
import TestSupport
import Testing

@testable import VecCore

/// Every error type says what happened, why and what to do; database errors keep the server's facts.
@Suite struct ErrorReportTests {
    @Test(arguments: [
        (MiniLMError.weightsNotFound(path: "/v/m"), "the all-MiniLM-L6-v2 weights are not installed", "make setup"),
        (
            MiniLMError.invalidConfiguration(path: "/v/m", reason: "hidden_act relu"),
            "cannot use the all-MiniLM-L6-v2 files at /v/m", "make setup"
        ),
        (
            MiniLMError.invalidInput(index: 3, reason: "token id 40000 is outside 0..<30522"),
            "input 3 cannot be embedded by all-MiniLM-L6-v2", "vocab.txt"
        ),
    ])
    func miniLMErrors(error: MiniLMError, what: String, fix: String) {
        let report = ErrorReport(error)
        #expect(report.what == what)
        #expect(report.why != nil)
        #expect(report.fix?.contains(fix) == true)
    }

    @Test func tokenizerErrors() {
        let unreadable = ErrorReport(WordPieceTokenizerError.unreadableVocabulary(path: "/v/vocab.txt", reason: "gone"))
        #expect(
            unreadable
                == ErrorReport(
                    what: "cannot read the WordPiece vocabulary /v/vocab.txt", why: "gone",
                    fix: "Run `make setup` to install the model's vocab.txt."))
        let missing = ErrorReport(WordPieceTokenizerError.missingSpecialToken("[CLS]"))
        #expect(missing.what == "the WordPiece vocabulary has no [CLS] token")
        #expect(missing.why == "the tokenizer needs [PAD], [UNK], [CLS], [SEP], [MASK]")
        #expect(missing.fix != nil)
        let short = ErrorReport(WordPieceTokenizerError.sequenceTooShort(1))
        #expect(short.why == "[CLS] and [SEP] take two tokens" && short.fix?.contains("at least 2") == true)
    }

    @Test func safeTensorsErrors() {
        let system = ErrorReport(SafeTensorsError.system(path: "/v/model.safetensors", call: "open", errno: ENOENT))
        #expect(system.what == "cannot read /v/model.safetensors")
        #expect(system.why == "open failed: No such file or directory")
        #expect(system.fix?.contains("make setup") == true)
        let f16 = SafeTensorsError.unsupportedDType(path: "/m", tensor: "w", dtype: "F16", expected: "F32")
        let dtype = ErrorReport(f16)
        #expect(dtype.what == "/m: tensor \"w\" has dtype F16" && dtype.why == "only F32 is supported here")
        let truncated = SafeTensorsError.truncated(path: "/m", reason: "short")
        #expect(
            ErrorReport(truncated)
                == ErrorReport(
                    what: truncated.description,
                    fix: "Run `make setup` to install the weights again."))
    }

    @Test func providerAndTransportErrors() {
        let provider = EmbeddingProviderError(
            kind: .authentication, what: "api refused the request (HTTP 401)",
            why: "OPENAI_API_KEY is missing or invalid", fix: "Set OPENAI_API_KEY.",
            status: 401)
        #expect(ErrorReport(provider) == ErrorReport(what: provider.what, why: provider.why, fix: provider.fix))
        let timeout = CurlEasy.TransportError(code: 28, message: "Timeout was reached", detail: "after 10001 ms")
        let report = ErrorReport(timeout)
        #expect(report.what == "an HTTP request got no response (curl error 28: Timeout was reached)")
        #expect(report.why == "after 10001 ms")
        #expect(report.fix == "Try again, or send smaller batches.")
        let refused = ErrorReport(CurlEasy.TransportError(code: 7, message: "refused", detail: "refused"))
        #expect(refused.why == nil && refused.fix?.contains("proxy") == true)
    }

    @Test func aRejectedRecordNamesItsLineAndTheExpectedShape() {
        let report = ErrorReport(RejectedRecord(file: "a.jsonl", line: 2, field: "title", problem: "missing"))
        #expect(report.what == "a.jsonl:2: title: missing")
        #expect(report.fix?.contains("artifact_type") == true)
    }

    @Test func aServerErrorKeepsItsSQLStateDetailAndHint() throws {
        let (connection, _) = try TestDatabase.fresh()
        try connection.execute("INSERT INTO users (external_id) VALUES ('u1')")
        let duplicate = #expect(throws: PostgresError.self) {
            try connection.execute("INSERT INTO users (external_id) VALUES ('u1')")
        }
        let unique = try #require(duplicate.map { ErrorReport($0) })
        #expect(unique.what.contains("duplicate key value violates unique constraint"))
        #expect(unique.sqlState == "23505")
        #expect(unique.detail == "Key (external_id)=(u1) already exists.")
        #expect(unique.lines.contains("SQLSTATE: 23505"))

        let noFunction = #expect(throws: PostgresError.self) { try connection.query("SELECT no_such_function(1)") }
        let undefined = try #require(noFunction.map { ErrorReport($0) })
        #expect(undefined.sqlState == "42883")
        #expect(undefined.hint?.contains("No function matches the given name and argument types") == true)
        #expect(undefined.lines.last?.hasPrefix("Hint: ") == true)
    }

    /// Issue 15 #9: a statement_timeout came back as the bare server error, with no context and no fix.
    @Test func aStatementTimeoutSaysWhatVecscopeWasDoingAndWhatToChange() throws {
        let (connection, url) = try TestDatabase.fresh()
        let holder = try Connection(url)
        try holder.execute("BEGIN")
        try holder.execute("LOCK TABLE artifact_embeddings IN ACCESS EXCLUSIVE MODE")
        defer { _ = try? holder.execute("ROLLBACK") }
        try connection.execute("SET statement_timeout = '300ms'")
        let engine = SearchEngine(connection: connection, makeEmbedder: { _ in try FixtureDatabase.model() })
        let error = #expect(throws: PostgresError.self) { try engine.search(text: "tracing", params: SearchParams()) }
        let report = try #require(error.map { ErrorReport($0) })
        #expect(
            report.what == "searching with all-MiniLM-L6-v2 (semantic): canceling statement due to statement timeout")
        #expect(report.sqlState == "57014")
        #expect(report.fix?.contains("statement_timeout") == true && report.fix?.contains("--ef-search") == true)
        #expect(report.oneLine.contains("SQLSTATE 57014"))
    }

    @Test func knownServerFailuresCarryAFix() {
        for (code, words) in [
            ("53300", "max_connections"), ("55P03", "lock"), ("53100", "disk"), ("57P01", "retry"),
        ] {
            let report = ErrorReport(PostgresError(kind: .server, code: .init(rawValue: code), message: "m"))
            #expect(report.fix?.contains(words) == true, "\(code): \(String(describing: report.fix))")
        }
        let cancelled = ErrorReport(
            PostgresError(kind: .server, code: .queryCanceled, message: "canceling statement due to user request"))
        #expect(cancelled.fix?.contains("--ef-search") == false)
    }

    @Test func aReadOnlyServerSaysWhatToDo() throws {
        let (connection, _) = try TestDatabase.fresh()
        try connection.execute("SET default_transaction_read_only = on")
        let error = #expect(throws: PostgresError.self) {
            try connection.execute("INSERT INTO users (external_id) VALUES ('u2')")
        }
        let report = try #require(error.map { ErrorReport($0) })
        #expect(report.sqlState == "25006")
        #expect(report.fix?.contains("may write") == true)
        #expect(report.lines.last?.hasPrefix("→ ") == true)
    }

    @Test func aConnectionFailureKeepsItsHint() {
        let error = #expect(throws: PostgresError.self) {
            try Connection("postgresql://127.0.0.1:1/nothing?connect_timeout=2")
        }
        let report = error.map { ErrorReport($0) }
        #expect(report?.why == "connection error")
        #expect(report?.sqlState == "08001")
        #expect(report?.hint?.contains("DATABASE_URL") == true)
    }
}
