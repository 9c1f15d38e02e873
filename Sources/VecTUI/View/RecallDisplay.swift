import VecCore

/// The recall a side's results show, by their method's rule (`RecallScope`): "recall@10 0.90",
/// "recall@10 (semantic candidates) 0.90" for hybrid, "recall@10 n/a" for keyword (never a spinner).
struct RecallDisplay {
    var scope: RecallScope
    var k: Int
    /// The measured recall; nil until measured.
    var recall: Double?

    /// Nil before the side has results.
    init?(_ results: ResultsModel) {
        guard let response = results.response else { return nil }
        let params = results.params ?? response.info.parameters
        scope = params.method.recallScope
        k = results.recall?.k ?? scope.k(measuredIDs: scope.measuredIDs(in: response) ?? [], params: params)
        recall = results.recall?.recall
    }

    var label: String { scope.label(k: k) }
    var shortLabel: String { scope.shortLabel(k: k) }
    /// "0.90", "…" while measuring, "n/a" where recall does not apply.
    var value: String { scope.isApplicable ? Format.ratio(recall) : "n/a" }
}
