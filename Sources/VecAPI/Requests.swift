import Foundation
import VecCore

// The request bodies of the feature spec, plus the tuning knobs as optional fields. Names and enum values are
// parsed with VecCore's own parsers and checked by `SearchParams.validate`, so a bad value gets the same message
// as on the command line.

/// The tuning knobs both search routes accept beside their own fields; decoded from the same body as the route's
/// request.
struct SearchKnobs: Decodable {
    var metric: String?
    var model: String?
    var efSearch: Int?
    var probes: Int?
    var iterativeScan: String?
    var maxScanTuples: Int?
    var contentTypes: [String]?
    var userOnly: Bool?
    /// auto, exact or an index name: checked against the model's indexes on the worker (`pinned(_:on:)`).
    var plan: String?
    /// Through a pinned bit index: candidates read as a multiple of the limit, then re-ranked at full precision.
    var rerank: Int?

    /// The parameters for `caller`: the knobs given, the stored index tuning where the knob is not given (`tuned`),
    /// defaults for the rest, and the caller's scope.
    func params(for caller: APICaller, tuned: IndexTuning? = nil) throws -> SearchParams {
        var params = SearchParams()
        if let metric { params.metric = try choice(metric, field: "metric", names: DistanceMetric.names) }
        if let model { params.model = model }
        if let tuned, efSearch == nil, probes == nil { tuned.apply(to: &params) }
        if let efSearch { params.efSearch = efSearch }
        if let probes { params.probes = probes }
        if let iterativeScan {
            params.iterativeScan = try choice(
                iterativeScan, field: "iterative_scan", names: IterativeScan.allCases.map(\.rawValue))
        }
        if let maxScanTuples { params.maxScanTuples = maxScanTuples }
        params.rerank = rerank
        if let contentTypes {
            params.contentTypes = try contentTypes.map {
                try choice($0, field: "content_types", names: ContentType.names)
            }
        }
        params.userScope = try caller.scope(userOnly: userOnly ?? true)
        return params
    }

    /// `params` under the requested plan, which must be auto, exact or one of the model's vector indexes (a 400
    /// lists them otherwise); unchanged when the request names none.
    func pinned(_ params: SearchParams, on engine: SearchEngine) throws -> SearchParams {
        guard let plan else { return params }
        var pinned = params
        pinned.plan = try engine.planChoice(named: plan, model: params.model)
        return pinned
    }
}

/// A value of one of a field's named choices, or a 400 naming the field and the choices.
func choice<T: ChoiceParsable>(_ text: String, field: String, names: [String]) throws -> T {
    guard let value = T(name: text) else {
        throw VecscopeError(
            what: "unknown \(field) \"\(text)\"", fix: "Use one of: \(names.joined(separator: ", ")).",
            kind: .invalidInput)
    }
    return value
}

/// An enum a request names by one of its spellings (`UserSpellings.swift`).
protocol ChoiceParsable { init?(name: String) }
extension DistanceMetric: ChoiceParsable {}
extension ContentType: ChoiceParsable {}
extension IterativeScan: ChoiceParsable { init?(name: String) { self.init(rawValue: name) } }
extension RankingMethod: ChoiceParsable { init?(name: String) { self.init(rawValue: name) } }

/// `POST /api/v1/artifacts/search/similar/`.
struct SimilarSearchRequest: Decodable {
    var queryText: String?
    var queryEmbedding: [Float]?
    var limit: Int?
    /// Absent: 0.7, as the feature spec says; -1 keeps every row.
    var similarityThreshold: Double?
    var artifactTypes: [String]?
    var method: String?

    static let defaultThreshold = 0.7

    func query() throws -> SearchEngine.Query {
        switch (queryText, queryEmbedding) {
        case (let text?, nil): return .text(text)
        case (nil, let vector?): return .vector(vector)
        default:
            throw VecscopeError(
                what: "give exactly one of query_text and query_embedding",
                fix: "Send query_text (words to embed) or query_embedding (a vector of the model's dimensions).",
                kind: .invalidInput)
        }
    }

    /// The knobs' parameters with this request's own fields on top.
    func searchParams(_ knobs: SearchKnobs, for caller: APICaller, tuned: IndexTuning? = nil) throws -> SearchParams {
        var params = try knobs.params(for: caller, tuned: tuned)
        if let method {
            params.method = try choice(method, field: "method", names: RankingMethod.allCases.map(\.rawValue))
        }
        params.limit = limit ?? 10
        params.similarityThreshold = similarityThreshold ?? Self.defaultThreshold
        if let artifactTypes { params.artifactTypes = try ArtifactType.parseList(artifactTypes.joined(separator: ",")) }
        return params
    }
}

/// `POST /api/v1/artifacts/rank/`.
struct RankRequest: Decodable {
    var jobDescription: String
    var artifactIds: [Int]?
    var rankingMethod: String?
    var topK: Int?

    var method: RankingMethod {
        get throws {
            try rankingMethod.map {
                try choice($0, field: "ranking_method", names: RankingMethod.allCases.map(\.rawValue))
            } ?? .hybrid
        }
    }
}

/// `POST /api/v1/artifacts/{id}/embeddings/`.
struct EmbedRequest: Decodable {
    var contentType: String?
    var forceRegenerate: Bool?
    var model: String?
    /// Queue the artifact for `vecscope worker` and answer 202 instead of embedding now.
    var async: Bool?

    var type: ContentType {
        get throws { try contentType.map { try choice($0, field: "content_type", names: ContentType.names) } ?? .full }
    }
}
