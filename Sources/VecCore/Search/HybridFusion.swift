import Foundation

extension SearchEngine {
    /// Orders candidates by the chosen method and gives each every score, its per-signal ranks and an explanation.
    func fuse(
        plan: SearchPlan, semantic: [Candidate], keyword: [(id: Int, score: Double)], scored: [Int: Scores],
        wordsByLexeme: [String: String]
    ) -> [SearchResult] {
        let params = plan.params
        let allowChunks = params.contentTypes.contains(.chunk)
        // Per artifact: the best stored text's distances (a chunk wins when chunks are searched and it is closer).
        var rows: [Int: SearchResult] = [:]
        for (id, score) in scored {
            var cosine = score.cosineDistance, l2 = score.l2Distance, ip = score.innerProduct
            var matched = score.contentType
            if allowChunks, let chunkDistance = score.bestChunkDistance, cosine.isNaN || chunkDistance < cosine {
                cosine = chunkDistance
                l2 = score.bestChunkL2 ?? .nan
                ip = score.bestChunkInnerProduct ?? .nan
                matched = .chunk
            }
            let terms = score.matchedLexemes.map { wordsByLexeme[$0] ?? $0 }
            rows[id] = SearchResult(
                artifactID: id, externalID: score.externalID, userExternalID: score.userExternalID,
                userName: score.userName,
                title: score.title, type: score.type, description: score.description, content: score.content, rank: 0,
                cosineDistance: cosine, similarity: 1 - cosine, l2Distance: l2, innerProduct: ip,
                keywordScore: score.keywordScore, relevanceScore: 0, semanticRank: nil, keywordRank: nil,
                matchedContentType: matched, bestChunk: score.bestChunk, matchedTerms: Array(Set(terms)).sorted(),
                explanation: Explanation(band: "", summary: "", details: []))
        }
        // Rank under each signal: its own candidate list when it ran, else among these rows.
        var semanticRank: [Int: Int] = [:]
        if !semantic.isEmpty {
            for (index, candidate) in semantic.enumerated() { semanticRank[candidate.artifactID] = index + 1 }
        } else {
            let bySimilarity = rows.values.filter { !$0.cosineDistance.isNaN }.sorted {
                ($0.cosineDistance, $0.artifactID) < ($1.cosineDistance, $1.artifactID)
            }
            for (index, row) in bySimilarity.enumerated() { semanticRank[row.artifactID] = index + 1 }
        }
        var keywordRank: [Int: Int] = [:]
        if !keyword.isEmpty {
            for (index, match) in keyword.enumerated() { keywordRank[match.id] = index + 1 }
        } else {
            let byKeyword = rows.values.filter { ($0.keywordScore ?? 0) > 0 }.sorted {
                ($0.keywordScore ?? 0, -$0.artifactID) > ($1.keywordScore ?? 0, -$1.artifactID)
            }
            for (index, row) in byKeyword.enumerated() { keywordRank[row.artifactID] = index + 1 }
        }
        for id in rows.keys {
            rows[id]?.semanticRank = semanticRank[id]
            rows[id]?.keywordRank = keywordRank[id]
        }

        var ordered: [SearchResult]
        switch params.method {
        case .semantic:
            ordered = semantic.compactMap { rows[$0.artifactID] }
            for index in ordered.indices { ordered[index].relevanceScore = ordered[index].similarity }
        case .keyword:
            ordered = keyword.compactMap { rows[$0.id] }
            for index in ordered.indices { ordered[index].relevanceScore = ordered[index].keywordScore ?? 0 }
        case .hybrid:
            ordered = Array(rows.values)
            for index in ordered.indices {
                ordered[index].relevanceScore = Self.hybridScore(ordered[index], fusion: params.fusion)
            }
            ordered.sort {
                ($0.relevanceScore, $0.similarity.isNaN ? -2 : $0.similarity, -$0.artifactID)
                    > ($1.relevanceScore, $1.similarity.isNaN ? -2 : $1.similarity, -$1.artifactID)
            }
        }
        if let threshold = params.similarityThreshold {
            ordered = ordered.filter { !$0.similarity.isNaN && $0.similarity >= threshold }
        }
        ordered = Array(ordered.prefix(params.limit))
        let bands = SimilarityBands.forModel(plan.model)
        let queryTermCount = min(Set(wordsByLexeme.keys).count, Self.maxKeywordTerms)
        for index in ordered.indices {
            ordered[index].rank = index + 1
            ordered[index].explanation = ExplanationBuilder.explain(
                ordered[index], params: params, model: plan.model, bands: bands, queryTermCount: queryTermCount,
                semanticCandidates: semantic.count, keywordCandidates: keyword.count)
        }
        return ordered
    }

    /// RRF normalised by its maximum (both signals rank 1) to 0…1, or the weighted sum of the two scores.
    static func hybridScore(_ row: SearchResult, fusion: HybridFusion) -> Double {
        switch fusion {
        case .rrf(let k):
            let semantic = row.semanticRank.map { 1 / Double(k + $0) } ?? 0
            let keyword = row.keywordRank.map { 1 / Double(k + $0) } ?? 0
            return (semantic + keyword) / (2 / Double(k + 1))
        case .weighted(let alpha):
            let similarity = row.similarity.isNaN ? 0 : max(0, row.similarity)
            return alpha * similarity + (1 - alpha) * (row.keywordScore ?? 0)
        }
    }
}

/// Similarity bands: the feature spec's (≥ .9 highly relevant … < .6 limited) for models without a documented
/// range; MiniLM and OpenAI's text-embedding-3 give related texts 0.3–0.7, so theirs are shifted down.
public struct SimilarityBands: Sendable, Equatable {
    public var highlyRelevant: Double
    public var relevant: Double
    public var somewhatRelevant: Double
    public var note: String

    public static let featureSpec = SimilarityBands(
        highlyRelevant: 0.9, relevant: 0.75, somewhatRelevant: 0.6,
        note: "the feature spec's bands")
    public static let sentenceModels = SimilarityBands(
        highlyRelevant: 0.6, relevant: 0.45, somewhatRelevant: 0.3,
        note: "bands calibrated for sentence-embedding models, whose related texts score 0.3–0.7")

    public static func forModel(_ model: EmbeddingModel) -> SimilarityBands {
        model.provider == .synthetic ? featureSpec : sentenceModels
    }

    public func band(for similarity: Double) -> String {
        if similarity.isNaN { return "not embedded" }
        if similarity >= highlyRelevant { return "highly relevant" }
        if similarity >= relevant { return "relevant" }
        if similarity >= somewhatRelevant { return "somewhat relevant" }
        return "limited relevance"
    }
}

/// Writes the explanation a reviewer can check against the numbers shown beside it.
enum ExplanationBuilder {
    static func explain(
        _ row: SearchResult, params: SearchParams, model: EmbeddingModel, bands: SimilarityBands,
        queryTermCount: Int, semanticCandidates: Int, keywordCandidates: Int
    ) -> Explanation {
        let band = bands.band(for: row.similarity)
        let f3 = { (value: Double) in String(format: "%.3f", value) }
        var summary = "\(band.prefix(1).uppercased() + band.dropFirst())"
        if !row.similarity.isNaN {
            summary +=
                " (similarity \(f3(row.similarity)); \(bands.note): ≥\(String(format: "%.2f", bands.highlyRelevant)) highly relevant, ≥\(String(format: "%.2f", bands.relevant)) relevant, ≥\(String(format: "%.2f", bands.somewhatRelevant)) somewhat)."
        } else {
            summary += " (no \(model.name) vector stored for it)."
        }
        var details: [String] = []
        if !row.similarity.isNaN {
            let source =
                row.matchedContentType == .chunk
                ? "a chunk of its content"
                : row.matchedContentType == .summary ? "its title and description" : "its full text"
            var line =
                "Semantic: cosine similarity \(f3(row.similarity)) (distance \(f3(row.cosineDistance))) on \(source)"
            if let rank = row.semanticRank { line += ", semantic rank \(rank)" }
            details.append(line + ".")
        }
        if let score = row.keywordScore, score > 0 {
            let shown = row.matchedTerms.prefix(12).joined(separator: ", ")
            var line =
                "Keyword: matches \(row.matchedTerms.count) of the query's \(queryTermCount) key terms (\(shown)\(row.matchedTerms.count > 12 ? ", …" : "")); ts_rank_cd \(f3(score))"
            if let rank = row.keywordRank { line += ", keyword rank \(rank)" }
            details.append(line + ".")
        } else if params.method != .semantic || queryTermCount > 0 {
            details.append("Keyword: none of the query's terms appear in it.")
        }
        if let passage = bestPassage(row) {
            details.append("Best match: “\(passage)”")
        }
        switch params.method {
        case .semantic:
            details.append(
                "Ranked #\(row.rank) by \(params.metric.label) distance (\(f3(row.distance(for: params.metric)))).")
        case .keyword:
            details.append("Ranked #\(row.rank) by keyword score.")
        case .hybrid:
            switch params.fusion {
            case .rrf(let k):
                let s = row.semanticRank.map { "1/(\(k)+\($0))" } ?? "0"
                let kw = row.keywordRank.map { "1/(\(k)+\($0))" } ?? "0"
                details.append(
                    "Ranked #\(row.rank) by reciprocal rank fusion: \(s) + \(kw), normalised to \(f3(row.relevanceScore))."
                )
            case .weighted(let alpha):
                details.append(
                    "Ranked #\(row.rank) by \(String(format: "%.2f", alpha)) × similarity + \(String(format: "%.2f", 1 - alpha)) × keyword = \(f3(row.relevanceScore))."
                )
            }
        }
        if model.provider != .synthetic, !row.similarity.isNaN {
            details.append(
                "Its vectors are unit length, so cosine, L2 (\(f3(row.l2Distance)) = √(2 × \(f3(row.cosineDistance)))) and inner product (\(f3(row.innerProduct))) order results the same way."
            )
        }
        return Explanation(band: band, summary: summary, details: details)
    }

    /// The best chunk when chunks are embedded; else the sentence with the most matched terms.
    static func bestPassage(_ row: SearchResult, limit: Int = 220) -> String? {
        func clip(_ text: String) -> String {
            let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
        }
        if let chunk = row.bestChunk, row.content.count > 0,
            chunk.count < (row.title + row.description + row.content).count
        {
            return clip(chunk)
        }
        guard !row.matchedTerms.isEmpty else { return nil }
        let sentences = (row.description + " " + row.content).split(whereSeparator: { ".!?\n".contains($0) })
        let terms = row.matchedTerms.map { $0.lowercased() }
        let best = sentences.max { a, b in
            terms.filter { a.lowercased().contains($0) }.count < terms.filter { b.lowercased().contains($0) }.count
        }
        return best.map { clip($0.trimmingCharacters(in: .whitespaces)) }
    }
}
