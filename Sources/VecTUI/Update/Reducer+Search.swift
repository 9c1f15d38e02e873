import VecCore

/// Searching, for either side: start, debounce, finish, recall, stop. Side B (compare mode) follows the same
/// rules as side A; what only side A does (history, grades, the error line) is said where it happens.
extension Reducer {
    /// Ctrl-R, or a parameter of side A changed: the query runs on side A, recorded in history, and on side B while
    /// comparing. Nothing starts when side A cannot (no text, invalid parameters).
    static func startSearches(_ state: inout AppState) -> [Effect] {
        guard var effects = startSearch(.a, &state) else { return [] }
        if let job = state.loadedJob, state.loadedJobIsEdited, state.message?.kind != .error {
            inform(&state, "\(job.id) was edited: its grades belong to the job's own text, not to this one")
        }
        let before = state.history.entries
        state.history.record(state.editor.trimmedText)
        if state.history.entries != before { effects.append(.saveHistory(state.history.entries)) }
        if state.compare != nil { effects += startSearch(.b, &state) ?? [] }
        return effects
    }

    /// Starts the side's search now for the editor's text and the side's parameters, cancelling its search in
    /// flight. Nil when it cannot start (no text; invalid parameters, which the message line then names).
    static func startSearch(_ side: Side, _ state: inout AppState) -> [Effect]? {
        guard var search = state[side] else { return nil }
        let text = state.editor.trimmedText
        guard !text.isEmpty else { return nil }
        do {
            try search.params.validate()
        } catch {
            fail(&state, side.messagePrefix + TUIError(error).message)
            return nil
        }
        var effects: [Effect] = []
        if let running = search.status.inFlight { effects.append(.cancelSearch(side, generation: running)) }
        state.lastGeneration += 1
        let generation = state.lastGeneration
        search.status.inFlight = generation
        search.status.startedAt = state.now
        search.status.requestText = text
        search.status.requestParams = search.params
        state[side] = search
        effects.append(.runSearch(side, generation: generation, text: text, params: search.params))
        return effects
    }

    /// A parameter of the side changed: search again at once (the search in flight is cancelled, its answer being
    /// outdated) — if there is a query on screen or on its way. Not debounced: a tuner wants the new results in the
    /// next frame, and a key held down supersedes each search with the next (a queued one never starts).
    /// Side A's search is the query's (side B follows it); side B's own changes search B alone.
    static func changeParams(_ side: Side, to next: SearchParams, _ state: inout AppState) -> [Effect] {
        guard var search = state[side], next != search.params else { return [] }
        search.params = next
        // Side B may not have searched yet while side A's results are on screen: it searches then too.
        let searched = search.hasSearched || state.sideA.results.response != nil
        state[side] = search
        guard !state.editor.trimmedText.isEmpty && searched else { return [] }
        return side == .a ? startSearches(&state) : startSearch(.b, &state) ?? []
    }

    /// Cancels the side's search in flight.
    static func stopSearch(_ side: Side, _ state: inout AppState) -> [Effect] {
        guard var search = state[side] else { return [] }
        let running = search.status.inFlight
        search.status.inFlight = nil
        search.status.startedAt = nil
        state[side] = search
        return running.map { [.cancelSearch(side, generation: $0)] } ?? []
    }

    static func finishSearch(
        _ side: Side, _ state: inout AppState, generation: Int,
        _ result: Result<SearchResponse, TUIError>
    ) -> [Effect] {
        guard var search = state[side] else { return [] }
        search.status.inFlight = nil
        search.status.startedAt = nil
        switch result {
        case .failure(let error):
            state[side] = search
            if !error.isCancellation { fail(&state, side.messagePrefix + error.message) }
            return []
        case .success(let response):
            search.results = answered(search, response: response, generation: generation)
            search.results.arrivedAt = state.now
            state[side] = search
            keepSelectionVisible(&state)
            if state.focus == .detail && state.activeResults.items.isEmpty { state.focus = .results }
            var effects = recallEffect(side, search.results)
            guard side == .a else { return effects }
            // The message line and the grades follow the query's own search, side A.
            if state.message?.kind == .error { state.message = nil }
            if state.gradesQuery != search.results.queryText {
                state.grades = [:]
                state.gradesQuery = nil
                effects.append(.loadJudgments(queryText: search.results.queryText))
            } else {
                effects += scoreEffect(state)
            }
            return effects
        }
    }

    /// The side's new results: the response with what it answers, its rank moves since the previous run, and the
    /// same artifact selected when it is still there (else the same row).
    private static func answered(_ search: SearchSide, response: SearchResponse, generation: Int) -> ResultsModel {
        let previous = search.results
        let ids = response.results.map(\.artifactID)
        var results = ResultsModel()
        results.response = response
        results.queryText = search.status.requestText
        results.params = search.status.requestParams
        results.generation = generation
        results.previousInfo = previous.response?.info
        results.rankChanges =
            previous.response == nil
            ? [:]
            : RankChange.changes(from: previous.items.map(\.artifactID), to: ids)
        if let selectedID = previous.selectedResult?.artifactID, let index = ids.firstIndex(of: selectedID) {
            results.selected = index
        } else {
            results.selected = min(previous.selected, max(0, ids.count - 1))
        }
        results.scroll = previous.scroll
        return results
    }

    /// The recall measurement the results' method calls for (`RecallScope`); none for keyword. Measured even when
    /// nothing came back (ef_search 1 can): recall 0 against exact search is the point.
    static func recallEffect(_ side: Side, _ results: ResultsModel) -> [Effect] {
        guard let response = results.response else { return [] }
        let params = results.params ?? response.info.parameters
        guard let ids = params.method.recallScope.measuredIDs(in: response) else { return [] }
        return [
            .measureRecall(
                side, generation: results.generation, text: results.queryText, params: params,
                measuredIDs: ids)
        ]
    }

    static func recallMeasured(
        _ side: Side, _ state: inout AppState, generation: Int,
        _ result: Result<RecallMeasurement, TUIError>
    ) {
        guard let results = state[side]?.results, results.response != nil, results.generation == generation else {
            return
        }
        switch result {
        case .success(let measurement): state[side]?.results.recall = measurement
        case .failure(let error) where !error.isCancellation:
            inform(&state, side.messagePrefix + "recall not measured: \(error.message)")
        case .failure: break
        }
    }

    /// Asks for nDCG@k / P@k of side A's ranking against the current grades.
    static func scoreEffect(_ state: AppState) -> [Effect] {
        let results = state.sideA.results
        let ids = results.items.map(\.artifactID)
        guard !ids.isEmpty else { return [] }
        let k = state.ndcgK
        var effects: [Effect] = [
            .scoreRanking(generation: results.generation, rankedIDs: ids, grades: state.grades, k: k)
        ]
        if !state.grades.isEmpty, let params = results.params, !results.queryText.isEmpty {
            effects.append(
                .scoreBaseline(
                    generation: results.generation, queryText: results.queryText, params: params,
                    grades: state.grades, k: k))
        }
        return effects
    }
}
