import Foundation
import Logging

/// Similar-artifact search and job ranking: semantic (pgvector), keyword (full text) or hybrid, with explanations.
///
/// One search = embed the query (cached in job_embeddings) → one transaction with `set_config(…, true)` for the
/// tuning knobs → candidate SELECTs → scores for every candidate → fusion → explanations (ARCHITECTURE.md §2).
public final class SearchEngine {
    /// What to search with: text (embedded by the model) or a raw vector of the model's dimensions.
    public enum Query: Sendable, Equatable {
        case text(String)
        case vector([Float])
    }

    public let connection: Connection
    private let makeEmbedder: (EmbeddingModel) throws -> any Embedder
    private var embedders: [String: any Embedder] = [:]
    private var models: [String: EmbeddingModel] = [:]
    /// Candidate counts by filter set, reused for a few seconds: counting every row of a 100k-vector model cost
    /// more than the ANN search itself, on every keystroke of the TUI and every query of a benchmark.
    var candidateCounts: [String: (count: Int, measuredAt: Date)] = [:]
    static let candidateCountLifetime: TimeInterval = 30
    private let logger = Logger(label: "vecscope.search")

    public init(
        connection: Connection,
        makeEmbedder: @escaping (EmbeddingModel) throws -> any Embedder = {
            try EmbedderFactory.make(for: $0, purpose: .query)
        }
    ) {
        self.connection = connection
        self.makeEmbedder = makeEmbedder
    }

    /// Most similar artifacts to `query` under `params`; a database error says it happened while searching.
    public func search(_ query: Query, params: SearchParams) throws -> SearchResponse {
        try PostgresError.during("searching with \(params.model) (\(params.method.rawValue))") {
            try searchInContext(query, params: params)
        }
    }

    private func searchInContext(_ query: Query, params: SearchParams) throws -> SearchResponse {
        try params.validate()
        let started = DispatchTime.now()
        let model = try model(named: params.model)
        let (vector, cached, embeddingMs) = try queryVector(query, model: model)
        let queryText: String? = if case .text(let text) = query { text } else { nil }
        if params.method != .semantic, queryText == nil {
            throw VecscopeError(
                what: "\(params.method.rawValue) ranking needs query text", why: "a raw vector has no words to match",
                fix: "Search by text, or use --method semantic.")
        }
        var response = try connection.transaction { conn -> SearchResponse in
            try applySettings(params, on: conn)
            let plan = SearchPlan(
                model: model, params: params, vector: vector, queryText: queryText ?? "", restrictTo: nil)
            return try execute(plan, on: conn)
        }
        response.info.clientWallMs = Self.milliseconds(since: started)
        response.info.embeddingMs = embeddingMs
        response.info.embeddingCached = cached
        return response
    }

    public func search(text: String, params: SearchParams) throws -> SearchResponse {
        try search(.text(text), params: params)
    }

    /// Ranks artifacts (all, one user's, or the given external ids) against a job description.
    public func rank(
        jobDescription: String, artifactIDs: [String]? = nil, method: RankingMethod = .hybrid,
        topK: Int = 10, params base: SearchParams = SearchParams()
    ) throws -> SearchResponse {
        try PostgresError.during("ranking with \(base.model) (\(method.rawValue))") {
            try rankInContext(
                jobDescription: jobDescription, artifactIDs: artifactIDs, method: method, topK: topK, params: base)
        }
    }

    private func rankInContext(
        jobDescription: String, artifactIDs: [String]?, method: RankingMethod, topK: Int, params base: SearchParams
    ) throws -> SearchResponse {
        var params = base
        params.method = method
        params.limit = topK
        try params.validate()
        guard !jobDescription.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw VecscopeError(
                what: "the job description is empty", fix: "Pass the text, --job-file FILE or --job-id ID.")
        }
        let started = DispatchTime.now()
        let model = try model(named: params.model)
        let (vector, cached, embeddingMs) = try queryVector(.text(jobDescription), model: model)
        var restrict: [Int]?
        if let artifactIDs {
            restrict = try resolveArtifactIDs(artifactIDs)
        }
        var response = try connection.transaction { conn -> SearchResponse in
            try applySettings(params, on: conn)
            let plan = SearchPlan(
                model: model, params: params, vector: vector, queryText: jobDescription, restrictTo: restrict)
            return try execute(plan, on: conn)
        }
        response.info.clientWallMs = Self.milliseconds(since: started)
        response.info.embeddingMs = embeddingMs
        response.info.embeddingCached = cached
        return response
    }

    /// The registry entry for a model name (cached).
    public func model(named name: String) throws -> EmbeddingModel {
        if let model = models[name] { return model }
        let model = try EmbeddingModelRegistry(connection: connection).model(named: name)
        models[name] = model
        return model
    }

    /// The query's vector under a model (text is embedded once and cached in job_embeddings).
    public func queryVector(_ query: Query, model: EmbeddingModel) throws -> (vector: [Float], cached: Bool, ms: Double)
    {
        switch query {
        case .vector(let values):
            try Self.requireUsable(values, model: model)
            return (values, false, 0)
        case .text(let text):
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw VecscopeError(
                    what: "the query is empty", fix: "Type a job description or a few words to search for.")
            }
            let started = DispatchTime.now()
            let (vector, cached) = try QueryEmbeddingCache(connection: connection).vector(
                for: text, model: model, embedder: { try self.embedder(for: model) })
            return (vector, cached, Self.milliseconds(since: started))
        }
    }

    /// Refuses a raw query vector of the wrong length, with NaN or ∞, or all zeros (`VectorCheck`).
    static func requireUsable(_ vector: [Float], model: EmbeddingModel) throws {
        guard let problem = VectorCheck.problem(vector, dimensions: model.dimensions) else { return }
        throw VecscopeError(
            what: "the query vector \(problem)",
            why: "\(model.name) compares vectors of \(model.dimensions) finite numbers, not all zero",
            fix: "Pass a vector of \(model.dimensions) finite numbers, not all zero, or choose the matching model.")
    }

    private func embedder(for model: EmbeddingModel) throws -> any Embedder {
        if let embedder = embedders[model.name] { return embedder }
        let embedder = try makeEmbedder(model)
        embedders[model.name] = embedder
        return embedder
    }

    private func resolveArtifactIDs(_ externalIDs: [String]) throws -> [Int] {
        let rows = try connection.query(
            """
            SELECT id, external_id FROM artifacts WHERE external_id = ANY(\(externalIDs)::text[])
            """
        ).rows
        let found = Set(try rows.map { try $0.decode(1, as: String.self) })
        let missing = externalIDs.filter { !found.contains($0) }
        guard missing.isEmpty else {
            throw VecscopeError(
                what: "unknown artifact id(s): \(missing.prefix(10).joined(separator: ", "))",
                fix: "Use external ids as loaded (e.g. a001); `vecscope load` loads artifacts.")
        }
        return try rows.map { try $0.decode(0) }
    }

    /// `SET LOCAL` of every tuning knob, through set_config so values are bound, never spliced.
    func applySettings(_ params: SearchParams, on conn: Connection) throws {
        let ivfflatScan = params.iterativeScan == .off ? "off" : "relaxed_order"  // ivfflat has no strict_order
        // One round trip for all five (each is a bound value, never spliced).
        try conn.execute(
            """
            SELECT set_config('hnsw.ef_search', \(String(params.efSearch)), true),
                   set_config('hnsw.iterative_scan', \(params.iterativeScan.rawValue), true),
                   set_config('hnsw.max_scan_tuples', \(String(params.maxScanTuples)), true),
                   set_config('ivfflat.probes', \(String(params.probes)), true),
                   set_config('ivfflat.iterative_scan', \(ivfflatScan), true)
            """)
    }

    static func milliseconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000
    }
}
