/// Where each pane goes for a terminal size. Pure, shared by the renderer and the reducer (which needs the
/// number of visible rows to keep the selection on screen).
public struct Layout: Equatable, Sendable {
    public var query: Rect
    public var results: Rect
    public var parameters: Rect
    /// The detail pane covers results and parameters while open.
    public var detail: Rect
    /// Two rows: connection/plan, then timings and quality; a third below `wideWidth` columns, where what does
    /// not fit the first two wraps to (by priority).
    public var status: Rect
    /// One row: message, error, or key hints; up to three for an error that does not fit one.
    public var message: Rect

    /// From this width on, every column and status field fits; below it the layout chooses by priority.
    public static let wideWidth = 120

    /// Rows of help under the parameter list (what the selected knob does).
    public static let parameterHelpRows = 2

    /// The layout for a state: while the detail pane is open the query pane shrinks to one line of text; a folded
    /// parameters pane (`P`, or compare mode on a narrow terminal) gives its width to the results; an error gets the rows it needs (up to three).
    public init(for state: AppState) {
        self.init(
            size: state.size, compactQuery: state.focus == .detail, parametersFolded: !state.showsParameters,
            messageRows: MessageView.rows(state))
    }

    public init(size: Size, compactQuery: Bool = false, parametersFolded: Bool = false, messageRows: Int = 1) {
        let screen = Rect(x: 0, y: 0, width: size.width, height: size.height)
        let statusRows = size.width < Self.wideWidth ? 3 : 2
        // On a short screen the status bar's third row comes from the query pane, not from the result rows.
        let queryHeight =
            compactQuery ? 3 : min(12, max(6, size.height / 4)) - (statusRows == 3 && size.height < 30 ? 1 : 0)
        let (top, rest) = screen.splitTop(queryHeight)
        let (upper, message) = rest.splitBottom(min(3, max(1, messageRows)))
        let (main, status) = upper.splitBottom(statusRows)
        let parametersWidth = parametersFolded ? 0 : min(36, max(28, size.width / 4 + 6))
        let (results, parameters) = main.splitRight(parametersWidth)
        self.query = top
        self.results = results
        self.parameters = parameters
        self.detail = main
        self.status = status
        self.message = message
    }

    /// Result rows visible at once (inside the border, under the header row).
    public var resultRows: Int { max(1, results.height - 3) }
    /// Parameter rows visible at once (inside the border, above the help rows).
    public var parameterRows: Int { max(1, parameters.height - 3 - Self.parameterHelpRows) }
    /// Text lines visible in the detail pane.
    public var detailRows: Int { max(1, detail.height - 2) }
    /// Width of the detail pane's text.
    public var detailTextWidth: Int { max(1, detail.width - 4) }
}
