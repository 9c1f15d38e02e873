import Foundation

extension SearchEngine {
    /// A keyword or hybrid search of words whose candidates are not kept: with `keywordIndexes`, its terms and
    /// the corpus version are read in one round trip (`BM25SQL.terms`), the candidates scored in memory
    /// (`KeywordIndex`) and kept as an earlier search's would be, so the search statement takes them as values. The
    /// search statement checks that version again. Without a current index nothing is done: the statement scores them.
    func keepKeywordCandidatesFromIndex(_ plan: SearchPlan) throws {
        guard keywordIndexes != nil, plan.params.method != .semantic, !plan.queryText.isEmpty else { return }
        let key = keywordCacheKey(plan)
        guard keywordCandidateCache[key] == nil, var index = try currentKeywordIndex() else { return }
        // Prepared: planning it cost more than running it (a job text's terms are a few hundred index probes).
        let statement = BM25SQL(queryText: plan.queryText, parameters: plan.params.bm25).terms
        let rows = try connection.queryPrepared(statement).rows
        guard let first = rows.first else { return }
        let version: String = try first.decode("version")
        latestCorpusVersion = version
        if version != index.version {
            guard let reloaded = try currentKeywordIndex(), reloaded.version == version else { return }
            index = reloaded
        }
        var terms: [KeywordIndex.Term] = []
        for row in rows {
            guard let lexeme = try row.decode("lexeme", as: String?.self) else { continue }
            terms.append(
                KeywordIndex.Term(lexeme: lexeme, idf: try row.decode("idf"), selects: try row.decode("in_query")))
        }
        let filter = KeywordIndex.Filter(
            userID: plan.userRowID, types: Set(plan.params.artifactTypes.map(\.rawValue)),
            ids: plan.restrictTo.map(Set.init), excluding: plan.excluding)
        let read = KeywordIndex.QueryTerms(terms: terms, avgdl: try first.decode("avgdl"))
        let (best, matching) = index.candidates(
            for: index.query(read, parameters: plan.params.bm25), filter: filter, limit: keywordFetch(plan.params))
        if plan.params.method == .keyword {
            candidateCounts[candidateCountKey(plan)] = (matching, Date())  // what its count statement would count
        }
        keywordCandidateCache[key] = KeywordCandidates(
            ids: best.map(\.id), scores: best.map(\.score), corpusVersion: version, terms: read)
    }

    /// The query for scoring the search statement's rows in memory: kept candidates read with their terms, and the
    /// index they were scored with still loaded (the statement's version check covers both).
    func keywordsInMemory(_ plan: SearchPlan, kept: KeywordCandidates?) -> KeywordIndex.Query? {
        guard let kept, let terms = kept.terms, let index = keywordIndex, index.version == kept.corpusVersion else {
            return nil
        }
        return index.query(terms, parameters: plan.params.bm25)
    }

    /// The store's keyword index when it is current, or read now (the first time, or outdated and read longer than
    /// `keywordIndexReloadInterval` ago); nil when outdated and read too recently, or without a store.
    func currentKeywordIndex() throws -> KeywordIndex? {
        guard let keywordIndexes else { return nil }
        let index = try keywordIndexes.current(version: latestCorpusVersion, reloadInterval: keywordIndexReloadInterval)
        {
            let index = try KeywordIndex.load(on: connection)
            logger.info(
                "keyword index read: \(index.documentCount) artifacts in \(Int(index.loadMs.rounded())) ms")
            return index
        }
        if let index {
            keywordIndex = index
            latestCorpusVersion = index.version
        }
        return index
    }
}

extension SearchEngine {
    /// The in-memory keyword index's artifacts and how long reading it took, once read.
    public var keywordIndexSummary: (artifacts: Int, loadMs: Double)? {
        keywordIndex.map { ($0.documentCount, $0.loadMs) }
    }
}
