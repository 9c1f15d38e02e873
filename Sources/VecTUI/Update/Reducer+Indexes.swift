import VecCore

/// The index view: listing, the create form, drop confirmation, and the one background job at a time.
extension Reducer {
    static func openIndexes(_ state: inout AppState) -> [Effect] {
        state.overlay = .indexes
        // While a job runs the index worker is busy with it; the list refreshes when it ends.
        guard state.indexView.job == nil else { return [] }
        if state.indexView.inventory.indexes.isEmpty { state.indexView.phase = .loading }
        return [.loadIndexes]
    }

    static func indexesLoaded(_ state: inout AppState, _ result: Result<IndexInventory, TUIError>) {
        switch result {
        case .success(let inventory):
            let selectedName = state.indexView.selectedIndex?.name
            state.indexView.inventory = inventory
            state.indexView.phase = .loaded
            let names = inventory.indexes.map(\.name)
            state.indexView.selected =
                selectedName.flatMap { names.firstIndex(of: $0) }
                ?? min(state.indexView.selected, max(0, names.count - 1))
        case .failure(let error):
            state.indexView.phase = .failed(error.message)
        }
    }

    /// The form starts on the model being searched, with the usual parameters for its row count.
    static func newIndex(_ state: inout AppState) -> [Effect] {
        let model = state.sideA.params.model
        let rows = state.indexView.inventory.rowsByModel[model] ?? 0
        state.indexView.form = IndexForm(request: IndexRequest(model: model).recommended(rows: rows))
        state.indexView.pendingDrop = nil
        return []
    }

    static func indexFormAdjust(_ state: inout AppState, direction: Int, large: Bool) {
        guard var form = state.indexView.form else { return }
        var models = state.choices.models
        if models.isEmpty { models = [form.request.model] }
        form.adjust(direction: direction, large: large, models: models)
        state.indexView.form = form
    }

    static func indexFormRecommended(_ state: inout AppState) {
        guard let form = state.indexView.form else { return }
        let rows = state.indexView.inventory.rowsByModel[form.request.model] ?? 0
        state.indexView.form?.request = form.request.recommended(rows: rows)
        inform(&state, "recommended for \(rows) rows: " + (state.indexView.form?.request.summary ?? ""))
    }

    static func startIndexJob(_ kind: IndexJob.Kind, _ state: inout AppState) -> [Effect] {
        guard state.indexView.job == nil else { return [] }
        state.indexView.job = IndexJob(kind: kind, startedAt: state.now)
        state.indexView.lastOutcome = nil
        state.indexView.form = nil
        state.indexView.pendingDrop = nil
        return [.runIndexJob(kind)]
    }

    static func submitIndexForm(_ state: inout AppState) -> [Effect] {
        guard let form = state.indexView.form else { return [] }
        // What the engine would refuse is said in the form, before anything runs.
        if let problem = form.request.problem(for: state.indexView.inventory.models[form.request.model]) {
            fail(&state, "cannot build: " + problem)
            return []
        }
        return startIndexJob(.create(form.request), &state)
    }

    static func indexJobProgress(_ state: inout AppState, _ progress: IndexBuildProgress) {
        guard var job = state.indexView.job else { return }
        if job.progress?.phase != progress.phase { job.phaseStartedAt = state.now }
        job.progress = progress
        state.indexView.job = job
    }

    static func indexJobFinished(_ state: inout AppState, _ result: Result<String, TUIError>) -> [Effect] {
        guard let job = state.indexView.job else { return [] }
        state.indexView.job = nil
        let message: StatusMessage
        switch result {
        case .success(let text):
            message = StatusMessage(text: text, kind: .info)
            inform(&state, text)
        case .failure(let error) where error.isCancellation:
            message = StatusMessage(text: "stopped: " + job.title, kind: .info)
            inform(&state, message.text)
        case .failure(let error):
            message = StatusMessage(text: job.title + " failed: " + error.message, kind: .error)
            fail(&state, message.text)
        }
        state.indexView.lastOutcome = message
        // The plan parameter cycles through the indexes there are now.
        return [.loadIndexes, .loadChoices]
    }
}
