import VecCore

/// Compare mode, the job picker and file prompt, and the sweep view.
extension Reducer {
    // MARK: Compare (A/B)

    static func toggleCompare(_ state: inout AppState) -> [Effect] {
        if state.compare != nil {
            let effects = stopSearch(.b, &state)
            state.compare = nil
            inform(&state, "compare mode off")
            return effects
        }
        state.compare = CompareModel(params: state.sideA.params)
        if state.focus == .detail { state.focus = .results }
        inform(&state, "compare: B is a copy of A — p changes B's parameters (b: A's) · ←/→ select in A or B")
        guard !state.editor.trimmedText.isEmpty, state.sideA.results.response != nil || state.sideA.status.isBusy
        else { return [] }
        return startSearch(.b, &state) ?? []
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
            var swept = sweep.params, current = state.sideA.params
            swept.efSearch = 0
            current.efSearch = 0
            current.plan = sweptPlan(state)
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
        var params = state.sideA.params
        params.plan = sweptPlan(state)
        let values = SweepModel.values(around: params.efSearch)
        state.sweep = SweepModel(id: id, queryText: text, params: params, values: values)
        state.sweep?.indexes = (state.choices.indexes[params.model] ?? []).map(\.name)
        effects.append(.runSweep(id: id, text: text, params: params, efSearch: values))
        return effects
    }

    /// The plan a sweep of ef_search runs under: the HNSW index the shown results ran on, else the model's first
    /// HNSW index — pinned, so every point measures that index and a cheaper plan cannot take over half-way (the
    /// planner switched index, or went to a Seq Scan, as ef_search changed). A pinned plan stays as it is; with no
    /// HNSW index of the model the sweep runs as the planner chooses and its view says so.
    static func sweptPlan(_ state: AppState) -> PlanChoice {
        let params = state.sideA.params
        if params.plan.indexName != nil { return params.plan }
        let hnsw = (state.choices.indexes[params.model] ?? []).filter { $0.type == .hnsw }
        if let used = state.sideA.results.response?.info.indexName, hnsw.contains(where: { $0.name == used }) {
            return .index(used)
        }
        return hnsw.first.map { .index($0.name) } ?? params.plan
    }

    /// Selects the point of the current ef_search (the marked one) once it is measured.
    static func selectCurrentSweepPoint(_ state: inout AppState) {
        guard let sweep = state.sweep else { return }
        let points = sweep.sortedPoints
        if let index = points.firstIndex(where: { $0.efSearch == state.sideA.params.efSearch }) {
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
        var next = state.sideA.params
        next.efSearch = point.efSearch
        state.overlay = nil
        inform(
            &state,
            "ef_search \(point.efSearch): recall \(Format.ratio(point.recall)), p95 \(Format.milliseconds(point.p95Ms))"
        )
        return changeParams(.a, to: next, &state)
    }
}
