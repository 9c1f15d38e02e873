import Dispatch
import Foundation
import VecCore

/// Runs the TUI: owns the terminal and the state, turns input into actions, performs the reducer's effects on
/// worker queues and feeds their answers back as actions (bubbletea's program loop).
///
/// Everything touching the terminal or the state happens on the thread that called `run()`; workers only post
/// actions to a locked inbox, which the loop drains between frames.
public final class TUIRuntime {
    private let backend: any SearchBackend
    var state: AppState
    private let historyURL: URL?
    private let paramsURL: URL?
    private let inbox = Inbox()
    /// One search lane per side, so side B (compare mode) never waits for side A's search.
    private let laneA = SearchLane(label: "vecscope.tui.search.a")
    private let laneB = SearchLane(label: "vecscope.tui.search.b")
    private let backgroundQueue = DispatchQueue(label: "vecscope.tui.background")
    private let sweepQueue = DispatchQueue(label: "vecscope.tui.sweep")
    private let fileQueue = DispatchQueue(label: "vecscope.tui.files")
    private let indexQueue = DispatchQueue(label: "vecscope.tui.indexes")
    private let setupQueue = DispatchQueue(label: "vecscope.tui.setup")
    /// Sweeps asked to stop.
    private let stoppedSweeps = StoppedSweeps()
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastReconnectAttempt: Double = -.infinity
    /// How often the loop wakes up without input (spinner, inbox).
    public var frameMilliseconds: Int32 = 50
    /// How often while a search is in flight: a worker cannot interrupt ncurses' wait for a key, so its answer
    /// waits for the loop's next turn to be drawn.
    public var busyFrameMilliseconds: Int32 = 2

    /// - Parameters:
    ///   - backend: the search core, adapted (see `SearchBackend`).
    ///   - state: the starting state (connection target, parameters from flags, a query to pre-fill…).
    ///   - historyURL: where query history is kept between runs (one query per line, JSON-escaped); nil keeps none.
    ///   - paramsURL: where the search parameters are kept between runs (JSON): read here, written on quit.
    public init(backend: any SearchBackend, state: AppState, historyURL: URL? = nil, paramsURL: URL? = nil) {
        self.backend = backend
        self.state = state
        self.historyURL = historyURL
        self.paramsURL = paramsURL
        if let historyURL, let entries = Self.readHistory(historyURL) {
            self.state.history = QueryHistory(entries: entries)
        }
        if let paramsURL, let params = Self.readParams(paramsURL), params != state.sideA.params {
            // The knobs as the user left them; `d` on a parameter still resets it to the default.
            self.state.sideA.params = params
            self.state.message = StatusMessage(
                text: "parameters as you left them (d resets one to its default)", kind: .info, expires: 4)
        }
    }

    /// Takes over the terminal until the user quits; always restores it. Returns the final state.
    @discardableResult
    public func run() throws -> AppState {
        let terminal = try Terminal()
        defer { terminal.restore() }
        dispatch(.resize(terminal.size))
        dispatch(.tick(now: now()))
        loadChoices()
        dispatch(.started)
        var grid = CellGrid(size: state.size)
        while !state.isQuitting {
            render(state, into: &grid)
            terminal.draw(grid)
            if let action = terminal.nextAction(timeoutMilliseconds: waitMilliseconds) {
                dispatch(.tick(now: now()))
                // Take everything already typed (a fast typist, an unbracketed paste) before drawing again.
                var pending = Self.readBurst(startingWith: action, from: terminal)[...]
                while !state.isQuitting, let next = InputBurst.next(&pending, typing: state.isTyping) {
                    if next == .key(.ctrl("l")) { terminal.invalidate() }
                    dispatch(next)
                }
            }
            pump()
            reconnectIfDown()
        }
        saveParams()
        return state
    }

    /// How long the loop waits for input before its next turn (`busyFrameMilliseconds` while a search runs).
    var waitMilliseconds: Int32 {
        let searching = state.sideA.status.isBusy || state.compare?.sideB.status.isBusy == true
        return searching ? busyFrameMilliseconds : frameMilliseconds
    }

    /// Keeps side A's parameters for the next start.
    func saveParams() {
        guard let paramsURL, let data = try? JSONEncoder().encode(state.sideA.params) else { return }
        try? FileManager.default.createDirectory(
            at: paramsURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: paramsURL, options: .atomic)
    }

    /// Saved parameters that still validate (a model or knob that no longer exists is not restored).
    static func readParams(_ url: URL) -> SearchParams? {
        guard let data = try? Data(contentsOf: url),
            let params = try? JSONDecoder().decode(SearchParams.self, from: data), (try? params.validate()) != nil
        else { return nil }
        return params
    }

    /// Every action already waiting after `first`. A burst ending in Enter waits a moment for more: a terminal
    /// hands a long unbracketed paste over in chunks, and a line break between two chunks must not run the search.
    private static func readBurst(startingWith first: Action, from terminal: Terminal) -> [Action] {
        var burst = [first]
        while burst.count < 1_000_000 {
            if let next = terminal.nextAction(timeoutMilliseconds: 0) {
                burst.append(next)
            } else if burst.count > 1, case .key(let last) = burst.last, InputBurst.isBreak(last),
                let next = terminal.nextAction(timeoutMilliseconds: 15)
            {
                burst.append(next)
            } else {
                break
            }
        }
        return burst
    }

    /// Reduces one action and performs its effects.
    func dispatch(_ action: Action) {
        for effect in reduce(&state, action) { perform(effect) }
    }

    /// One turn of the loop without the terminal: feeds back what the workers posted, then lets time pass.
    /// (The loop in `run()` does the same between frames; tests drive it directly.)
    func pump() {
        for action in inbox.drain() { dispatch(action) }
        dispatch(.tick(now: now()))
    }

    /// The state as it is now (for tests and for the caller after `run()`).
    var currentState: AppState { state }

    func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    private func perform(_ effect: Effect) {
        let backend = self.backend, inbox = self.inbox
        switch effect {
        case .runSearch(let side, let generation, let text, let params):
            let latest = lane(side).latest
            latest.set(generation)
            lane(side).queue.async {
                guard latest.get() == generation else { return }  // superseded while queued
                let result = Result { try backend.search(side, text: text, params: params) }.mapError(TUIError.init)
                inbox.post(.searchFinished(side, generation: generation, result))
                if let status = Self.connectionStatus(after: result) { inbox.post(status) }
            }
        case .cancelSearch(let side, let generation):
            let latest = lane(side).latest
            if latest.get() == generation { latest.set(0) }  // not started yet: never start it
            backend.cancelSearch(side)
        case .readQueryFile(let path):
            fileQueue.async { inbox.post(.queryFileRead(path: path, Self.readQueryFile(path))) }
        case .runSweep(let id, let text, let params, let knob, let values):
            let stopped = stoppedSweeps
            sweepQueue.async {
                let result = Result {
                    try backend.sweep(
                        text: text, params: params, knob: knob, values: values, repetitions: SweepModel.repetitions,
                        isCancelled: { stopped.contains(id) },
                        progress: { inbox.post(.sweepProgress(id: id, $0)) })
                }.mapError(TUIError.init)
                inbox.post(.sweepFinished(id: id, result))
            }
        case .cancelSweep(let id):
            stoppedSweeps.insert(id)
        case .checkSweepData(let id, let model):
            backgroundQueue.async {
                // Unknown data leaves the sweep unmarked; a database that is down says so elsewhere.
                if let version = try? backend.dataVersion(model: model) {
                    inbox.post(.sweepDataChecked(id: id, version))
                }
            }
        case .measureRecall(let side, let generation, let text, let params, let ids):
            backgroundQueue.async {
                let result = Result { try backend.measureRecall(text: text, params: params, measuredIDs: ids) }
                    .mapError(TUIError.init)
                inbox.post(.recallMeasured(side, generation: generation, result))
            }
        case .scoreRanking(let generation, let ids, let grades, let k):
            inbox.post(
                .rankingScored(generation: generation, .success(backend.score(rankedIDs: ids, grades: grades, k: k))))
        case .scoreBaseline(let generation, let text, let params, let grades, let k):
            backgroundQueue.async {
                let result = Result { try backend.baselineNDCG(queryText: text, params: params, grades: grades, k: k) }
                    .mapError(TUIError.init)
                inbox.post(.baselineScored(generation: generation, result))
            }
        case .loadJudgments(let queryText):
            backgroundQueue.async {
                let result = Result { try backend.judgments(for: queryText) }.mapError(TUIError.init)
                inbox.post(.judgmentsLoaded(queryText: queryText, result))
            }
        case .saveJudgment(let queryText, let artifactID, let grade, let previousGrade):
            backgroundQueue.async {
                do {
                    try backend.saveJudgment(queryText: queryText, artifactID: artifactID, grade: grade)
                } catch {
                    inbox.post(
                        .judgmentSaveFailed(
                            queryText: queryText, artifactID: artifactID,
                            previousGrade: previousGrade, TUIError(error)))
                }
            }
        case .runSetup(let loadFixtures, let embed):
            setupQueue.async {
                let result = Result {
                    try backend.prepare(
                        loadFixtures: loadFixtures, embed: embed,
                        progress: { inbox.post(.setupProgress($0)) },
                        stepDone: { inbox.post(.setupStepDone($0)) })
                }.mapError(TUIError.init)
                inbox.post(.setupFinished(result))
            }
        case .loadChoices:
            loadChoices()
        case .loadIndexes:
            indexQueue.async {
                inbox.post(.indexesLoaded(Result { try backend.indexInventory() }.mapError(TUIError.init)))
            }
        case .loadHealth:
            backgroundQueue.async {
                inbox.post(.healthLoaded(Result { try backend.healthReport() }.mapError(TUIError.init)))
            }
        case .runIndexJob(let kind):
            indexQueue.async {
                let result = Result {
                    try backend.runIndexJob(kind, progress: { inbox.post(.indexJobProgress($0)) })
                }.mapError(TUIError.init)
                inbox.post(.indexJobFinished(result))
            }
        case .cancelIndexJob:
            backend.cancelIndexJob()
        case .exportGrades(let queryText, let jobID):
            backgroundQueue.async {
                let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
                let result = Result {
                    try backend.exportGrades(queryText: queryText, id: jobID, directory: directory)
                }.mapError(TUIError.init)
                inbox.post(.gradesExported(result))
            }
        case .loadJobGradeCounts:
            backgroundQueue.async {
                inbox.post(.jobGradeCountsLoaded(Result { try backend.gradeCounts() }.mapError(TUIError.init)))
            }
        case .saveHistory(let entries):
            guard let historyURL else { return }
            backgroundQueue.async { Self.writeHistory(entries, to: historyURL) }
        case .quit:
            break  // `state.isQuitting` ends the loop
        }
    }

    private func lane(_ side: Side) -> SearchLane { side == .a ? laneA : laneB }

    private func loadChoices() {
        let backend = self.backend, inbox = self.inbox
        backgroundQueue.async {
            do {
                inbox.post(.choicesLoaded(try backend.choices()))
                inbox.post(.connectionChanged(.connected))
            } catch {
                inbox.post(.connectionChanged(.down(TUIError(error).message)))
            }
        }
    }

    private func reconnectIfDown() {
        guard case .down = state.database else { return }
        let t = now()
        guard t - lastReconnectAttempt >= 3 else { return }
        lastReconnectAttempt = t
        let backend = self.backend, inbox = self.inbox
        backgroundQueue.async {
            do {
                try backend.reconnect()
                inbox.post(.connectionChanged(.connected))
                if let choices = try? backend.choices() { inbox.post(.choicesLoaded(choices)) }
            } catch {
                inbox.post(.connectionChanged(.down(TUIError(error).message)))
            }
        }
    }

    /// A search that could not reach the server marks the database down; a success marks it up.
    static func connectionStatus(after result: Result<SearchResponse, TUIError>) -> Action? {
        switch result {
        case .success: return .connectionChanged(.connected)
        case .failure(let error): return error.isConnectionFailure ? .connectionChanged(.down(error.message)) : nil
        }
    }

    /// The text of a query file (a leading ~ is the home directory), or why it cannot be used.
    static func readQueryFile(_ path: String) -> Result<String, TUIError> {
        var expanded = path
        if expanded == "~" || expanded.hasPrefix("~/") {
            expanded = FileManager.default.homeDirectoryForCurrentUser.path + expanded.dropFirst()
        }
        guard let data = FileManager.default.contents(atPath: expanded) else {
            let exists = FileManager.default.fileExists(atPath: expanded)
            return .failure(TUIError(message: exists ? "not a readable file" : "no such file"))
        }
        guard data.count <= 1_000_000 else { return .failure(TUIError(message: "over 1 MB — not a job description")) }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(TUIError(message: "not UTF-8 text"))
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return .failure(TUIError(message: "the file is empty"))
        }
        return .success(text)
    }

    // MARK: History file

    static func readHistory(_ url: URL) -> [String]? {
        guard let data = try? Data(contentsOf: url), let text = String(data: data, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONDecoder().decode(String.self, from: Data(line.utf8)))
        }
    }

    static func writeHistory(_ entries: [String], to url: URL) {
        let lines = entries.compactMap { entry -> String? in
            guard let data = try? JSONEncoder().encode(entry) else { return nil }
            return String(data: data, encoding: .utf8)
        }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }
}

/// A side's search worker: its serial queue, and the newest generation issued to it (a queued search older than
/// that is skipped, not run).
struct SearchLane {
    let queue: DispatchQueue
    let latest = LatestGeneration()

    init(label: String) {
        queue = DispatchQueue(label: label)
    }
}

/// The newest search generation, readable from the search worker.
final class LatestGeneration: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func set(_ generation: Int) { lock.withLock { value = generation } }
    func get() -> Int { lock.withLock { value } }
}

/// Actions posted by worker queues for the main loop; the only other state shared across threads.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var actions: [Action] = []

    func post(_ action: Action) {
        lock.lock()
        actions.append(action)
        lock.unlock()
    }

    func drain() -> [Action] {
        lock.lock()
        defer { lock.unlock() }
        let drained = actions
        actions.removeAll()
        return drained
    }
}

/// Ids of sweeps asked to stop, read by the sweep worker between values.
final class StoppedSweeps: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: Set<Int> = []

    func insert(_ id: Int) { lock.withLock { _ = ids.insert(id) } }
    func contains(_ id: Int) -> Bool { lock.withLock { ids.contains(id) } }
}
