import VecCore

/// A search side. Outside compare mode there is only side A; compare mode adds side B beside it.
public enum Side: String, CaseIterable, Sendable {
    case a, b

    /// "A" or "B".
    public var name: String { rawValue.uppercased() }

    /// What messages about this side start with: side B's say so ("B: …"), side A's are the plain search's.
    var messagePrefix: String { self == .b ? "B: " : "" }
}

/// One side's search: the parameters for its next run, the request in flight, and the results on screen with their
/// recall and relevance score. Side A and compare mode's side B are each one of these.
public struct SearchSide: Equatable, Sendable {
    public var params: SearchParams
    public var status = SearchStatus()
    public var results = ResultsModel()

    public init(params: SearchParams) {
        self.params = params
    }

    /// Results are on screen, or a search is running.
    public var hasSearched: Bool { results.response != nil || status.isBusy }

    /// The results on screen no longer answer `text` and this side's parameters (or a newer search is on its way).
    /// Stale results stay visible but are marked so.
    public func resultsAreStale(for text: String) -> Bool {
        guard results.response != nil else { return false }
        return status.isBusy || results.queryText != text || results.params != params
    }
}

extension AppState {
    /// A side's search; nil for side B outside compare mode. Setting nil changes nothing: side B goes away only
    /// with compare mode (`compare = nil`).
    public subscript(side: Side) -> SearchSide? {
        get { side == .a ? sideA : compare?.sideB }
        set {
            guard let newValue else { return }
            if side == .a { sideA = newValue } else { compare?.sideB = newValue }
        }
    }

    /// The sides searching now: A, and B while comparing.
    public var sides: [Side] { compare == nil ? [.a] : [.a, .b] }

    /// The side the parameter keys edit: A, or the one chosen with b while comparing.
    public var editedSide: Side { compare?.editing ?? .a }

    /// The side the results keys (move, detail, grade) act on: A, or the one chosen with ←/→ while comparing.
    public var selectedSide: Side { compare?.selecting ?? .a }

    /// The ranking the results keys act on.
    public var activeResults: ResultsModel {
        get { self[selectedSide]?.results ?? sideA.results }
        set { self[selectedSide]?.results = newValue }
    }

    /// The parameters the parameter keys change.
    public var editedParams: SearchParams { self[editedSide]?.params ?? sideA.params }

    /// The other side's parameters while comparing (nil otherwise), for marking what differs.
    public var otherParams: SearchParams? {
        guard let compare else { return nil }
        return compare.editing == .b ? sideA.params : compare.sideB.params
    }

    /// The side's results no longer answer the editor's text and the side's parameters.
    public func resultsAreStale(_ side: Side) -> Bool {
        self[side]?.resultsAreStale(for: editor.trimmedText) ?? false
    }
}

extension AppState {
    /// The plan warnings for a side's results (`PlanAdvice`): a knob that cannot matter under the plan that ran
    /// (one changed since the run before, or the parameter selected in the parameters pane), a plan that changed
    /// index since the run before, an index scan that returned fewer rows than the limit.
    public func planWarnings(_ side: Side) -> [String] {
        guard let results = self[side]?.results, let info = results.response?.info else { return [] }
        let watched = focus == .parameters ? [selectedParameter.label] : []
        return PlanAdvice.warnings(
            info, previous: results.previousInfo, watched: watched, indexType: { choices.index(named: $0)?.type })
    }
}
