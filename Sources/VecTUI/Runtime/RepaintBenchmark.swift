import Dispatch
import Foundation
import VecCore

/// One parameter change as a tuner sees it (`TUIRuntime.timeParameterChanges`).
public struct RepaintTiming: Sendable {
    /// From the key press to the first rendered frame showing that change's results.
    public var repaintMs: Double
    /// The search inside it as `SearchEngine` timed it (client wall time, the same search).
    public var searchClientMs: Double
    /// Its search statement's server time.
    public var searchServerMs: Double?
}

extension TUIRuntime {
    /// Times the TUI's answer to a parameter change: the focused parameter stepped (→ then ←, alternately) until the
    /// first frame that shows the results of that very change — through the TUI's own reducer, search worker,
    /// inbox and renderer, turning the loop as `run()` does, without a terminal: frames are rendered into a grid and
    /// not written out, and where `run()` waits for a key the loop sleeps its `waitMilliseconds`. Between changes it
    /// waits for the recall measurement each search asks for, as a person reading the screen would.
    ///
    /// The state must hold a query (`.loadQuery`) and its parameters; the pane focus is set to the parameters.
    public func timeParameterChanges(
        _ parameter: TunableParameter, count: Int, timeoutSeconds: Double = 60
    ) throws -> [RepaintTiming] {
        state.focus = .parameters
        state.selectParameter(parameter)
        var grid = CellGrid(size: state.size)
        dispatch(.tick(now: now()))
        dispatch(.started)  // searches the query, as the TUI does for `--query`
        try turn(until: "the first search", grid: &grid, timeoutSeconds: timeoutSeconds) {
            $0.sideA.results.response != nil
        }
        try settle(&grid, timeoutSeconds: timeoutSeconds)
        var timings: [RepaintTiming] = []
        for step in 0..<count {
            let started = DispatchTime.now()
            dispatch(.tick(now: now()))
            dispatch(.key(Key(step % 2 == 0 ? .right : .left)))
            guard let generation = state.sideA.status.inFlight else {
                throw VecscopeError(
                    what: "changing \(parameter.rawValue) started no search",
                    why: state.message?.text ?? "the query or the parameter did not allow it",
                    fix: "Use a parameter that steps both ways from its value, and a query that searches.")
            }
            pump()
            try turn(until: "the results of change \(step + 1)", grid: &grid, timeoutSeconds: timeoutSeconds) {
                $0.sideA.results.generation == generation
            }
            let repaint = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
            let info = state.sideA.results.response?.info
            timings.append(
                RepaintTiming(
                    repaintMs: repaint, searchClientMs: info?.clientWallMs ?? .nan,
                    searchServerMs: info?.serverExecutionMs))
            try settle(&grid, timeoutSeconds: timeoutSeconds)
        }
        return timings
    }

    /// Turns the loop (render, wait, drain the inbox) until `done` holds for the state a frame was rendered from.
    private func turn(
        until what: String, grid: inout CellGrid, timeoutSeconds: Double, _ done: (AppState) -> Bool
    ) throws {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while true {
            render(state, into: &grid)
            if done(state) { return }
            if let error = state.message, error.kind == .error {
                throw VecscopeError(what: "the TUI failed while waiting for \(what)", why: error.text)
            }
            guard Date() < deadline else {
                throw VecscopeError(what: "the TUI did not show \(what) within \(Int(timeoutSeconds)) s")
            }
            usleep(useconds_t(waitMilliseconds) * 1000)
            pump()
        }
    }

    /// Waits for the recall measurement the shown results asked for (none for keyword ranking).
    private func settle(_ grid: inout CellGrid, timeoutSeconds: Double) throws {
        let results = state.sideA.results
        guard results.response.map({ _ in Reducer.recallEffect(.a, results) }).map({ !$0.isEmpty }) == true else {
            return
        }
        try turn(until: "the recall measurement", grid: &grid, timeoutSeconds: timeoutSeconds) {
            $0.sideA.results.recall != nil || $0.message?.text.contains("recall not measured") == true
        }
    }
}
