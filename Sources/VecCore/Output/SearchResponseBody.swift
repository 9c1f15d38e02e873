import Foundation

/// `vecscope search --json`: the ranked results and how they were obtained.
public struct SearchResponseBody: Codable, Sendable, Equatable {
    public var results: [SearchResultBody]
    public var queryInfo: QueryInfoBody

    enum CodingKeys: String, CodingKey {
        case results
        case queryInfo = "query_info"
    }

    public init(_ response: SearchResponse) {
        results = response.results.map { SearchResultBody($0, metric: response.info.parameters.metric) }
        queryInfo = QueryInfoBody(response.info)
    }
}

/// One search result with every score; a score that was not computed is `null`, never absent.
public struct SearchResultBody: Codable, Sendable, Equatable {
    public var artifactID: Int
    public var externalID: String
    public var user: String
    public var similarityScore: Double?
    /// The distance under the metric that ordered the search.
    public var distance: Double?
    public var cosineDistance: Double?
    public var l2Distance: Double?
    public var innerProduct: Double?
    public var keywordMatchScore: Double
    public var relevanceScore: Double
    public var matchedContentType: ContentType
    public var rank: Int
    public var artifact: ArtifactBody
    public var explanation: String

    enum CodingKeys: String, CodingKey {
        case artifactID = "artifact_id"
        case externalID = "external_id"
        case user
        case similarityScore = "similarity_score"
        case distance
        case cosineDistance = "cosine_distance"
        case l2Distance = "l2_distance"
        case innerProduct = "inner_product"
        case keywordMatchScore = "keyword_match_score"
        case relevanceScore = "relevance_score"
        case matchedContentType = "matched_content_type"
        case rank, artifact, explanation
    }

    public init(_ result: SearchResult, metric: DistanceMetric) {
        artifactID = result.artifactID
        externalID = result.externalID
        user = result.userExternalID
        similarityScore = result.similarity.nilIfNaN
        distance = result.distance(for: metric).nilIfNaN
        cosineDistance = result.cosineDistance.nilIfNaN
        l2Distance = result.l2Distance.nilIfNaN
        innerProduct = result.innerProduct.nilIfNaN
        keywordMatchScore = result.keywordScore ?? 0
        relevanceScore = result.relevanceScore
        matchedContentType = result.matchedContentType
        rank = result.rank
        artifact = ArtifactBody(title: result.title, type: result.type, description: result.description)
        explanation = result.explanation.text
    }

    // Written out because the synthesized form would drop nil scores instead of writing null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(artifactID, forKey: .artifactID)
        try container.encode(externalID, forKey: .externalID)
        try container.encode(user, forKey: .user)
        try container.encode(similarityScore, forKey: .similarityScore)
        try container.encode(distance, forKey: .distance)
        try container.encode(cosineDistance, forKey: .cosineDistance)
        try container.encode(l2Distance, forKey: .l2Distance)
        try container.encode(innerProduct, forKey: .innerProduct)
        try container.encode(keywordMatchScore, forKey: .keywordMatchScore)
        try container.encode(relevanceScore, forKey: .relevanceScore)
        try container.encode(matchedContentType, forKey: .matchedContentType)
        try container.encode(rank, forKey: .rank)
        try container.encode(artifact, forKey: .artifact)
        try container.encode(explanation, forKey: .explanation)
    }
}

/// The artifact a search result points at, as a reader identifies it.
public struct ArtifactBody: Codable, Sendable, Equatable {
    public var title: String
    public var type: ArtifactType
    public var description: String

    public init(title: String, type: ArtifactType, description: String) {
        self.title = title
        self.type = type
        self.description = description
    }
}

/// `vecscope rank --json`: the artifacts ranked against a job description.
public struct RankResponseBody: Codable, Sendable, Equatable {
    public var rankedArtifacts: [RankedArtifactBody]
    /// False when the job's embedding came from the query cache.
    public var jobEmbeddingGenerated: Bool
    public var processingMetadata: QueryInfoBody

    enum CodingKeys: String, CodingKey {
        case rankedArtifacts = "ranked_artifacts"
        case jobEmbeddingGenerated = "job_embedding_generated"
        case processingMetadata = "processing_metadata"
    }

    public init(_ response: SearchResponse) {
        rankedArtifacts = response.results.map(RankedArtifactBody.init)
        jobEmbeddingGenerated = !response.info.embeddingCached
        processingMetadata = QueryInfoBody(response.info)
    }
}

/// One ranked artifact with the signals that placed it; a missing signal is `null`, never absent.
public struct RankedArtifactBody: Codable, Sendable, Equatable {
    public var artifactID: Int
    public var externalID: String
    public var user: String
    public var relevanceScore: Double
    public var semanticSimilarity: Double?
    public var keywordMatchScore: Double
    public var explanation: String
    public var semanticRank: Int?
    public var keywordRank: Int?
    public var matchedTerms: [String]
    /// Each matched term's BM25 contribution, largest first.
    public var keywordTerms: [KeywordTerm]
    public var title: String
    public var type: ArtifactType
    public var rank: Int

    enum CodingKeys: String, CodingKey {
        case artifactID = "artifact_id"
        case externalID = "external_id"
        case user
        case relevanceScore = "relevance_score"
        case semanticSimilarity = "semantic_similarity"
        case keywordMatchScore = "keyword_match_score"
        case explanation
        case semanticRank = "semantic_rank"
        case keywordRank = "keyword_rank"
        case matchedTerms = "matched_terms"
        case keywordTerms = "keyword_terms"
        case title, type, rank
    }

    public init(_ result: SearchResult) {
        artifactID = result.artifactID
        externalID = result.externalID
        user = result.userExternalID
        relevanceScore = result.relevanceScore
        semanticSimilarity = result.similarity.nilIfNaN
        keywordMatchScore = result.keywordScore ?? 0
        explanation = result.explanation.text
        semanticRank = result.semanticRank
        keywordRank = result.keywordRank
        matchedTerms = result.matchedTerms
        keywordTerms = result.keywordTerms
        title = result.title
        type = result.type
        rank = result.rank
    }

    // Written out because the synthesized form would drop nil ranks instead of writing null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(artifactID, forKey: .artifactID)
        try container.encode(externalID, forKey: .externalID)
        try container.encode(user, forKey: .user)
        try container.encode(relevanceScore, forKey: .relevanceScore)
        try container.encode(semanticSimilarity, forKey: .semanticSimilarity)
        try container.encode(keywordMatchScore, forKey: .keywordMatchScore)
        try container.encode(explanation, forKey: .explanation)
        try container.encode(semanticRank, forKey: .semanticRank)
        try container.encode(keywordRank, forKey: .keywordRank)
        try container.encode(matchedTerms, forKey: .matchedTerms)
        try container.encode(keywordTerms, forKey: .keywordTerms)
        try container.encode(title, forKey: .title)
        try container.encode(type, forKey: .type)
        try container.encode(rank, forKey: .rank)
    }
}

/// What happened while answering a search; `plan`, `index_name` and `server_execution_ms` are absent when unknown.
public struct QueryInfoBody: Codable, Sendable, Equatable {
    public var method: RankingMethod
    public var totalCandidates: Int
    /// Client wall time of the whole search, embedding included.
    public var processingTimeMs: Double
    public var rowsReturned: Int
    public var limit: Int
    public var embeddingMs: Double
    public var embeddingCached: Bool
    public var parameters: SearchParametersBody
    public var plan: String?
    public var indexName: String?
    public var serverExecutionMs: Double?
    /// "standby" when a streaming standby answered (`--read-from`); absent on the primary.
    public var servedBy: ServerRole?
    /// True when the query was embedded on a standby and not stored in the cache; absent otherwise.
    public var embeddingCacheSkipped: Bool?

    enum CodingKeys: String, CodingKey {
        case method
        case servedBy = "served_by"
        case embeddingCacheSkipped = "embedding_cache_skipped"
        case totalCandidates = "total_candidates"
        case processingTimeMs = "processing_time_ms"
        case rowsReturned = "rows_returned"
        case limit
        case embeddingMs = "embedding_ms"
        case embeddingCached = "embedding_cached"
        case parameters, plan
        case indexName = "index_name"
        case serverExecutionMs = "server_execution_ms"
    }

    public init(_ info: QueryInfo) {
        method = info.method
        totalCandidates = info.totalCandidates
        processingTimeMs = info.clientWallMs
        rowsReturned = info.rowsReturned
        limit = info.limit
        embeddingMs = info.embeddingMs
        embeddingCached = info.embeddingCached
        parameters = SearchParametersBody(info.parameters)
        plan = info.plan
        indexName = info.indexName
        serverExecutionMs = info.serverExecutionMs
        servedBy = info.servedBy == .standby ? .standby : nil
        embeddingCacheSkipped = info.embeddingCacheSkipped ? true : nil
    }
}

/// The parameters a search ran with; `similarity_threshold` and `user` are absent when not set.
public struct SearchParametersBody: Codable, Sendable, Equatable {
    public var metric: DistanceMetric
    public var limit: Int
    public var efSearch: Int
    public var probes: Int
    public var iterativeScan: IterativeScan
    public var maxScanTuples: Int
    /// auto, exact or the pinned index's name.
    public var plan: String
    public var model: String
    public var method: RankingMethod
    public var contentTypes: [ContentType]
    public var artifactTypes: [ArtifactType]
    public var similarityThreshold: Double?
    public var user: String?
    public var fusion: FusionBody
    public var bm25: BM25Body

    enum CodingKeys: String, CodingKey {
        case metric, limit
        case efSearch = "ef_search"
        case probes
        case iterativeScan = "iterative_scan"
        case maxScanTuples = "max_scan_tuples"
        case plan, model, method
        case contentTypes = "content_types"
        case artifactTypes = "artifact_types"
        case similarityThreshold = "similarity_threshold"
        case user, fusion, bm25
    }

    public init(_ params: SearchParams) {
        metric = params.metric
        limit = params.limit
        efSearch = params.efSearch
        probes = params.probes
        iterativeScan = params.iterativeScan
        maxScanTuples = params.maxScanTuples
        plan = params.plan.label
        model = params.model
        method = params.method
        contentTypes = params.contentTypes
        artifactTypes = params.artifactTypes
        similarityThreshold = params.similarityThreshold
        if case .user(let id) = params.userScope { user = id }
        fusion = FusionBody(params.fusion)
        bm25 = BM25Body(params.bm25)
    }
}

/// BM25's knobs as `{"k1": 1.2, "b": 0.75, "title_weight": 1, …}`.
public struct BM25Body: Codable, Sendable, Equatable {
    public var k1: Double
    public var b: Double
    public var titleWeight: Double
    public var skillsWeight: Double
    public var descriptionWeight: Double
    public var contentWeight: Double
    public var maxTerms: Int
    public var candidatePostings: Int

    enum CodingKeys: String, CodingKey {
        case k1, b
        case titleWeight = "title_weight"
        case skillsWeight = "skills_weight"
        case descriptionWeight = "description_weight"
        case contentWeight = "content_weight"
        case maxTerms = "max_terms"
        case candidatePostings = "candidate_postings"
    }

    public init(_ p: BM25Parameters) {
        k1 = p.k1
        b = p.b
        titleWeight = p.titleWeight
        skillsWeight = p.skillsWeight
        descriptionWeight = p.descriptionWeight
        contentWeight = p.contentWeight
        maxTerms = p.maxTerms
        candidatePostings = p.candidatePostings
    }
}

/// Hybrid fusion as `{"type": "rrf", "k": 60}` or `{"type": "weighted", "alpha": 0.7}`.
public struct FusionBody: Codable, Sendable, Equatable {
    public var type: HybridFusion.Kind
    public var k: Int?
    public var alpha: Double?

    public init(_ fusion: HybridFusion) {
        type = fusion.kind
        switch fusion {
        case .rrf(let k): self.k = k
        case .weighted(let alpha): self.alpha = alpha
        }
    }
}
