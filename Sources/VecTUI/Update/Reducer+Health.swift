import VecCore

/// The health view: the `vecscope stats` report, read in the background.
extension Reducer {
    /// Opens the view (or, open already, reads again): "loading…" until the report arrives.
    static func loadHealth(_ state: inout AppState) -> [Effect] {
        state.overlay = .health
        state.healthView.phase = .loading
        return [.loadHealth]
    }

    static func healthLoaded(_ state: inout AppState, _ result: Result<StatsBody, TUIError>) {
        switch result {
        case .success(let body): state.healthView.phase = .loaded(body)
        case .failure(let error): state.healthView.phase = .failed(error)
        }
        state.healthView.scroll = min(state.healthView.scroll, HealthView.maxScroll(state))
    }
}
