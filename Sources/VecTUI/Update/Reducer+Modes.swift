import VecCore

/// Compare mode, the job picker and file prompt, and the sweep view.
extension Reducer {
    // MARK: Compare (A/B)

    static func toggleCompare(_ state: inout AppState) -> [Effect] {
        if let compare = state.compare {
            state.compare = nil
            inform(&state, "compare mode off")
            return compare.inFlight.map { [.cancelCompareSearch(generation: $0)] } ?? []
        }
        state.compare = CompareModel(params: state.params)
        if state.focus == .detail { state.focus = .results }
        inform(&state, "compare: B is a copy of A — p changes B's parameters (b: A's) · ←/→ select in A or B")
        guard !state.editor.trimmedText.isEmpty, state.results.response != nil || state.search.isBusy else { return [] }
        return startCompareSearch(&state)
    }

    /// A parameter key changed the side being edited.
    static func changeEditedParams(to next: SearchParams, _ state: inout AppState) -> [Effect] {
        guard var compare = state.compare, compare.editingB else { return changeParams(to: next, &state) }
        guard next != compare.params else { return [] }
        compare.params = next
        var effects: [Effect] = []
        let searched = compare.results.response != nil || compare.isBusy || compare.deadline != nil
            || state.results.response != nil
        if !state.editor.trimmedText.isEmpty && searched {
            if let running = compare.inFlight {
                effects.append(.cancelCompareSearch(generation: running))
                compare.inFlight = nil
            }
            compare.deadline = state.now + state.debounceInterval
        }
        state.compare = compare
        return effects
    }

    /// Starts side B's search now for the editor's text, cancelling B's search in flight.
    static func startCompareSearch(_ state: inout AppState) -> [Effect] {
        guard var compare = state.compare else { return [] }
        compare.deadline = nil
        defer { state.compare = compare }
        let text = state.editor.trimmedText
        guard !text.isEmpty else { return [] }
        do {
            try compare.params.validate()
        } catch {
            fail(&state, "B: " + TUIError(error).message)
            return []
        }
        var effects: [Effect] = []
        if let running = compare.inFlight { effects.append(.cancelCompareSearch(generation: running)) }
        state.search.generation += 1
        let generation = state.search.generation
        compare.inFlight = generation
        compare.requestText = text
        compare.requestParams = compare.params
        effects.append(.runCompareSearch(generation: generation, text: text, params: compare.params))
        return effects
    }

    static func finishCompareSearch(_ state: inout AppState, generation: Int,
                                    _ result: Result<SearchResponse, TUIError>) -> [Effect] {
        guard var compare = state.compare else { return [] }
        compare.inFlight = nil
        defer { state.compare = compare }
        switch result {
        case .failure(let error):
            if !error.isCancellation { fail(&state, "B: " + error.message) }
            return []
        case .success(let response):
            let ids = response.results.map(\.artifactID)
            var results = ResultsModel()
            results.response = response
            results.queryText = compare.requestText
            results.params = compare.requestParams
            results.generation = generation
            results.rankChanges = compare.results.response == nil ? [:]
                : RankChange.changes(from: compare.results.items.map(\.artifactID), to: ids)
            compare.results = results
            let params = compare.requestParams ?? compare.params
            // Measured even when B returned nothing (ef_search 1 can): recall 0 against exact search is the point.
            // Keyword and hybrid rankings have no approximate index to measure (VecCore refuses them).
            guard params.method == .semantic else { return [] }
            return [.measureRecall(generation: generation, text: results.queryText, params: params, resultIDs: ids)]
        }
    }

    // MARK: File prompt

    static func editPrompt(_ command: EditorCommand, _ state: inout AppState) {
        switch command {
        case .left: state.prompt.moveLeft()
        case .right: state.prompt.moveRight()
        case .lineStart, .textStart: state.prompt.moveToLineStart()
        case .lineEnd, .textEnd: state.prompt.moveToLineEnd()
        case .wordLeft: state.prompt.moveWordLeft()
        case .wordRight: state.prompt.moveWordRight()
        case .deleteBackward: state.prompt.deleteBackward()
        case .deleteForward: state.prompt.deleteForward()
        case .deleteWordBackward: state.prompt.deleteWordBackward()
        case .deleteToLineEnd: state.prompt.deleteToLineEnd()
        case .deleteToLineStart, .clear: state.prompt.setText("")
        case .newline, .up, .down: break
        }
    }

    // MARK: Sweep

    /// Opens the sweep view; starts a sweep unless one is running or the last one matches the query and parameters.
    static func openSweep(_ state: inout AppState) -> [Effect] {
        state.overlay = .sweep
        if let sweep = state.sweep {
            var swept = sweep.params, current = state.params
            swept.efSearch = 0
            current.efSearch = 0
            if sweep.isRunning || (sweep.queryText == state.editor.trimmedText && swept == current) {
                selectCurrentSweepPoint(&state)
                return []
            }
        }
        return startSweep(&state)
    }

    static func startSweep(_ state: inout AppState) -> [Effect] {
        var effects: [Effect] = []
        if let running = state.sweep, running.isRunning { effects.append(.cancelSweep(id: running.id)) }
        let text = state.editor.trimmedText
        guard !text.isEmpty else { return effects }
        let id = (state.sweep?.id ?? 0) + 1
        let values = SweepModel.values(around: state.params.efSearch)
        state.sweep = SweepModel(id: id, queryText: text, params: state.params, values: values)
        effects.append(.runSweep(id: id, text: text, params: state.params, efSearch: values))
        return effects
    }

    /// Selects the point of the current ef_search (the marked one) once it is measured.
    static func selectCurrentSweepPoint(_ state: inout AppState) {
        guard let sweep = state.sweep else { return }
        let points = sweep.sortedPoints
        if let index = points.firstIndex(where: { $0.efSearch == state.params.efSearch }) {
            state.sweep?.selected = index
        } else {
            state.sweep?.selected = min(sweep.selected, max(0, points.count - 1))
        }
    }

    static func applySweepPoint(_ state: inout AppState) -> [Effect] {
        guard let sweep = state.sweep else { return [] }
        let points = sweep.sortedPoints
        guard points.indices.contains(sweep.selected) else { return [] }
        let point = points[sweep.selected]
        var next = state.params
        next.efSearch = point.efSearch
        state.overlay = nil
        inform(&state, "ef_search \(point.efSearch): recall \(Format.ratio(point.recall)), p95 \(Format.milliseconds(point.p95Ms))")
        return changeParams(to: next, &state)
    }
}
