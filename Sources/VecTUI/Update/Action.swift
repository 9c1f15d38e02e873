import VecCore

/// Everything that can happen to the TUI: input from the terminal, time passing, and the results of effects.
/// The runtime turns each into a call to `reduce(_:_:)`; nothing else changes `AppState`.
public enum Action: Equatable, Sendable {
    /// A key press.
    case key(Key)
    /// Text pasted in one go (bracketed paste); inserted into the editor as-is.
    case paste(String)
    /// A mouse click or wheel turn at a screen cell.
    case mouse(MouseButton, at: Point)
    /// The terminal changed size.
    case resize(Size)
    /// Time passed; `now` is monotonic seconds. Drives debounced searches, the spinner and message expiry.
    case tick(now: Double)
    /// A `.runSearch` effect finished. Ignored unless `generation` is the search that side is waiting for.
    case searchFinished(Side, generation: Int, Result<SearchResponse, TUIError>)
    /// A `.readQueryFile` effect finished: the file's text becomes the query.
    case queryFileRead(path: String, Result<String, TUIError>)
    /// One value of the sweep `id` was measured.
    case sweepProgress(id: Int, SweepPoint)
    /// The data as it stands, read for the sweep `id` (the first answer is the data it started on).
    case sweepDataChecked(id: Int, DataVersion)
    /// The sweep `id` ended (all points, or why it stopped).
    case sweepFinished(id: Int, Result<[SweepPoint], TUIError>)
    /// A `.measureRecall` effect finished. Ignored unless the side still shows the results of `generation`.
    case recallMeasured(Side, generation: Int, Result<RecallMeasurement, TUIError>)
    /// A `.scoreRanking` effect finished.
    case rankingScored(generation: Int, Result<RankingScore, TUIError>)
    /// A `.scoreBaseline` effect finished: BM25's nDCG@k for the same query (nil when nothing is graded).
    case baselineScored(generation: Int, Result<Double?, TUIError>)
    /// Stored grades for a query arrived (`.loadJudgments`).
    case judgmentsLoaded(queryText: String, Result<[Int: Int], TUIError>)
    /// A `.saveJudgment` effect failed; the grade shown is rolled back.
    case judgmentSaveFailed(queryText: String, artifactID: Int, previousGrade: Int?, TUIError)
    /// An `.exportGrades` effect finished: the file written and how many grades, or why not.
    case gradesExported(Result<GradesExport, TUIError>)
    /// Stored grade counts by query hash (`.loadJobGradeCounts`).
    case jobGradeCountsLoaded(Result<[String: Int], TUIError>)
    /// The runtime is up and the first frame is drawn: work that starts on its own (the first-run set-up) starts.
    case started
    /// The set-up reported where it is.
    case setupProgress(DemoSetup.Progress)
    /// The set-up finished a step (a line saying what it did).
    case setupStepDone(String)
    /// The set-up ended.
    case setupFinished(Result<String, TUIError>)
    /// The vector indexes were listed (`.loadIndexes`).
    case indexesLoaded(Result<IndexInventory, TUIError>)
    /// The embedding health report arrived (`.loadHealth`), or why not.
    case healthLoaded(Result<StatsBody, TUIError>)
    /// The index job reported its phase and counts.
    case indexJobProgress(IndexBuildProgress)
    /// The index job ended: a line saying what it did, or why it stopped.
    case indexJobFinished(Result<String, TUIError>)
    /// Users and models found in the database, for the parameters that cycle through them.
    case choicesLoaded(ParameterChoices)
    /// The database went away or came back.
    case connectionChanged(DatabaseStatus)
    /// Replace the query text (a file, a command-line argument) without running it; the editor is left.
    case loadQuery(String)
    /// A fixture job becomes the query (named in the query pane's title) without running it; `.started` and the
    /// job picker run it.
    case loadJob(JobEntry)
    /// Show an informational message in the message line.
    case notify(String)
}

/// A failure reported to the TUI: its report (what, why, fix, and a database error's SQLSTATE, detail and hint), and
/// what kind of failure it was.
public struct TUIError: Error, Equatable, Sendable, CustomStringConvertible {
    public var report: ErrorReport
    /// The query was cancelled on purpose (SQLSTATE 57014 after a cancel request); not an error to the user.
    public var isCancellation: Bool
    /// The database could not be reached or the connection broke (SQLSTATE class 08, admin shutdown); the TUI
    /// shows its banner and reconnects.
    public var isConnectionFailure: Bool

    public init(report: ErrorReport, isCancellation: Bool = false, isConnectionFailure: Bool = false) {
        self.report = report
        self.isCancellation = isCancellation
        self.isConnectionFailure = isConnectionFailure
    }

    /// A failure the TUI itself finds (a file that cannot be read, a sweep stopped).
    public init(message: String, isCancellation: Bool = false, isConnectionFailure: Bool = false) {
        self.init(
            report: ErrorReport(what: message), isCancellation: isCancellation,
            isConnectionFailure: isConnectionFailure)
    }

    /// Wraps any error, keeping everything its report holds and recognising cancellation and lost connections.
    public init(_ error: any Error) {
        if let error = error as? TUIError {
            self = error
        } else if let error = error as? PostgresError {
            let code = error.code?.rawValue ?? ""
            self.init(
                report: ErrorReport(error), isCancellation: error.code == .queryCanceled,
                isConnectionFailure: error.kind == .connection || code.hasPrefix("08")
                    || error.code == .adminShutdown)
        } else {
            self.init(report: ErrorReport(error))
        }
    }

    /// The report on one line, for the message line: "what: why (SQLSTATE …; detail; hint: …) — fix".
    public var message: String { report.oneLine }

    public var description: String { message }
}

/// Quality of the current ranking against the stored grades for this query.
public struct RankingScore: Equatable, Sendable {
    public var k: Int
    /// nDCG@k; nil when nothing is graded.
    public var ndcg: Double?
    /// Precision@k (grade ≥ 2 counts as relevant); nil when nothing is graded.
    public var precision: Double?
    /// How many of the top k carry a grade.
    public var judged: Int

    public init(k: Int, ndcg: Double?, precision: Double?, judged: Int) {
        self.k = k
        self.ndcg = ndcg
        self.precision = precision
        self.judged = judged
    }
}

/// What the mouse did.
public enum MouseButton: Equatable, Sendable {
    case click, wheelUp, wheelDown
}

/// Where `E` wrote the grades of a query.
public struct GradesExport: Equatable, Sendable {
    public var path: String
    public var count: Int

    public init(path: String, count: Int) {
        self.path = path
        self.count = count
    }
}

/// The database connection as the status bar shows it.
public enum DatabaseStatus: Equatable, Sendable {
    case connecting
    case connected
    /// Unreachable, with the reason; the TUI keeps running and the runtime keeps retrying.
    case down(String)
}
