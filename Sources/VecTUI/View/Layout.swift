/// Where each pane goes for a terminal size. Pure, shared by the renderer and the reducer (which needs the
/// number of visible rows to keep the selection on screen).
public struct Layout: Equatable, Sendable {
    public var query: Rect
    public var results: Rect
    public var parameters: Rect
    /// The detail pane covers results and parameters while open.
    public var detail: Rect
    /// Two rows: connection/plan, then timings and quality.
    public var status: Rect
    /// One row: message, error, or key hints.
    public var message: Rect

    /// Rows of help under the parameter list (what the selected knob does).
    public static let parameterHelpRows = 2

    /// The layout for a state: while the detail pane is open the query pane shrinks to one line of text.
    public init(for state: AppState) {
        self.init(size: state.size, compactQuery: state.focus == .detail)
    }

    public init(size: Size, compactQuery: Bool = false) {
        let screen = Rect(x: 0, y: 0, width: size.width, height: size.height)
        let queryHeight = compactQuery ? 3 : min(12, max(6, size.height / 4))
        let (top, rest) = screen.splitTop(queryHeight)
        let (upper, message) = rest.splitBottom(1)
        let (main, status) = upper.splitBottom(2)
        let parametersWidth = min(36, max(28, size.width / 4 + 6))
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
