import VecCore

/// Compare mode (A/B): a second parameter set searched for the same query and shown beside the first.
///
/// Side A is the ordinary state (`AppState.params`, `AppState.results`, `AppState.search`); this holds side B.
/// B's searches draw their generations from the same counter as A's (`SearchStatus.generation`), so an answer is
/// routed to its side by generation alone.
public struct CompareModel: Equatable, Sendable {
    /// Side B's parameters; they start as a copy of A's.
    public var params: SearchParams
    /// Whether the parameter keys edit B (the default) or A.
    public var editingB: Bool = true
    /// Whether the results keys (move, detail, grade) act on B's ranking (→) or A's (←, the default).
    public var selectingB: Bool = false
    /// Side B's results (its `rankChanges` are against B's previous run; moves against A are computed on screen).
    public var results = ResultsModel()
    /// B's search in flight, its debounce deadline, and what was sent.
    public var inFlight: Int?
    public var deadline: Double?
    public var requestText: String = ""
    public var requestParams: SearchParams?

    public init(params: SearchParams) {
        self.params = params
    }

    public var isBusy: Bool { inFlight != nil }

    /// The parameters that differ between A and B, as "label value" pairs for each side.
    public static func differences(_ a: SearchParams, _ b: SearchParams) -> [(parameter: TunableParameter, a: String, b: String)] {
        TunableParameter.allCases.compactMap { parameter in
            let left = parameter.value(in: a), right = parameter.value(in: b)
            return left == right ? nil : (parameter, left, right)
        }
    }

    /// How many of A's top `k` are also in B's top `k`.
    public static func overlap(_ a: [Int], _ b: [Int], k: Int) -> Int {
        Set(a.prefix(k)).intersection(b.prefix(k)).count
    }
}

extension AppState {
    /// The ranking the results keys act on: side B's while comparing with B selected, else A's.
    public var activeResults: ResultsModel {
        get {
            if let compare, compare.selectingB { return compare.results }
            return results
        }
        set {
            if compare?.selectingB == true { compare?.results = newValue } else { results = newValue }
        }
    }

    /// The parameters the parameter keys change: B's while comparing with B selected, else A's.
    public var editedParams: SearchParams {
        get {
            if let compare, compare.editingB { return compare.params }
            return params
        }
    }

    /// The other side's parameters while comparing (nil otherwise), for marking what differs.
    public var otherParams: SearchParams? {
        guard let compare else { return nil }
        return compare.editingB ? params : compare.params
    }

    /// Side B's results no longer answer the current text and B's parameters.
    public var compareIsStale: Bool {
        guard let compare, compare.results.response != nil else { return false }
        return compare.isBusy || compare.deadline != nil || compare.results.queryText != editor.trimmedText
            || compare.results.params != compare.params
    }
}
