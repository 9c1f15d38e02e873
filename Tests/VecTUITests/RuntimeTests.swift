import Foundation
import Testing

@testable import VecCore
@testable import VecTUI

/// A backend that answers from memory, can be told to be slow, and records calls.
final class FakeBackend: SearchBackend, @unchecked Sendable {
    private let lock = NSLock()
    private var cancelRequested = false
    private(set) var searches: [String] = []
    private(set) var cancels = 0
    private(set) var saved: [(String, Int, Int?)] = []
    var delay: TimeInterval = 0
    var ids = [1, 2, 3]

    func search(_ side: Side, text: String, params: SearchParams) throws -> SearchResponse {
        if side == .b {
            lock.withLock { compareSearches.append(params) }
            return Fixture.response(ids: compareIDs, params: params)
        }
        lock.withLock {
            searches.append(text)
            cancelRequested = false
        }
        let end = Date().addingTimeInterval(delay)
        while Date() < end {
            if lock.withLock({ cancelRequested }) {
                throw PostgresError(
                    kind: .server, code: .queryCanceled, message: "canceling statement due to user request")
            }
            usleep(2_000)
        }
        return Fixture.response(ids: ids, params: params)
    }

    func cancelSearch(_ side: Side) {
        guard side == .a else { return }
        lock.withLock {
            cancelRequested = true; cancels += 1
        }
    }
    /// Side B's searches (compare mode), answered with `compareIDs` at once.
    private(set) var compareSearches: [SearchParams] = []
    var compareIDs = [3, 1, 4]
    /// Seconds each sweep value takes.
    var sweepDelay: TimeInterval = 0
    func sweep(
        text: String, params: SearchParams, knob: SweepKnob, values: [Int], repetitions: Int,
        isCancelled: @escaping @Sendable () -> Bool, progress: @escaping @Sendable (SweepPoint) -> Void
    ) throws
        -> [SweepPoint]
    {
        var points: [SweepPoint] = []
        for value in values {
            if isCancelled() { throw TUIError(message: "sweep stopped", isCancellation: true) }
            usleep(UInt32(sweepDelay * 1_000_000))
            let point = SweepPoint(
                value: value, recall: min(1, Double(value) / 100), p50Ms: Double(value) / 100,
                p95Ms: Double(value) / 50)
            points.append(point)
            progress(point)
        }
        return points
    }
    /// The data version `dataVersion(model:)` answers; tests change it to stand for a load between two reads.
    var data = DataVersion(artifacts: 3, vectors: 6)
    func dataVersion(model: String) throws -> DataVersion { data }
    func measureRecall(text: String, params: SearchParams, measuredIDs: [Int]) throws -> RecallMeasurement {
        RecallMeasurement(scope: params.method.recallScope, k: params.limit, recall: 0.9)
    }
    func judgments(for queryText: String) throws -> [Int: Int] { [2: 3] }
    /// Writes what the TSV would hold for `judgments(for:)`, so the runtime's export path is exercised.
    func exportGrades(queryText: String, id: String?, directory: URL) throws -> GradesExport {
        let url = directory.appendingPathComponent("vecscope-grades-\(id ?? "q").tsv")
        try "\(id ?? "q")\ta2\t3\n".write(to: url, atomically: true, encoding: .utf8)
        return GradesExport(path: url.path, count: 1)
    }
    func gradeCounts() throws -> [String: Int] { [:] }
    func saveJudgment(queryText: String, artifactID: Int, grade: Int?) throws {
        lock.withLock { saved.append((queryText, artifactID, grade)) }
    }
    func baselineNDCG(queryText: String, params: SearchParams, grades: [Int: Int], k: Int) throws -> Double? {
        grades.isEmpty ? nil : 0.25
    }

    func score(rankedIDs: [Int], grades: [Int: Int], k: Int) -> RankingScore {
        RankingScore(k: k, ndcg: grades.isEmpty ? nil : 0.5, precision: 0.1, judged: grades.count)
    }
    func choices() throws -> ParameterChoices { ParameterChoices(users: ["u01"], models: ["m"]) }
    func reconnect() throws {}
    private(set) var indexJobs: [IndexJob.Kind] = []
    private var indexCancelled = false
    func indexInventory() throws -> IndexInventory { IndexInventory(indexes: [], rowsByModel: ["m": 10]) }
    /// `healthReport()` fails with this when set (a database error with its SQLSTATE and hint).
    var healthError: PostgresError?
    func healthReport() throws -> StatsBody {
        if let healthError { throw healthError }
        return HealthFixture.body
    }
    /// Reports two progress steps, then waits (up to 2 s) for a cancel when `indexJobWaits` is set.
    var indexJobWaits = false
    func runIndexJob(_ kind: IndexJob.Kind, progress: @escaping @Sendable (IndexBuildProgress) -> Void) throws -> String
    {
        lock.withLock {
            indexJobs.append(kind); indexCancelled = false
        }
        progress(IndexBuildProgress(phase: "building index: loading tuples", tuplesDone: 5, tuplesTotal: 10))
        let end = Date().addingTimeInterval(indexJobWaits ? 2 : 0)
        while Date() < end {
            if lock.withLock({ indexCancelled }) {
                throw PostgresError(
                    kind: .server, code: .queryCanceled, message: "canceling statement due to user request")
            }
            usleep(2_000)
        }
        return "built it"
    }
    func cancelIndexJob() { lock.withLock { indexCancelled = true } }
    private(set) var setups: [(Bool, Bool)] = []
    var setupFails = false
    func prepare(
        loadFixtures: Bool, embed: Bool, progress: @escaping @Sendable (DemoSetup.Progress) -> Void,
        stepDone: @escaping @Sendable (String) -> Void
    ) throws -> String {
        lock.withLock { setups.append((loadFixtures, embed)) }
        progress(DemoSetup.Progress(step: .loading, done: 252, total: 252))
        stepDone("loaded 252 artifacts of 12 people")
        if setupFails { throw TUIError(message: "model weights not found") }
        progress(DemoSetup.Progress(step: .embedding, done: 10, total: 20))
        return "loaded and embedded"
    }
}

@Suite("Runtime without a terminal")
struct RuntimeTests {
    @Test func theLastParametersAreRestoredOnTheNextStart() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vecscope-params-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        var first = AppState()
        first.sideA.params.efSearch = 64
        first.sideA.params.limit = 30
        let before = TUIRuntime(backend: FakeBackend(), state: first, paramsURL: url)
        before.saveParams()
        let after = TUIRuntime(backend: FakeBackend(), state: AppState(), paramsURL: url)
        #expect(after.currentState.sideA.params.efSearch == 64)
        #expect(after.currentState.sideA.params.limit == 30)
        #expect(after.currentState.defaults.efSearch == AppState.defaultParams.efSearch)  // d still resets
        // A file that no longer validates is ignored.
        try Data(#"{"efSearch": -3}"#.utf8).write(to: url)
        #expect(
            TUIRuntime(backend: FakeBackend(), state: AppState(), paramsURL: url).currentState.sideA.params
                == AppState.defaultParams)
    }

    @Test func searchRunsOnAWorkerAndItsResultComesBackAsAnAction() {
        let backend = FakeBackend()
        let runtime = TUIRuntime(backend: backend, state: AppState(connectionTarget: "test"))
        runtime.dispatch(.paste("Go developer"))
        runtime.dispatch(.key(.ctrl("r")))
        #expect(
            pump(runtime, seconds: 2) {
                $0.sideA.results.response != nil && $0.sideA.results.recall != nil && $0.gradesQuery != nil
            })
        let state = runtime.currentState
        #expect(state.sideA.results.items.map(\.artifactID) == [1, 2, 3])
        #expect(state.sideA.results.recall?.recall == 0.9)
        #expect(state.grades == [2: 3])
        #expect(state.database == .connected)
    }

    @Test func aNewSearchCancelsTheOneInFlight() {
        let backend = FakeBackend()
        backend.delay = 1
        let runtime = TUIRuntime(backend: backend, state: AppState())
        runtime.dispatch(.paste("slow query"))
        runtime.dispatch(.key(.ctrl("r")))
        usleep(50_000)
        backend.delay = 0
        runtime.dispatch(.key(.ctrl("r")))
        #expect(backend.cancels == 1)
        #expect(pump(runtime, seconds: 2) { $0.sideA.results.response != nil })
        #expect(runtime.currentState.sideA.results.generation == 2)
        #expect(runtime.currentState.message == nil)
    }

    /// `make bench`'s TUI figure: each timed change is one search of its own (the backend saw the first search and
    /// one per change, with the stepped value) and is over only once a frame showed that search's answer.
    @Test func timedParameterChangesWaitForTheirOwnResults() throws {
        let backend = FakeBackend()
        backend.delay = 0.03
        var state = AppState(size: Size(width: 100, height: 30))
        _ = reduce(&state, .loadQuery("@u01/a042"))
        let runtime = TUIRuntime(backend: backend, state: state)
        let timings = try runtime.timeParameterChanges(.efSearch, count: 4)
        #expect(timings.count == 4)
        #expect(backend.searches == Array(repeating: "@u01/a042", count: 5))
        #expect(timings.allSatisfy { $0.repaintMs >= 30 }, "each waited for its search's answer: \(timings)")
        let shown = runtime.currentState.sideA.results
        #expect(shown.params?.efSearch == 40 && shown.generation == runtime.currentState.lastGeneration)
    }

    @Test func gradesAreSavedThroughTheBackend() {
        let backend = FakeBackend()
        let runtime = TUIRuntime(backend: backend, state: AppState())
        runtime.dispatch(.paste("Go developer"))
        runtime.dispatch(.key(.ctrl("r")))
        #expect(pump(runtime, seconds: 2) { $0.gradesQuery != nil })
        #expect(runtime.currentState.focus == .results)  // the search left the editor
        runtime.dispatch(.key(.char("1")))
        #expect(pump(runtime, seconds: 2) { $0.sideA.results.score?.judged == 2 })
        #expect(pump(runtime, seconds: 2) { _ in backend.saved.count == 1 })
        #expect(backend.saved.first?.1 == 1)
        #expect(backend.saved.first?.2 == 1)
    }

    @Test func historyIsKeptInAFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vecscope-history-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        let runtime = TUIRuntime(backend: FakeBackend(), state: AppState(), historyURL: url)
        runtime.dispatch(.paste("multi\nline \"query\""))
        runtime.dispatch(.key(.ctrl("r")))
        #expect(pump(runtime, seconds: 2) { _ in FileManager.default.fileExists(atPath: url.path) })
        let reloaded = TUIRuntime(backend: FakeBackend(), state: AppState(), historyURL: url)
        #expect(reloaded.currentState.history.entries == ["multi\nline \"query\""])
    }
}

@Suite("Errors")
struct TUIErrorTests {
    @Test func cancellationIsRecognised() {
        let error = TUIError(PostgresError(kind: .server, code: .queryCanceled, message: "canceling statement"))
        #expect(error.isCancellation)
        #expect(!error.isConnectionFailure)
    }

    @Test func lostConnectionIsRecognised() {
        let error = TUIError(PostgresError(kind: .connection, message: "server closed the connection unexpectedly"))
        #expect(error.isConnectionFailure)
        #expect(TUIRuntime.connectionStatus(after: .failure(error)) == .connectionChanged(.down(error.message)))
    }

    @Test func vecscopeErrorsKeepTheirFixOnOneLine() {
        let error = TUIError(VecscopeError(what: "ef_search 0 is out of range", fix: "Use 1…1000."))
        #expect(error.message == "ef_search 0 is out of range — Use 1…1000.")
        #expect(TUIRuntime.connectionStatus(after: .failure(error)) == nil)
    }
}
