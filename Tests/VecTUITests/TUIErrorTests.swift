import Testing

@testable import VecCore
@testable import VecTUI

/// A failure keeps its report to the screen: a database error's SQLSTATE, detail and hint reach the message line.
@Suite("TUI errors keep their facts")
struct TUIErrorReportTests {
    private let missingTable = PostgresError(
        kind: .server, code: .undefinedTable,
        message: "relation \"artifact_embeddings\" does not exist",
        detail: "searched schema public", hint: "Run vecscope migrate.")

    @Test func aDatabaseErrorKeepsSQLStateDetailAndHint() {
        let error = TUIError(missingTable)
        #expect(error.report.sqlState == "42P01")
        #expect(error.report.detail == "searched schema public")
        #expect(error.report.hint == "Run vecscope migrate.")
        #expect(
            error.message == "relation \"artifact_embeddings\" does not exist (SQLSTATE 42P01; searched schema "
                + "public; hint: Run vecscope migrate.)")
        #expect(!error.isCancellation && !error.isConnectionFailure)
    }

    @Test func cancellationIsStillRecognised() {
        let cancelled = PostgresError(kind: .server, code: .queryCanceled, message: "canceling statement")
        #expect(TUIError(cancelled).isCancellation)
        let shutdown = PostgresError(kind: .server, code: .adminShutdown, message: "terminating")
        #expect(TUIError(shutdown).isConnectionFailure)
    }

    @Test func aFailedSearchShowsTheServersFactsOnOneLine() {
        var state = AppState(size: Size(width: 140, height: 30))
        _ = reduce(&state, .paste("x"))
        _ = reduce(&state, .key(.ctrl("r")))
        _ = reduce(&state, .searchFinished(.a, generation: 1, .failure(TUIError(missingTable))))
        #expect(
            render(state).trimmedLines[29]
                == " ✖ relation \"artifact_embeddings\" does not exist (SQLSTATE 42P01; "
                + "searched schema public; hint: Run vecscope migrate.)")
    }

    @Test func sideBsFailureSaysItIsB() {
        var state = Fixture.searched(size: Size(width: 140, height: 30))
        state.focus = .results
        let started = reduce(&state, .key(.char("c")))
        guard case .runSearch(.b, let generation, _, _)? = started.first else {
            Issue.record("no B search: \(started)")
            return
        }
        _ = reduce(&state, .searchFinished(.b, generation: generation, .failure(TUIError(missingTable))))
        let text = state.message?.text ?? ""
        #expect(text.hasPrefix("B: relation \"artifact_embeddings\" does not exist (SQLSTATE 42P01"))
    }
}
