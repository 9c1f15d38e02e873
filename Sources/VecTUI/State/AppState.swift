import VecCore

/// The panes that can hold focus. Tab cycles query → results → parameters; the detail pane opens from results.
/// Focus on the query pane alone does not type: the editor takes the keys only once entered (`AppState.isEditing`).
public enum Pane: String, CaseIterable, Sendable {
    case query, results, parameters, detail

    /// The title of the pane's box.
    public var title: String {
        switch self {
        case .query: return "Query"
        case .results: return "Results"
        case .parameters: return "Parameters"
        case .detail: return "Detail"
        }
    }
}

/// Something drawn over the panes that takes the keys while open.
public enum Overlay: Equatable, Sendable {
    /// The key list for the pane underneath.
    case help
    /// The fixture job picker (Ctrl-T/F2): Enter loads the selected job into the query pane.
    case jobs
    /// A one-line prompt for a file path (Ctrl-O/F3) whose text becomes the query.
    case openFile
    /// The `:` prompt: a knob and a value typed at once (`ef 64`, `user u07`, `limit 30`).
    case valuePrompt
    /// The sweep view (s): recall against p95 latency over ef_search values for the current query.
    case sweep
    /// The index view (i): vector indexes with their parameters, size and scans; create, drop, reindex.
    case indexes
    /// The health view (h): `vecscope stats` — coverage, drift, query cache, queue, indexes and tables.
    case health

    /// The name help gives the view ("Keys — Index view").
    public var title: String {
        switch self {
        case .help: return "Help"
        case .jobs: return "Job list"
        case .openFile: return "File prompt"
        case .valuePrompt: return "Value prompt"
        case .sweep: return "Sweep view"
        case .indexes: return "Index view"
        case .health: return "Health view"
        }
    }
}

/// How a result moved since the previous run (the results pane's "Δ" column).
public enum RankChange: Equatable, Sendable {
    case new
    case up(Int)
    case down(Int)
    case same

    /// "new", "↑2", "↓1", or "" when unchanged.
    public var label: String {
        switch self {
        case .new: return "new"
        case .up(let n): return "↑\(n)"
        case .down(let n): return "↓\(n)"
        case .same: return ""
        }
    }

    /// Compares a ranking (artifact ids, best first) with the previous one.
    public static func changes(from previous: [Int], to current: [Int]) -> [Int: RankChange] {
        var oldRank: [Int: Int] = [:]
        for (index, id) in previous.enumerated() where oldRank[id] == nil { oldRank[id] = index }
        var result: [Int: RankChange] = [:]
        for (index, id) in current.enumerated() {
            guard let old = oldRank[id] else { result[id] = .new; continue }
            result[id] = old == index ? .same : old > index ? .up(old - index) : .down(index - old)
        }
        return result
    }
}

/// A line of feedback under the status bar.
public struct StatusMessage: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case info, error }
    public var text: String
    public var kind: Kind
    /// When an info message disappears (monotonic seconds); errors stay until dismissed or superseded.
    public var expires: Double?

    public init(text: String, kind: Kind, expires: Double? = nil) {
        self.text = text
        self.kind = kind
        self.expires = expires
    }
}

/// One side's search request lifecycle: which generation is running, and what is pending.
///
/// Every `.runSearch` carries a new generation (`AppState.lastGeneration`). Answers for any other generation than
/// `inFlight` are dropped, so a slow, superseded or cancelled query can never replace newer results.
public struct SearchStatus: Equatable, Sendable {
    /// The generation whose answer the side waits for.
    public var inFlight: Int?
    /// When the search in flight started, for the spinner and elapsed time.
    public var startedAt: Double?
    /// The text and parameters sent with the search in flight.
    public var requestText: String = ""
    public var requestParams: SearchParams?

    public init() {}

    public var isBusy: Bool { inFlight != nil }
}

/// The ranked results on screen and what belongs to them: where they came from, their selection, their scores.
public struct ResultsModel: Equatable, Sendable {
    public var response: SearchResponse?
    /// The query text these results answer (grades and history refer to this, not to the editor's current text).
    public var queryText: String = ""
    /// The parameters these results were searched with.
    public var params: SearchParams?
    /// The generation that produced them.
    public var generation: Int = 0
    /// `AppState.now` when they arrived: with `QueryInfo.planAgeSeconds`, how old the plan shown is.
    public var arrivedAt: Double = 0
    /// Rank movement of each artifact id since the previous run.
    public var rankChanges: [Int: RankChange] = [:]
    /// Index of the selected row; scroll is the first visible row.
    public var selected: Int = 0
    public var scroll: Int = 0
    /// Recall against exact search by the method's rule (`RecallScope`), once measured for this generation.
    public var recall: RecallMeasurement?
    /// nDCG@k / P@k against the grades, once scored.
    public var score: RankingScore?
    /// nDCG@k of the BM25 baseline for the same query and grades, shown beside `score`.
    public var baselineNDCG: Double?
    /// How the run before these results went (its plan and parameters), for the plan warnings.
    public var previousInfo: QueryInfo?

    public init() {}

    public var items: [SearchResult] { response?.results ?? [] }
    public var selectedResult: SearchResult? { items.indices.contains(selected) ? items[selected] : nil }
}

/// Everything the TUI shows, as a value: the reducer changes it, the renderer draws it, tests compare it.
public struct AppState: Equatable, Sendable {
    /// The terminal size; below `minimumSize` only a message is drawn.
    public var size: Size
    /// Starts on results, so no key is typed into the query by surprise; leaving the query pane leaves the editor.
    public var focus: Pane = .results {
        didSet { if focus != .query { isEditing = false } }
    }
    /// The query editor has the keys (entered with `/` or Enter on the query pane; Esc, a search, a loaded job or
    /// file leave it). Only then are printable keys text.
    public var isEditing = false
    /// The pane focused before the detail pane opened, to return to on Esc.
    public var focusBeforeDetail: Pane = .results
    public var overlay: Overlay?
    /// The view help was opened from (the sweep or index view, the job list): help lists its keys first, and
    /// closing help returns to it.
    public var overlayUnderHelp: Overlay?
    public var helpScroll: Int = 0

    /// The query editor and its history.
    public var editor = TextBuffer()
    public var history = QueryHistory()

    /// Side A: the search (parameters for the next run, request, results). Compare mode adds side B (`compare`).
    public var sideA: SearchSide
    /// The newest search generation issued, on either side (0: none yet).
    public var lastGeneration = 0
    /// Parameter defaults (for reset) and the values some parameters can cycle through.
    public var defaults: SearchParams
    public var choices = ParameterChoices()
    /// The knob value `vecscope tune index --apply` stored (nil: none), named beside its parameter.
    public var indexTuning: IndexTuning?
    /// Selected and first visible row of the parameters pane (indexes into `visibleParameters`).
    public var parameterSelection: Int = 0
    public var parameterScroll: Int = 0
    /// The parameters pane is folded away (`P`): the results take its width.
    public var parametersFolded = false

    /// Whether the parameters pane is drawn: not when folded, nor in compare mode below `Layout.wideWidth` columns
    /// unless it has the focus (`p`), because two rankings side by side need the width for their titles.
    public var showsParameters: Bool {
        !parametersFolded && (compare == nil || size.width >= Layout.wideWidth || focus == .parameters)
    }

    /// Grades 0…3 by artifact id for side A's `results.queryText` (both sides search the same text).
    public var grades: [Int: Int] = [:]
    /// The query text `grades` belong to (nil until loaded).
    public var gradesQuery: String?
    /// The results pane lists only results without a grade (and the selected one); `u` toggles it.
    public var ungradedOnly = false
    /// The k of nDCG@k and P@k: fixed (default 10), so viewing more results to grade deeper does not change it.
    public var ndcgK = 10
    /// First visible line of the detail pane.
    public var detailScroll: Int = 0

    /// "host/db" (never a password) and whether it is reachable.
    public var connectionTarget: String
    public var database: DatabaseStatus = .connecting
    public var message: StatusMessage?

    /// Compare mode (A/B): side B and what the keys act on, or nil when not comparing.
    public var compare: CompareModel?
    /// Fixture jobs for the job picker, and its selection.
    public var jobs: [JobEntry] = []
    /// The fixture job last loaded as the query (picker or `--job`), named in the query pane's title.
    public var loadedJob: JobEntry?
    public var jobPicker = ListSelection()
    /// What is typed in the job picker: it lists the jobs whose id or title contain every word of it.
    public var jobFilter = ""
    /// Stored grades per fixture job id (the picker marks graded jobs).
    public var jobGradeCounts: [String: Int] = [:]
    /// The file-path prompt's text.
    public var prompt = TextBuffer()
    /// The latest ef_search sweep (kept after the view closes, so reopening shows it).
    public var sweep: SweepModel?
    /// The set-up screen (first run, or vectors missing); nil once the database is ready or the user skipped it.
    public var setup: SetupModel?
    /// The index view's list, create form and the build running in the background (kept while the view is closed).
    public var indexView = IndexViewModel()
    /// The health view's report (kept while closed; reopening reads it again).
    public var healthView = HealthViewModel()

    /// Monotonic seconds from the latest tick.
    public var now: Double = 0
    /// Set once `.quit` has been emitted.
    public var isQuitting = false

    /// The smallest terminal the layout supports.
    public static let minimumSize = Size(width: 80, height: 24)

    public init(
        size: Size = Size(width: 80, height: 24), params: SearchParams = AppState.defaultParams,
        connectionTarget: String = ""
    ) {
        self.size = size
        self.sideA = SearchSide(params: params)
        self.defaults = params
        self.connectionTarget = connectionTarget
    }

    /// The TUI's starting parameters: the library defaults with the plan on (EXPLAIN, no ANALYZE, read once per statement
    /// shape and knob values and cached), so the plan shows; the server time is the search statement's own.
    public static var defaultParams: SearchParams {
        var p = SearchParams()
        p.explain = true
        return p
    }

    /// What the parameters pane says of the stored index tuning on `parameter`'s row, for the edited side: the
    /// tuning itself while the knob holds the tuned value, or that the user moved off it; nil for another knob or model.
    public func tuningNote(for parameter: TunableParameter) -> (text: String, inEffect: Bool)? {
        guard let tuning = indexTuning, tuning.model == editedParams.model,
            parameter == (tuning.knob == "probes" ? .probes : .efSearch)
        else { return nil }
        if tuning.isInEffect(in: editedParams) { return (tuning.summary, true) }
        let target = String(format: "%.2f", tuning.targetRecall)
        return ("moved off tuned \(tuning.value) (recall@\(tuning.k) ≥ \(target))", false)
    }

    public var isTooSmall: Bool { size.width < Self.minimumSize.width || size.height < Self.minimumSize.height }

    /// The parameters pane's rows for the edited side (the re-ranking depth only under a pinned bit index).
    public var visibleParameters: [TunableParameter] {
        let params = editedParams
        return TunableParameter.allCases.filter { $0.isShown(for: params, choices: choices) }
    }

    /// The focused parameter row.
    public var selectedParameter: TunableParameter {
        let all = visibleParameters
        return all[min(max(parameterSelection, 0), all.count - 1)]
    }

    /// Puts the selection on `parameter` (when shown).
    public mutating func selectParameter(_ parameter: TunableParameter) {
        parameterSelection = visibleParameters.firstIndex(of: parameter) ?? parameterSelection
    }

    /// True while the text being typed is what the user is doing: printable keys go to the editor, not to commands.
    public var isTyping: Bool {
        setup == nil
            && ((focus == .query && isEditing && overlay == nil) || overlay == .openFile || overlay == .valuePrompt
                || overlay == .jobs)
    }

    /// Gives the editor the keys (the query pane gets focus).
    public mutating func enterEditor() {
        focus = .query
        isEditing = true
        overlay = nil
    }

    /// Takes the keys from the editor: the results get focus, so the single-key commands act at once.
    public mutating func leaveEditor() {
        isEditing = false
        if focus == .query { focus = .results }
    }
}
