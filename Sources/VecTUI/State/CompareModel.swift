import VecCore

/// Compare mode (A/B): side B, searched for the same query with its own parameters and shown beside side A, and
/// the facts only compare mode has: which side the parameter keys edit and which side the results keys act on.
///
/// Both sides draw their generations from one counter (`AppState.lastGeneration`), so an answer from a search of an
/// earlier compare session can never be taken for one of this session.
public struct CompareModel: Equatable, Sendable {
    /// Side B; its parameters start as a copy of A's.
    public var sideB: SearchSide
    /// The side the parameter keys edit (B by default; b switches).
    public var editing: Side = .b
    /// The side whose ranking the results keys (move, detail, grade) act on (A by default; ←/→ switch).
    public var selecting: Side = .a

    public init(params: SearchParams) {
        self.sideB = SearchSide(params: params)
    }

    /// The parameters that differ between A and B, as "label value" pairs for each side.
    public static func differences(
        _ a: SearchParams, _ b: SearchParams
    )
        -> [(parameter: TunableParameter, a: String, b: String)]
    {
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
