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

    /// Opens the sweep view; starts a sweep unless one is running or the last one matches the query and parameters
    /// (then the data it ran on is checked again, so a changed database marks it stale).
    static func openSweep(_ state: inout AppState) -> [Effect] {
        state.overlay = .sweep
        if let sweep = state.sweep {
            let (plan, knob) = sweptPlan(state)
            let swept = knob.setting(0, in: sweep.params)
            var current = knob.setting(0, in: state.sideA.params)
            current.plan = plan
            if sweep.isRunning || (sweep.queryText == state.editor.trimmedText && swept == current) {
                selectCurrentSweepPoint(&state)
                return sweep.isRunning ? [] : [.checkSweepData(id: sweep.id, model: sweep.params.model)]
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
        let (plan, knob) = sweptPlan(state)
        params.plan = plan
        let lists = plan.indexName.flatMap { name in
            state.indexView.inventory.indexes.first { $0.name == name }?.lists
        }
        let values = knob.values(around: knob.value(in: params), lists: lists)
        state.sweep = SweepModel(id: id, queryText: text, params: params, knob: knob, values: values)
        state.sweep?.indexes = (state.choices.indexes[params.model] ?? []).map(\.name)
        // The data version is read before the first point, so a change during the sweep shows too.
        effects.append(.checkSweepData(id: id, model: params.model))
        effects.append(.runSweep(id: id, text: text, params: params, knob: knob, values: values))
        return effects
    }

    /// The plan a sweep runs under and the knob it varies: a pinned index stays pinned; under auto, the index the
    /// shown results ran on, else the model's first HNSW index, else its first IVFFlat one (of those serving the
    /// search's metric and vector table) — pinned, so every point
    /// measures that index and a cheaper plan cannot take over half-way (the planner switched index, or went to a
    /// Seq Scan, as the knob changed). An HNSW index sweeps ef_search, an IVFFlat one probes. With no index of the
    /// model the sweep varies ef_search as the planner chooses and its view says so.
    static func sweptPlan(_ state: AppState) -> (PlanChoice, SweepKnob) {
        let params = state.sideA.params
        // Only an index the search can use: its metric, on the vector table the content types search.
        let chunks = params.contentTypes.contains(.chunk), texts = params.contentTypes.contains { $0 != .chunk }
        let table: VectorTable? = chunks ? (texts ? nil : .chunkEmbeddings) : .artifactEmbeddings
        let indexes = (state.choices.indexes[params.model] ?? []).filter {
            $0.table == table && $0.metric == params.metric
        }
        func pinned(_ name: String) -> (PlanChoice, SweepKnob) {
            (.index(name), SweepKnob(for: state.choices.index(named: name)?.type))
        }
        if let name = params.plan.indexName { return pinned(name) }
        if let used = state.sideA.results.response?.info.indexName, indexes.contains(where: { $0.name == used }) {
            return pinned(used)
        }
        if let first = indexes.first(where: { $0.type == .hnsw }) ?? indexes.first { return pinned(first.name) }
        return (params.plan, .efSearch)
    }

    /// Selects the point of the knob's current value (the marked one) once it is measured.
    static func selectCurrentSweepPoint(_ state: inout AppState) {
        guard let sweep = state.sweep else { return }
        let points = sweep.sortedPoints
        let current = sweep.knob.value(in: state.sideA.params)
        if let index = points.firstIndex(where: { $0.value == current }) {
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
        let next = sweep.knob.setting(point.value, in: state.sideA.params)
        state.overlay = nil
        inform(
            &state,
            "\(sweep.knob.rawValue) \(point.value): recall \(Format.ratio(point.recall)), p95 "
                + Format.milliseconds(point.p95Ms))
        return changeParams(.a, to: next, &state)
    }
}
