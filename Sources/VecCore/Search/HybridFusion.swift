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
            var keywordTerms: [KeywordTerm] = []
            for (lexeme, part) in zip(score.matchedLexemes, score.contributions) {
                let word = wordsByLexeme[lexeme] ?? lexeme
                if let index = keywordTerms.firstIndex(where: { $0.term == word }) {
                    keywordTerms[index].contribution += part
                } else {
                    keywordTerms.append(KeywordTerm(term: word, contribution: part))
                }
            }
            rows[id] = SearchResult(
                artifactID: id, externalID: score.externalID, userExternalID: score.userExternalID,
                userName: score.userName,
                title: score.title, type: score.type, description: score.description, content: score.content, rank: 0,
                cosineDistance: cosine, similarity: 1 - cosine, l2Distance: l2, innerProduct: ip,
                keywordScore: score.keywordScore, relevanceScore: 0, semanticRank: nil, keywordRank: nil,
                matchedContentType: matched, bestChunk: score.bestChunk, matchedTerms: keywordTerms.map(\.term),
                explanation: Explanation(band: "", summary: "", details: []), keywordTerms: keywordTerms)
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
            let fused = params.fusion.order(
                rows.values.map {
                    FusionInput(
                        artifactID: $0.artifactID, semanticRank: $0.semanticRank, keywordRank: $0.keywordRank,
                        similarity: $0.similarity, keywordScore: $0.keywordScore ?? 0)
                })
            ordered = fused.compactMap { item in
                rows[item.artifactID].map {
                    var row = $0
                    row.relevanceScore = item.score
                    return row
                }
            }
        }
        if let threshold = params.similarityThreshold {
            ordered = ordered.filter { !$0.similarity.isNaN && $0.similarity >= threshold }
        }
        ordered = Array(ordered.prefix(params.limit))
        let bands = SimilarityBands.forModel(plan.model)
        let queryTermCount = wordsByLexeme.keys.filter { $0.contains(where: \.isLetter) }.count
        for index in ordered.indices {
            ordered[index].rank = index + 1
            ordered[index].explanation = ExplanationBuilder.explain(
                ordered[index], params: params, model: plan.model, bands: bands, queryTermCount: queryTermCount,
                semanticCandidates: semantic.count, keywordCandidates: keyword.count)
        }
        return ordered
    }
}

/// One artifact as fusion sees it: its rank under each signal (nil: not among that signal's candidates), its
/// cosine similarity and its BM25 score.
public struct FusionInput: Sendable, Equatable {
    public var artifactID: Int
    public var semanticRank: Int?
    public var keywordRank: Int?
    public var similarity: Double
    public var keywordScore: Double

    public init(artifactID: Int, semanticRank: Int?, keywordRank: Int?, similarity: Double, keywordScore: Double) {
        self.artifactID = artifactID
        self.semanticRank = semanticRank
        self.keywordRank = keywordRank
        self.similarity = similarity
        self.keywordScore = keywordScore
    }
}

extension HybridFusion {
    /// RRF normalised by its maximum (both signals rank 1) to 0…1, or the weighted sum of similarity and the BM25
    /// score divided by the best BM25 score among the candidates (BM25 has no fixed scale).
    public func score(_ input: FusionInput, bestKeywordScore: Double) -> Double {
        switch self {
        case .rrf(let k):
            let semantic = input.semanticRank.map { 1 / Double(k + $0) } ?? 0
            let keyword = input.keywordRank.map { 1 / Double(k + $0) } ?? 0
            return (semantic + keyword) / (2 / Double(k + 1))
        case .weighted(let alpha):
            let similarity = input.similarity.isNaN ? 0 : max(0, input.similarity)
            let keyword = bestKeywordScore > 0 ? input.keywordScore / bestKeywordScore : 0
            return alpha * similarity + (1 - alpha) * keyword
        }
    }

    /// The candidates best first, each with its fused score; ties go to the higher similarity, then the lower id.
    /// The search path and `tune fusion` both order through here, so a tuned setting ranks as it was measured.
    public func order(_ inputs: [FusionInput]) -> [(artifactID: Int, score: Double)] {
        let best = inputs.map(\.keywordScore).max() ?? 0
        return inputs.map { (input: $0, score: score($0, bestKeywordScore: best)) }
            .sorted {
                ($0.score, $0.input.similarity.isNaN ? -2 : $0.input.similarity, -$0.input.artifactID)
                    > ($1.score, $1.input.similarity.isNaN ? -2 : $1.input.similarity, -$1.input.artifactID)
            }
            .map { (artifactID: $0.input.artifactID, score: $0.score) }
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
        let f3 = { (value: Double) in value.fixed(3) }
        var summary = "\(band.prefix(1).uppercased() + band.dropFirst())"
        if !row.similarity.isNaN {
            summary +=
                " (similarity \(f3(row.similarity)); \(bands.note): ≥\(bands.highlyRelevant.fixed(2)) highly relevant, ≥\(bands.relevant.fixed(2)) relevant, ≥\(bands.somewhatRelevant.fixed(2)) somewhat)."
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
            let shown = row.keywordTerms.prefix(12).map { "\($0.term) \(f3($0.contribution))" }.joined(separator: ", ")
            let more = row.keywordTerms.count > 12 ? ", …" : ""
            var line =
                "Keyword: BM25 \(f3(score)) from \(row.keywordTerms.count) of the query's \(Self.termsKept(queryTermCount, params.bm25)) (\(shown)\(more))"
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
                    "Ranked #\(row.rank) by \(alpha.fixed(2)) × similarity + \((1 - alpha).fixed(2)) × BM25 / best BM25 = \(f3(row.relevanceScore))."
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

    /// "12 terms", or "256 rarest terms (of 300)" when BM25's term cap (by IDF) dropped the commonest.
    static func termsKept(_ count: Int, _ bm25: BM25Parameters) -> String {
        count > bm25.maxTerms ? "\(bm25.maxTerms) rarest terms (of \(count))" : "\(count) terms"
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
