/// The mouse: a click focuses the pane under it (and selects the result or parameter row clicked), the wheel
/// scrolls what is under it. Views over the panes take the wheel only.
extension Reducer {
    /// Lines one wheel notch moves.
    static let wheelStep = 3

    static func mouse(_ button: MouseButton, at point: Point, _ state: inout AppState) -> [Effect] {
        guard !state.isTooSmall, state.setup == nil else { return [] }
        let step = button == .wheelUp ? -wheelStep : wheelStep
        if let overlay = state.overlay {
            guard button != .click, overlay == .help || overlay == .jobs || overlay == .indexes else { return [] }
            return move(&state, by: step)
        }
        let layout = Layout(for: state)
        if state.focus == .detail {
            guard button != .click, layout.detail.contains(point) else { return [] }
            return move(&state, by: step)
        }
        if layout.query.contains(point) {
            if button == .click { state.enterEditor() }
            return []
        }
        if layout.results.contains(point) {
            state.focus = .results
            if button != .click { return move(&state, by: step) }
            // Rows start under the border and the header row.
            let row = point.y - layout.results.y - 2
            let shown = state.shownResultIndices
            let position = state.sideA.results.scroll + row
            if state.compare == nil, row >= 0, shown.indices.contains(position) {
                state.sideA.results.selected = shown[position]
                keepSelectionVisible(&state)
            }
            return []
        }
        if state.showsParameters, layout.parameters.contains(point) {
            state.focus = .parameters
            if button != .click { return move(&state, by: step) }
            let index = state.parameterScroll + point.y - layout.parameters.y - 1
            if point.y > layout.parameters.y, index < state.visibleParameters.count,
                point.y - layout.parameters.y - 1 < layout.parameterRows
            {
                state.parameterSelection = index
                keepSelectionVisible(&state)
            }
        }
        return []
    }
}
