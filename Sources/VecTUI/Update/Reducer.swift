import VecCore

/// Applies one action to the state and returns the effects the runtime must perform. Pure: no I/O, no clocks
/// (time arrives with `.tick`), no randomness, so every behaviour can be tested by feeding actions.
public func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
    // A row that appears or goes (the re-ranking depth with a bit index's plan) keeps the selection on its knob.
    let selected = state.selectedParameter, rows = state.visibleParameters
    let effects = reduceAction(&state, action)
    if state.visibleParameters != rows {
        state.parameterSelection =
            state.visibleParameters.firstIndex(of: selected)
            ?? min(state.parameterSelection, state.visibleParameters.count - 1)
    }
    return effects
}

private func reduceAction(_ state: inout AppState, _ action: Action) -> [Effect] {
    switch action {
    case .key(let key):
        return Reducer.handle(key, &state)

    case .paste(let text):
        if state.overlay == .jobs {
            // Typed fast or pasted into the picker: it filters.
            state.jobFilter += text.split(whereSeparator: \.isNewline).joined(separator: " ")
            state.jobPicker = ListSelection()
            return []
        }
        if state.overlay == .openFile || state.overlay == .valuePrompt {
            // A pasted path goes into the prompt (its first line: the prompt is one line).
            state.prompt.insert(text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "")
            return []
        }
        state.enterEditor()
        state.editor.insert(text)
        state.history.stopBrowsing()
        return []

    case .mouse(let button, let point):
        return Reducer.mouse(button, at: point, &state)

    case .resize(let size):
        state.size = Size(width: max(0, size.width), height: max(0, size.height))
        Reducer.keepSelectionVisible(&state)
        return []

    case .tick(let now):
        state.now = now
        if let message = state.message, let expires = message.expires, now >= expires { state.message = nil }
        return []

    case .searchFinished(let side, let generation, let result):
        guard generation == state[side]?.status.inFlight else { return [] }  // superseded or cancelled: never shown
        return Reducer.finishSearch(side, &state, generation: generation, result)

    case .queryFileRead(let path, let result):
        switch result {
        case .success(let text):
            _ = reduce(&state, .loadQuery(text))
            Reducer.inform(&state, "loaded \(path) (\(text.count) characters)")
            return Reducer.startSearches(&state)
        case .failure(let error):
            Reducer.fail(&state, "could not read \(path): \(error.message)")
            return []
        }

    case .sweepProgress(let id, let point):
        guard state.sweep?.id == id else { return [] }
        state.sweep?.points.append(point)
        Reducer.selectCurrentSweepPoint(&state)
        return []

    case .sweepDataChecked(let id, let version):
        guard state.sweep?.id == id else { return [] }
        if state.sweep?.dataAtStart == nil {
            state.sweep?.dataAtStart = version
        } else {
            state.sweep?.dataNow = version
        }
        return []

    case .sweepFinished(let id, let result):
        guard let sweep = state.sweep, sweep.id == id else { return [] }
        switch result {
        case .success(let points):
            state.sweep?.points = points
            state.sweep?.phase = .finished
        case .failure(let error) where error.isCancellation:
            state.sweep?.phase = .cancelled
        case .failure(let error):
            state.sweep?.phase = .failed(error.message)
        }
        Reducer.selectCurrentSweepPoint(&state)
        return [.checkSweepData(id: id, model: sweep.params.model)]

    case .recallMeasured(let side, let generation, let result):
        Reducer.recallMeasured(side, &state, generation: generation, result)
        return []

    case .rankingScored(let generation, let result):
        guard generation == state.sideA.results.generation else { return [] }
        switch result {
        case .success(let score): state.sideA.results.score = score
        case .failure(let error): Reducer.inform(&state, "nDCG not computed: \(error.message)")
        }
        return []

    case .baselineScored(let generation, let result):
        guard generation == state.sideA.results.generation else { return [] }
        switch result {
        case .success(let ndcg): state.sideA.results.baselineNDCG = ndcg
        case .failure(let error) where !error.isCancellation:
            Reducer.inform(&state, "BM25 baseline not computed: \(error.message)")
        case .failure: break
        }
        return []

    case .judgmentsLoaded(let queryText, let result):
        guard queryText == state.sideA.results.queryText else { return [] }
        switch result {
        case .success(let grades):
            state.grades = grades
            state.gradesQuery = queryText
            return Reducer.scoreEffect(state)
        case .failure(let error):
            Reducer.fail(&state, "could not load grades: \(error.message)")
            return []
        }

    case .judgmentSaveFailed(let queryText, let artifactID, let previousGrade, let error):
        Reducer.fail(&state, "grade not saved: \(error.message)")
        guard queryText == state.sideA.results.queryText else { return [] }
        state.grades[artifactID] = previousGrade
        return Reducer.scoreEffect(state)

    case .indexesLoaded(let result):
        Reducer.indexesLoaded(&state, result)
        return []

    case .healthLoaded(let result):
        Reducer.healthLoaded(&state, result)
        return []

    case .indexJobProgress(let progress):
        Reducer.indexJobProgress(&state, progress)
        return []

    case .indexJobFinished(let result):
        return Reducer.indexJobFinished(&state, result)

    case .choicesLoaded(let choices):
        state.choices = choices
        return []

    case .connectionChanged(let status):
        state.database = status
        return []

    case .loadQuery(let text):
        state.editor.setText(text)
        state.history.stopBrowsing()
        state.overlay = nil
        state.loadedJob = nil
        state.leaveEditor()
        if state.focus == .detail { state.focus = .results }
        return []

    case .loadJob(let job):
        _ = reduce(&state, .loadQuery(job.text))
        state.loadedJob = job
        return []

    case .started:
        guard state.setup != nil else {
            // A query from the command line (`--job`, `--query`) is searched at once: the first screen is ranked.
            return state.editor.trimmedText.isEmpty ? [] : Reducer.startSearches(&state)
        }
        guard state.setup?.startsAutomatically == true else { return [] }
        state.setup?.startsAutomatically = false
        return Reducer.startSetup(&state)

    case .setupProgress(let progress):
        Reducer.setupProgress(&state, progress)
        return []

    case .setupStepDone(let line):
        state.setup?.finishedSteps.append(line)
        return []

    case .setupFinished(let result):
        return Reducer.setupFinished(&state, result)

    case .notify(let text):
        Reducer.inform(&state, text)
        return []

    case .gradesExported(let result):
        switch result {
        case .success(let export): Reducer.inform(&state, "wrote \(export.count) grades to \(export.path)")
        case .failure(let error): Reducer.fail(&state, "grades not exported: \(error.message)")
        }
        return []

    case .jobGradeCountsLoaded(let result):
        guard case .success(let byHash) = result else { return [] }  // the picker works without the marks
        state.jobGradeCounts = [:]
        for job in state.jobs {
            state.jobGradeCounts[job.id] = byHash[RelevanceJudgment.queryHash(job.text)]
        }
        return []
    }
}

/// The reducer's helpers, grouped so the free `reduce` function stays a readable table of actions.
enum Reducer {
    /// How long an info message stays.
    static let messageSeconds = 4.0

    static func handle(_ key: Key, _ state: inout AppState) -> [Effect] {
        if state.isTooSmall {
            // Nothing else is visible, so only quitting and backing out do anything.
            if key == .ctrl("c") || (key == .char("q") && !state.isTyping) { return quit(&state) }
            if key == .escape { state.overlay = nil }
            return []
        }
        if let binding = Keymap.binding(for: key, in: state) {
            if let reason = binding.disabledReason(state) {
                inform(&state, reason)
                return []
            }
            return perform(binding.command, &state)
        }
        if state.setup != nil { return [] }  // the set-up screen hides the editor: keys must not type into it
        if state.overlay == .openFile || state.overlay == .valuePrompt {
            if let character = key.typedCharacter { state.prompt.insert(String(character)) }
            return []
        }
        if state.overlay == .jobs {
            // Typing in the picker filters it.
            if let character = key.typedCharacter {
                state.jobFilter.append(character)
                state.jobPicker = ListSelection()
            }
            return []
        }
        if state.isTyping, let character = key.typedCharacter {
            state.editor.insert(String(character))
            state.history.stopBrowsing()
        }
        return []
    }

    static func perform(_ command: Command, _ state: inout AppState) -> [Effect] {
        switch command {
        case .quit:
            return quit(&state)
        case .toggleHelp:
            if state.overlay == .help {
                state.overlay = state.overlayUnderHelp
                state.overlayUnderHelp = nil
            } else {
                state.overlayUnderHelp = state.overlay
                state.overlay = .help
            }
            state.helpScroll = 0
            return []
        case .back:
            back(&state)
            keepSelectionVisible(&state)
            return []
        case .nextPane, .previousPane:
            let cycle: [Pane] = state.parametersFolded ? [.query, .results] : [.query, .results, .parameters]
            let current = cycle.firstIndex(of: state.focus == .detail ? .results : state.focus) ?? 0
            let step = command == .nextPane ? 1 : cycle.count - 1
            state.focus = cycle[(current + step) % cycle.count]
            return []
        case .focus(let pane):
            state.focus = pane
            state.overlay = nil
            if pane == .parameters { state.parametersFolded = false }
            keepSelectionVisible(&state)
            return []
        case .toggleParameters:
            state.parametersFolded.toggle()
            if state.parametersFolded && state.focus == .parameters { state.focus = .results }
            keepSelectionVisible(&state)
            return []
        case .editQuery:
            state.enterEditor()
            return []
        case .runSearch:
            state.leaveEditor()
            return startSearches(&state)
        case .moveUp: return move(&state, by: -1)
        case .moveDown: return move(&state, by: 1)
        case .pageUp: return move(&state, by: -pageSize(state))
        case .pageDown: return move(&state, by: pageSize(state))
        case .moveToTop: return move(&state, by: -Int(Int32.max))
        case .moveToBottom: return move(&state, by: Int(Int32.max))
        case .openDetail:
            state.focusBeforeDetail = state.focus == .detail ? state.focusBeforeDetail : state.focus
            state.focus = .detail
            state.detailScroll = 0
            return []
        case .previousResult, .nextResult:
            let count = state.activeResults.items.count
            guard count > 0 else { return [] }
            let next = state.activeResults.selected + (command == .nextResult ? 1 : -1)
            state.activeResults.selected = min(max(next, 0), count - 1)
            state.detailScroll = 0
            keepSelectionVisible(&state)
            return []
        case .grade(let grade):
            return setGrade(grade, &state)
        case .clearGrade:
            return setGrade(nil, &state)
        case .moreLikeThis:
            guard let result = state.activeResults.selectedResult else { return [] }
            // Any model with vectors can be searched this way, generated data (no text model) included.
            let reference = MoreLikeThis(externalID: result.externalID, user: result.userExternalID)
            state.editor.setText(reference.text)
            state.history.stopBrowsing()
            state.focus = .results
            return startSearches(&state)
        case .nextUngraded(let direction):
            nextUngraded(direction, &state)
            return []
        case .toggleUngradedOnly:
            state.ungradedOnly.toggle()
            inform(&state, state.ungradedOnly ? "only results without a grade — u shows all" : "all results")
            keepSelectionVisible(&state)
            return []
        case .exportGrades:
            let results = state.sideA.results
            let job = state.jobs.first { $0.text.trimmingWhitespace() == results.queryText }
            return [.exportGrades(queryText: results.queryText, jobID: job?.id)]
        case .deleteFilterCharacter:
            if !state.jobFilter.isEmpty { state.jobFilter.removeLast() }
            state.jobPicker = ListSelection()
            return []
        case .adjust(let direction, let large):
            let parameter = state.selectedParameter
            let next = parameter.adjusted(
                state.editedParams, direction: direction, large: large, choices: state.choices)
            return changeParams(state.editedSide, to: next, &state)
        case .resetParameter:
            let next = state.selectedParameter.reset(state.editedParams, defaults: state.defaults)
            return changeParams(state.editedSide, to: next, &state)
        case .edit(let edit):
            if state.overlay == .openFile || state.overlay == .valuePrompt {
                editPrompt(edit, &state)
            } else {
                self.edit(edit, &state)
            }
            return []
        case .toggleCompare:
            return toggleCompare(&state)
        case .switchCompareSide:
            guard let editing = state.compare?.editing else { return [] }
            state.compare?.editing = editing == .a ? .b : .a
            inform(&state, "the parameter keys now edit side \(state.editedSide.name)")
            return []
        case .openJobPicker:
            state.overlay = .jobs
            state.jobFilter = ""
            if let index = state.jobs.firstIndex(where: { $0.text.trimmingWhitespace() == state.editor.trimmedText }) {
                state.jobPicker.selected = index
            }
            keepSelectionVisible(&state)
            return [.loadJobGradeCounts]
        case .loadSelectedJob:
            let jobs = state.filteredJobs
            guard jobs.indices.contains(state.jobPicker.selected) else { return [] }
            let job = jobs[state.jobPicker.selected]
            _ = reduce(&state, .loadJob(job))
            inform(&state, "loaded \(job.id) “\(job.title)”")
            return startSearches(&state)
        case .openFilePrompt:
            state.overlay = .openFile
            return []
        case .openValuePrompt:
            state.overlay = .valuePrompt
            state.prompt.setText("")
            return []
        case .submitPrompt:
            let text = state.prompt.trimmedText
            guard !text.isEmpty else { return [] }
            if state.overlay == .valuePrompt { return applyValue(text, &state) }
            state.overlay = nil
            return [.readQueryFile(path: text)]
        case .openSweep:
            return openSweep(&state)
        case .rerunSweep:
            return startSweep(&state)
        case .cancelSweep:
            guard let sweep = state.sweep, sweep.isRunning else { return [] }
            return [.cancelSweep(id: sweep.id)]
        case .selectSweepPoint(let delta):
            guard let sweep = state.sweep, !sweep.points.isEmpty else { return [] }
            state.sweep?.selected = min(max(0, sweep.selected + delta), sweep.points.count - 1)
            return []
        case .applySweepPoint:
            return applySweepPoint(&state)
        case .openIndexes:
            return openIndexes(&state)
        case .refreshIndexes:
            return [.loadIndexes]
        case .openHealth, .refreshHealth:
            return loadHealth(&state)
        case .newIndex:
            return newIndex(&state)
        case .reindexSelected:
            guard let index = state.indexView.selectedIndex else { return [] }
            return startIndexJob(.reindex(index.name), &state)
        case .dropSelected:
            state.indexView.pendingDrop = state.indexView.selectedIndex?.name
            return []
        case .confirmDrop:
            guard let name = state.indexView.pendingDrop else { return [] }
            return startIndexJob(.drop(name), &state)
        case .cancelIndexJob:
            guard state.indexView.job != nil else { return [] }
            state.indexView.job?.cancelRequested = true
            return [.cancelIndexJob]
        case .indexFormField(let delta):
            state.indexView.form?.moveField(by: delta)
            return []
        case .indexFormAdjust(let direction, let large):
            indexFormAdjust(&state, direction: direction, large: large)
            return []
        case .indexFormRecommended:
            indexFormRecommended(&state)
            return []
        case .submitIndexForm:
            return submitIndexForm(&state)
        case .selectCompareSide(let side):
            guard state.compare != nil, state.selectedSide != side else { return [] }
            // Keep the same artifact selected on the other side when it is there.
            let id = state.activeResults.selectedResult?.artifactID, row = state.activeResults.selected
            state.compare?.selecting = side
            if let id, let index = state.activeResults.items.firstIndex(where: { $0.artifactID == id }) {
                state.activeResults.selected = index
            } else {
                state.activeResults.selected = min(row, max(0, state.activeResults.items.count - 1))  // same row
            }
            keepSelectionVisible(&state)
            return []
        case .startSetup:
            return startSetup(&state)
        case .skipSetup:
            return skipSetup(&state)
        case .historyOlder:
            if let text = state.history.older(current: state.editor.text) { state.editor.setText(text) }
            return []
        case .historyNewer:
            if let text = state.history.newer() { state.editor.setText(text) }
            return []
        }
    }

    static func quit(_ state: inout AppState) -> [Effect] {
        guard !state.isQuitting else { return [] }
        state.isQuitting = true
        var effects = state.sides.flatMap { stopSearch($0, &state) }
        if let sweep = state.sweep, sweep.isRunning { effects.append(.cancelSweep(id: sweep.id)) }
        // A build left running would hold the table's lock until the server noticed the client was gone.
        if state.indexView.job != nil { effects.append(.cancelIndexJob) }
        effects.append(.quit)
        return effects
    }

    /// Esc: close the innermost thing open.
    static func back(_ state: inout AppState) {
        if state.overlay == .help {
            state.overlay = state.overlayUnderHelp
            state.overlayUnderHelp = nil
        } else if state.overlay == .indexes && state.indexView.form != nil {
            state.indexView.form = nil
        } else if state.overlay == .indexes && state.indexView.pendingDrop != nil {
            state.indexView.pendingDrop = nil
        } else if state.overlay != nil {
            state.overlay = nil
        } else if state.focus == .detail {
            state.focus = state.focusBeforeDetail == .detail ? .results : state.focusBeforeDetail
        } else if state.isEditing {
            state.leaveEditor()
        } else if state.message?.kind == .error {
            state.message = nil
        } else if state.focus != .results {
            state.focus = .results
        } else {
            state.message = nil
        }
    }

    static func edit(_ command: EditorCommand, _ state: inout AppState) {
        var changesText = true
        switch command {
        case .left: state.editor.moveLeft(); changesText = false
        case .right: state.editor.moveRight(); changesText = false
        case .up:
            if !state.editor.moveUp() {
                if let text = state.history.older(current: state.editor.text) { state.editor.setText(text) }
                return
            }
            changesText = false
        case .down:
            if !state.editor.moveDown() {
                if state.history.index != nil, let text = state.history.newer() { state.editor.setText(text) }
                return
            }
            changesText = false
        case .wordLeft: state.editor.moveWordLeft(); changesText = false
        case .wordRight: state.editor.moveWordRight(); changesText = false
        case .lineStart: state.editor.moveToLineStart(); changesText = false
        case .lineEnd: state.editor.moveToLineEnd(); changesText = false
        case .textStart: state.editor.moveToStart(); changesText = false
        case .textEnd: state.editor.moveToEnd(); changesText = false
        case .newline: state.editor.insertNewline()
        case .deleteBackward: state.editor.deleteBackward()
        case .deleteForward: state.editor.deleteForward()
        case .deleteWordBackward: state.editor.deleteWordBackward()
        case .deleteToLineEnd: state.editor.deleteToLineEnd()
        case .deleteToLineStart: state.editor.deleteToLineStart()
        case .clear: state.editor.setText("")
        }
        if changesText { state.history.stopBrowsing() }
    }

    /// `:` Enter: the typed knob takes the typed value on the side the parameter keys edit (results refresh);
    /// a mistake keeps the prompt open with the reason.
    static func applyValue(_ text: String, _ state: inout AppState) -> [Effect] {
        switch ValueCommand.parse(text, params: state.editedParams, choices: state.choices) {
        case .failure(let error):
            fail(&state, error.message)
            return []
        case .success(.ndcgK(let k)):
            state.overlay = nil
            state.ndcgK = k
            inform(&state, "nDCG and P@k now at k = \(k)")
            return scoreEffect(state)
        case .success(.params(let params, let summary)):
            state.overlay = nil
            inform(&state, summary)
            return changeParams(state.editedSide, to: params, &state)
        }
    }

    // MARK: Judging

    static func setGrade(_ grade: Int?, _ state: inout AppState) -> [Effect] {
        guard let result = state.activeResults.selectedResult else { return [] }
        let id = result.artifactID
        let previous = state.grades[id]
        guard previous != grade else { return [] }
        state.grades[id] = grade
        var effects: [Effect] = [
            .saveJudgment(
                queryText: state.sideA.results.queryText, artifactID: id, grade: grade,
                previousGrade: previous)
        ]
        effects += scoreEffect(state)
        // Judging goes down the list: after a grade, the next result is selected (in the detail pane too, which
        // then shows it from the top).
        if grade != nil && state.ungradedOnly && state.compare == nil {
            let items = state.sideA.results.items
            if let next = items.indices.first(where: {
                $0 > state.sideA.results.selected && state.grades[items[$0].artifactID] == nil
            }) {
                state.sideA.results.selected = next
                state.detailScroll = 0
            }
            keepSelectionVisible(&state)
        } else if grade != nil && (state.focus == .results || state.focus == .detail)
            && state.activeResults.selected + 1 < state.activeResults.items.count
        {
            state.activeResults.selected += 1
            state.detailScroll = 0
            keepSelectionVisible(&state)
        }
        return effects
    }

    /// n / N: the next (or previous) result without a grade for this query.
    static func nextUngraded(_ direction: Int, _ state: inout AppState) {
        let items = state.activeResults.items
        var index = state.activeResults.selected + direction
        while items.indices.contains(index) {
            if state.grades[items[index].artifactID] == nil {
                state.activeResults.selected = index
                state.detailScroll = 0
                keepSelectionVisible(&state)
                return
            }
            index += direction
        }
        let ungraded = items.filter { state.grades[$0.artifactID] == nil }.count
        inform(
            &state,
            ungraded == 0
                ? "every result of this query is graded"
                : "no ungraded result \(direction > 0 ? "below" : "above") — \(direction > 0 ? "N" : "n") goes the other way"
        )
    }

    // MARK: Lists and scrolling

    static func pageSize(_ state: AppState) -> Int {
        let layout = Layout(for: state)
        if state.overlay == .jobs { return max(1, JobPickerView.visibleRows(state) - 1) }
        switch state.overlay == .help ? nil : state.focus {
        case .results: return max(1, layout.resultRows - 1)
        case .parameters: return max(1, layout.parameterRows - 1)
        default: return max(1, layout.detailRows - 1)
        }
    }

    static func move(_ state: inout AppState, by delta: Int) -> [Effect] {
        if state.overlay == .help {
            state.helpScroll = min(max(0, state.helpScroll + delta), HelpView.maxScroll(state))
            return []
        }
        if state.overlay == .jobs {
            state.jobPicker.selected = clamp(state.jobPicker.selected, by: delta, count: state.filteredJobs.count)
            keepSelectionVisible(&state)
            return []
        }
        if state.overlay == .health {
            state.healthView.scroll = min(max(0, state.healthView.scroll + delta), HealthView.maxScroll(state))
            return []
        }
        if state.overlay == .indexes {
            state.indexView.selected = clamp(
                state.indexView.selected, by: delta,
                count: state.indexView.inventory.indexes.count)
            return []
        }
        switch state.focus {
        case .results:
            let count = state.activeResults.items.count
            guard count > 0 else { return [] }
            if state.ungradedOnly && state.compare == nil {
                let shown = state.shownResultIndices
                let position = shown.firstIndex(of: state.sideA.results.selected) ?? 0
                state.sideA.results.selected = shown[clamp(position, by: delta, count: shown.count)]
            } else {
                state.activeResults.selected = clamp(state.activeResults.selected, by: delta, count: count)
            }
        case .parameters:
            state.parameterSelection = clamp(
                state.parameterSelection, by: delta, count: state.visibleParameters.count)
        case .detail:
            state.detailScroll = min(max(0, state.detailScroll + delta), DetailView.maxScroll(state))
        case .query:
            break
        }
        keepSelectionVisible(&state)
        return []
    }

    private static func clamp(_ value: Int, by delta: Int, count: Int) -> Int {
        let (sum, overflow) = value.addingReportingOverflow(delta)
        let next = overflow ? (delta > 0 ? count - 1 : 0) : sum
        return min(max(next, 0), max(0, count - 1))
    }

    /// Scrolls the results and parameter lists so their selection is visible at the current size.
    static func keepSelectionVisible(_ state: inout AppState) {
        let layout = Layout(for: state)
        let a = state.sideA.results
        let shown = state.shownResultIndices
        state.sideA.results.scroll = scroll(
            a.scroll, selected: shown.firstIndex(of: a.selected) ?? a.selected, visible: layout.resultRows,
            count: shown.count)
        if let b = state.compare?.sideB.results {
            // The compare view has two more header rows (side names, differences) than the results pane.
            state.compare?.sideB.results.scroll = scroll(
                b.scroll, selected: b.selected,
                visible: max(1, layout.resultRows - 2), count: b.items.count)
        }
        state.parameterScroll = scroll(
            state.parameterScroll, selected: state.parameterSelection,
            visible: layout.parameterRows, count: state.visibleParameters.count)
        state.detailScroll = min(state.detailScroll, DetailView.maxScroll(state))
        state.helpScroll = min(state.helpScroll, HelpView.maxScroll(state))
        state.jobPicker.scroll = scroll(
            state.jobPicker.scroll, selected: state.jobPicker.selected,
            visible: JobPickerView.visibleRows(state), count: state.filteredJobs.count)
    }

    /// The smallest scroll change that shows `selected`, never leaving empty rows at the end.
    static func scroll(_ current: Int, selected: Int, visible: Int, count: Int) -> Int {
        var top = current
        if selected < top { top = selected }
        if selected >= top + visible { top = selected - visible + 1 }
        top = min(top, max(0, count - visible))
        return max(0, top)
    }

    // MARK: Messages

    static func inform(_ state: inout AppState, _ text: String) {
        state.message = StatusMessage(text: text, kind: .info, expires: state.now + messageSeconds)
    }

    static func fail(_ state: inout AppState, _ text: String) {
        state.message = StatusMessage(text: text, kind: .error)
    }
}
