import ArgumentParser
import Foundation
import VecCore

/// The tuning and filter flags `search`, `rank` and `bench` share; each maps onto one SearchParams field.
struct SearchOptions: ParsableArguments {
    @Option(help: "Embedding model (see `vecscope models`).") var model = SearchParams.defaultModel
    @Option(help: "Only this user's artifacts (external id, e.g. u01).") var user: String?
    @Option(help: "Comma-separated artifact types, e.g. project,publication.") var types: String?
    @Option(help: "Comma-separated content types searched: full, summary, chunk.") var contentTypes = "full"
    @Option(help: "cosine | l2 | inner_product.") var metric = "cosine"
    @Option(help: "Minimum cosine similarity (−1…1).") var threshold: Double?
    @Option(help: "HNSW ef_search (1…1000).") var efSearch = 40
    @Option(help: "IVFFlat probes (≥ 1).") var probes = 1
    @Option(help: "off | relaxed_order | strict_order (pgvector 0.8 iterative index scans).") var iterativeScan = "off"
    @Option(help: "hnsw.max_scan_tuples for iterative scans.") var maxScanTuples = 20_000
    @Option(help: "Hybrid fusion: rrf (default, k = 60) or weighted.") var fusion = "rrf"
    @Option(help: "RRF k.") var rrfK = 60
    @Option(help: "Weighted fusion: weight of semantic similarity (0…1).") var alpha = 0.7
    @Flag(help: "Run EXPLAIN ANALYZE to report the plan and server time.") var explain = false

    func params(method: RankingMethod, limit: Int) throws -> SearchParams {
        var params = SearchParams()
        params.model = model
        params.limit = limit
        params.method = method
        if let user { params.userScope = .user(user) }
        if let types { params.artifactTypes = try ArtifactType.parseList(types) }
        params.contentTypes = try contentTypes.split(separator: ",").map { raw in
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard let type = ContentType(rawValue: name == "chunks" ? "chunk" : name) else {
                throw ValidationError("unknown content type \"\(name)\": use full, summary, chunk")
            }
            return type
        }
        guard let metric = DistanceMetric(rawValue: metric == "ip" ? "inner_product" : metric) else {
            throw ValidationError("unknown metric \"\(metric)\": use cosine, l2 or inner_product")
        }
        params.metric = metric
        params.similarityThreshold = threshold
        params.efSearch = efSearch
        params.probes = probes
        guard let scan = IterativeScan(rawValue: iterativeScan) else {
            throw ValidationError("unknown iterative scan \"\(iterativeScan)\": use off, relaxed_order or strict_order")
        }
        params.iterativeScan = scan
        params.maxScanTuples = maxScanTuples
        switch fusion {
        case "rrf": params.fusion = .rrf(k: rrfK)
        case "weighted": params.fusion = .weighted(alpha: alpha)
        default: throw ValidationError("unknown fusion \"\(fusion)\": use rrf or weighted")
        }
        params.explain = explain
        try params.validate()
        return params
    }
}

/// Tables and JSON for search responses.
enum ResultPrinter {
    static func table(_ response: SearchResponse, showExplanations: Bool) {
        let header = ["#", "id", "user", "type", "title", "sim", "cos_d", "l2", "ip", "kw", "score"]
        var rows: [[String]] = []
        for r in response.results {
            rows.append([String(r.rank), r.externalID, r.userExternalID, r.type.rawValue, String(r.title.prefix(44)),
                         fmt(r.similarity), fmt(r.cosineDistance), fmt(r.l2Distance), fmt(r.innerProduct),
                         fmt(r.keywordScore ?? 0), fmt(r.relevanceScore)])
        }
        let widths = header.indices.map { column in ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
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
        var status = "\(info.method.rawValue): \(info.rowsReturned) of limit \(info.limit) returned, \(info.totalCandidates) candidates"
        if let plan = info.plan { status += "; plan: \(plan)" }
        if let server = info.serverExecutionMs { status += String(format: "; server %.2f ms", server) }
        status += String(format: "; client %.1f ms (embedding %.1f ms%@)", info.clientWallMs, info.embeddingMs, info.embeddingCached ? ", cached" : "")
        print(status)
    }

    static func fmt(_ value: Double) -> String { value.isNaN ? "–" : String(format: "%.3f", value) }

    static func number(_ value: Double) -> Any { value.isNaN ? NSNull() : value }

    static func queryInfo(_ info: QueryInfo) -> [String: Any] {
        var object: [String: Any] = [
            "method": info.method.rawValue, "total_candidates": info.totalCandidates,
            "processing_time_ms": info.clientWallMs, "rows_returned": info.rowsReturned, "limit": info.limit,
            "embedding_ms": info.embeddingMs, "embedding_cached": info.embeddingCached,
            "parameters": parameters(info.parameters),
        ]
        if let plan = info.plan { object["plan"] = plan }
        if let index = info.indexName { object["index_name"] = index }
        if let server = info.serverExecutionMs { object["server_execution_ms"] = server }
        return object
    }

    static func parameters(_ p: SearchParams) -> [String: Any] {
        var object: [String: Any] = [
            "metric": p.metric.rawValue, "limit": p.limit, "ef_search": p.efSearch, "probes": p.probes,
            "iterative_scan": p.iterativeScan.rawValue, "max_scan_tuples": p.maxScanTuples, "model": p.model,
            "method": p.method.rawValue, "content_types": p.contentTypes.map(\.rawValue),
            "artifact_types": p.artifactTypes.map(\.rawValue),
        ]
        if let threshold = p.similarityThreshold { object["similarity_threshold"] = threshold }
        if case .user(let id) = p.userScope { object["user"] = id }
        switch p.fusion {
        case .rrf(let k): object["fusion"] = ["type": "rrf", "k": k]
        case .weighted(let alpha): object["fusion"] = ["type": "weighted", "alpha": alpha]
        }
        return object
    }
}
