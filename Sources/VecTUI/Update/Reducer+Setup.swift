import VecCore

/// The set-up screen: starting, following and ending the preparation of the database.
extension Reducer {
    static func startSetup(_ state: inout AppState) -> [Effect] {
        guard var setup = state.setup, setup.phase != .running else { return [] }
        setup.phase = .running
        setup.startedAt = state.now
        setup.stepStartedAt = state.now
        setup.progress = nil
        state.setup = setup
        return [.runSetup(loadFixtures: setup.plan.loadsFixtures, embed: true)]
    }

    static func setupProgress(_ state: inout AppState, _ progress: DemoSetup.Progress) {
        guard var setup = state.setup else { return }
        if setup.progress?.step != progress.step { setup.stepStartedAt = state.now }
        setup.progress = progress
        state.setup = setup
    }

    static func setupFinished(_ state: inout AppState, _ result: Result<String, TUIError>) -> [Effect] {
        guard state.setup != nil else { return [] }
        switch result {
        case .failure(let error):
            state.setup?.phase = .failed(error.message)
            return []
        case .success(let summary):
            let firstRun = state.setup?.plan.loadsFixtures == true
            state.setup = nil
            inform(&state, "ready: \(summary)")
            // The first run ends on a ranked screen: without a query from the command line, the first fixture job.
            if firstRun && state.editor.trimmedText.isEmpty, let job = state.jobs.first {
                _ = reduce(&state, .loadJob(job))
            }
            // The set-up added users and vectors; a query given on the command line (make demo's job) runs now.
            return [.loadChoices] + (state.editor.trimmedText.isEmpty ? [] : startSearches(&state))
        }
    }

    static func skipSetup(_ state: inout AppState) -> [Effect] {
        guard let setup = state.setup, setup.phase != .running else { return [] }
        state.setup = nil
        inform(
            &state,
            "skipped: \(setup.plan.artifactsToEmbed) artifacts have no \(setup.plan.model) vector yet — `vecscope embed` adds them"
        )
        return []
    }
}
