import ArgumentParser
import Foundation
import VecCore

/// The tuning and filter flags `search`, `rank` and `bench` share; each maps onto one SearchParams field.
struct SearchOptions: ParsableArguments {
    @Option(help: "Embedding model (see `vecscope models`).") var model = SearchParams.defaultModel
    @Option(help: "Only this user's artifacts (external id, e.g. u01).") var user: String?
    @Option(help: "Comma-separated artifact types, e.g. project,publication.") var types: CommaSeparated<ArtifactType>?
    @Option(help: "Comma-separated content types searched.") var contentTypes = CommaSeparated<ContentType>([.full])
    @Option(help: "Distance metric (ip = inner_product).") var metric = DistanceMetric.cosine
    @Option(help: "Minimum cosine similarity (−1…1).") var threshold: Double?
    @Option(help: "HNSW ef_search (1…1000; default 40, or what `tune index --apply` stored).") var efSearch: Int?
    @Option(help: "IVFFlat probes (≥ 1; default 1, or what `tune index --apply` stored).") var probes: Int?
    @Option(help: "pgvector 0.8 iterative index scans.") var iterativeScan = IterativeScan.off
    @Option(help: "hnsw.max_scan_tuples for iterative scans.") var maxScanTuples = 20_000
    @Option(help: "Hybrid fusion: rrf (k = --rrf-k) or weighted (--alpha); default: the database's stored default.")
    var fusion: HybridFusion.Kind?
    @Option(help: "RRF k (default 60).") var rrfK: Int?
    @Option(help: "Weighted fusion: weight of semantic similarity (0…1, default 0.15).") var alpha: Double?
    @Option(help: "BM25 term-frequency saturation k1 (0…10; default: stored, else 1.2).") var bm25K1: Double?
    @Option(help: "BM25 length normalisation b (0…1; default: stored, else 0.75).") var bm25B: Double?
    @Option(help: "BM25: most query terms kept, rarest first (default 256).") var bm25MaxTerms: Int?
    @Option(help: "BM25: candidates come from the rarest terms up to this many postings (default 3000).")
    var bm25CandidatePostings: Int?
    @Option(help: "BM25 weight of the title (0…100; default: stored, else 1).") var titleWeight: Double?
    @Option(help: "BM25 weight of the skills (0…100; default: stored, else 1).") var skillsWeight: Double?
    @Option(help: "BM25 weight of the description (0…100; default: stored, else 1).") var descriptionWeight: Double?
    @Option(help: "BM25 weight of the content (0…100; default: stored, else 1).") var contentWeight: Double?
    @Flag(help: "Report the plan (EXPLAIN of the search statement, in the same round trip; no second execution).")
    var explain = false
    @Option(
        help:
            "Which scan answers the semantic signal: auto (the planner's choice), exact (no index), or a vector index's name (`vecscope index list`), checked with EXPLAIN."
    ) var plan = "auto"
    @Option(
        help:
            "Through a bit (binary-quantized) index pinned with --plan: read N × limit candidates by Hamming distance, then order them by the full-precision distance (1…100, default 4)."
    ) var rerank: Int?

    /// - Parameter stored: the database's ranking defaults (`tune fusion --apply`), under any flag given.
    /// - Parameter tuned: the knob `tune index --apply` stored, used unless its flag is given.
    func params(
        method: RankingMethod, limit: Int, stored: RankingDefaults? = nil, tuned: IndexTuning? = nil
    ) throws -> SearchParams {
        var params = SearchParams()
        stored?.apply(to: &params)
        params.model = model
        params.limit = limit
        params.method = method
        if let user { params.userScope = .user(user) }
        if let types { params.artifactTypes = types.values }
        params.contentTypes = contentTypes.values
        params.metric = metric
        params.similarityThreshold = threshold
        if let tuned, tuned.knob == "probes" ? probes == nil : efSearch == nil { tuned.apply(to: &params) }
        if let efSearch { params.efSearch = efSearch }
        if let probes { params.probes = probes }
        params.iterativeScan = iterativeScan
        params.maxScanTuples = maxScanTuples
        switch fusion ?? (alpha != nil ? .weighted : rrfK != nil ? .rrf : nil) {
        case .rrf: params.fusion = .rrf(k: rrfK ?? HybridFusion.defaultRRFK)
        case .weighted: params.fusion = .weighted(alpha: alpha ?? HybridFusion.defaultAlpha)
        case nil: break
        }
        if let bm25K1 { params.bm25.k1 = bm25K1 }
        if let bm25B { params.bm25.b = bm25B }
        if let bm25MaxTerms { params.bm25.maxTerms = bm25MaxTerms }
        if let bm25CandidatePostings { params.bm25.candidatePostings = bm25CandidatePostings }
        if let titleWeight { params.bm25.titleWeight = titleWeight }
        if let skillsWeight { params.bm25.skillsWeight = skillsWeight }
        if let descriptionWeight { params.bm25.descriptionWeight = descriptionWeight }
        if let contentWeight { params.bm25.contentWeight = contentWeight }
        params.explain = explain
        params.plan = PlanChoice(parsing: plan)
        params.rerank = rerank
        try params.validate()
        return params
    }
}

extension SearchOptions {
    /// The stored tuning's line ("tuned: ef_search 64 for recall@10 ≥ 0.95") when it set this search's knob.
    func tunedNote(_ tuned: IndexTuning?) -> String? {
        guard let tuned, tuned.model == model, (tuned.knob == "probes" ? probes : efSearch) == nil else { return nil }
        return tuned.summary
    }
}

/// The table for search responses (their JSON is SearchResponseBody / RankResponseBody).
enum ResultPrinter {
    static func table(_ response: SearchResponse, showExplanations: Bool) {
        let header = ["#", "id", "user", "type", "title", "sim", "cos_d", "l2", "ip", "kw", "score"]
        var rows: [[String]] = []
        for r in response.results {
            rows.append([
                String(r.rank), r.externalID, r.userExternalID, r.type.rawValue, String(r.title.prefix(44)),
                fmt(r.similarity), fmt(r.cosineDistance), fmt(r.l2Distance), fmt(r.innerProduct),
                fmt(r.keywordScore ?? 0), fmt(r.relevanceScore),
            ])
        }
        let widths = header.indices.map { column in ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(
                separator: "  ")
        }
        print(line(header))
        print(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
        for (index, row) in rows.enumerated() {
            print(line(row))
            if showExplanations {
                let explanation = response.results[index].explanation
                print("    " + explanation.summary)
                for detail in explanation.details { print("    " + detail) }
            }
        }
        let info = response.info
        var status =
            "\(info.method.rawValue): \(info.rowsReturned) of limit \(info.limit) returned, \(info.totalCandidates) candidates"
        if info.parameters.plan != .auto { status += "; plan pinned: \(info.parameters.plan.label)" }
        if info.servedBy == .standby {
            status +=
                "; read on the standby" + (info.embeddingCacheSkipped ? " (query vector not cached: read-only)" : "")
        }
        if let plan = info.plan { status += "; plan: \(plan)" }
        if let server = info.serverExecutionMs { status += String(format: "; server %.2f ms", server) }
        status += String(
            format: "; client %.1f ms (embedding %.1f ms%@)", info.clientWallMs, info.embeddingMs,
            info.embeddingCached ? ", cached" : "")
        print(status)
    }

    static func fmt(_ value: Double) -> String { value.isNaN ? "–" : String(format: "%.3f", value) }

}
