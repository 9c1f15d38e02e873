import Foundation
import TestSupport
import Testing

@testable import VecCore

/// Search against the shipped fixtures embedded by the real MiniLM, in the real PostgreSQL + pgvector.
@Suite struct SearchEngineTests {
    let engine: SearchEngine
    let connection: Connection

    init() throws {
        (engine, connection) = try FixtureDatabase.engine()
    }

    private func params(_ configure: (inout SearchParams) -> Void = { _ in }) -> SearchParams {
        var params = SearchParams()
        configure(&params)
        return params
    }

    @Test func semanticResultsCarryAllThreeConsistentScores() throws {
        let response = try engine.search(
            text: "Kubernetes platform engineering with Terraform on AWS", params: params())
        #expect(response.results.count == 10)
        #expect(response.info.rowsReturned == 10 && response.info.limit == 10)
        #expect(response.info.totalCandidates == 252)
        let distances = response.results.map(\.cosineDistance)
        #expect(distances == distances.sorted())
        for result in response.results {
            #expect(abs(result.similarity - (1 - result.cosineDistance)) < 1e-9)
            // MiniLM vectors are unit length: L2² = 2 × cosine distance, inner product = similarity.
            #expect(abs(result.l2Distance * result.l2Distance - 2 * result.cosineDistance) < 1e-4)
            #expect(abs(result.innerProduct - result.similarity) < 1e-4)
            #expect(result.relevanceScore == result.similarity)
            #expect(!result.explanation.summary.isEmpty)
        }
        // Jonas (u04) is the platform engineer: his work leads.
        #expect(response.results.prefix(3).filter { $0.userExternalID == "u04" }.count >= 2)
        #expect(response.results.map(\.rank) == Array(1...10))
    }

    /// The best stored text a result shows comes from the ANN statement's own rows for a cosine search, and from a
    /// lookup by artifact otherwise (another metric, a keyword candidate): both must name the same text and distances.
    @Test func theBestTextFromTheANNRowsIsTheOneALookupFinds() throws {
        let text = "Kubernetes platform engineering with Terraform on AWS"
        for method in [RankingMethod.semantic, .hybrid] {
            let fromANN = try engine.search(
                text: text,
                params: params {
                    $0.method = method; $0.plan = .exact; $0.limit = 20; $0.contentTypes = [.full, .summary]
                })
            let lookedUp = try engine.search(
                text: text,
                params: params {
                    $0.method = method; $0.plan = .exact; $0.limit = 20; $0.contentTypes = [.full, .summary];
                    $0.metric = .l2
                })
            let byID = Dictionary(uniqueKeysWithValues: lookedUp.results.map { ($0.externalID, $0) })
            var compared = 0
            for result in fromANN.results {
                guard let other = byID[result.externalID] else { continue }
                compared += 1
                #expect(result.matchedContentType == other.matchedContentType, "\(method) \(result.externalID)")
                #expect(abs(result.cosineDistance - other.cosineDistance) < 1e-9)
                #expect(abs(result.l2Distance - other.l2Distance) < 1e-9)
                #expect(abs(result.innerProduct - other.innerProduct) < 1e-9)
            }
            #expect(compared >= 15, "\(method): \(compared) results in common")
        }
    }

    /// A cosine search over whole texts joins the ANN rows to their artifacts as they are; another metric looks each
    /// candidate's best text up. Same texts, same distances, same best chunk.
    @Test func theANNRowsAsCandidatesCarryWhatALookupFinds() throws {
        let text = "Kubernetes platform engineering with Terraform on AWS"
        let fromANN = try engine.search(
            text: text,
            params: params {
                $0.plan = .exact; $0.limit = 20
            })
        #expect(engine.annRowsAreCandidates(params { $0.plan = .exact }))
        let lookedUp = try engine.search(
            text: text,
            params: params {
                $0.plan = .exact; $0.limit = 20; $0.metric = .l2
            })
        #expect(fromANN.results.map(\.externalID) == lookedUp.results.map(\.externalID))
        for (result, other) in zip(fromANN.results, lookedUp.results) {
            #expect(result.matchedContentType == other.matchedContentType)
            #expect(abs(result.cosineDistance - other.cosineDistance) < 1e-9)
            #expect(abs(result.l2Distance - other.l2Distance) < 1e-9)
            #expect(abs(result.innerProduct - other.innerProduct) < 1e-9)
            #expect(result.bestChunk == other.bestChunk)
            #expect(result.keywordScore == other.keywordScore && result.matchedTerms == other.matchedTerms)
        }
        #expect(fromANN.results.contains { $0.bestChunk != nil })
    }

    /// The search statement is built once per shape and rebound to each query vector: a second vector's results are
    /// its own, as a fresh engine finds them.
    @Test func aStatementBuiltForOneVectorIsSentWithTheNext() throws {
        let vectors = try connection.query(
            "SELECT embedding_vector FROM artifact_embeddings WHERE content_type = 'full' ORDER BY artifact_id LIMIT 3"
        ).rows.map { try $0.decode("embedding_vector", as: Vector.self).values }
        var seen: Set<[String]> = []
        for vector in vectors {
            let rebound = try engine.search(.vector(vector), params: params()).results.map(\.externalID)
            let built = try FixtureDatabase.engine().0.search(.vector(vector), params: params())
            #expect(rebound == built.results.map(\.externalID))
            #expect(rebound.first.map { !$0.isEmpty } == true)
            seen.insert(rebound)
        }
        #expect(seen.count == vectors.count)
    }

    @Test func theThreeMetricsOrderUnitVectorsTheSameWay() throws {
        let text = "clinical trial statistics and epidemiology in R"
        let cosine = try engine.search(text: text, params: params()).results.map(\.externalID)
        let l2 = try engine.search(text: text, params: params { $0.metric = .l2 }).results.map(\.externalID)
        let ip = try engine.search(text: text, params: params { $0.metric = .innerProduct }).results.map(\.externalID)
        #expect(cosine == l2)
        #expect(cosine == ip)
    }

    @Test func thresholdUserAndTypeFiltersApply() throws {
        let thresholded = try engine.search(
            text: "single-cell RNA-seq pipelines",
            params: params {
                $0.similarityThreshold = 0.4; $0.limit = 50
            })
        #expect(!thresholded.results.isEmpty)
        #expect(thresholded.results.allSatisfy { $0.similarity >= 0.4 })
        #expect(thresholded.results.count < 50)

        let scoped = try engine.search(
            text: "security",
            params: params {
                $0.userScope = .user("u08"); $0.artifactTypes = [.certification]
            })
        #expect(!scoped.results.isEmpty)
        #expect(scoped.results.allSatisfy { $0.userExternalID == "u08" && $0.type == .certification })
        #expect(scoped.info.totalCandidates == scoped.results.count || scoped.info.totalCandidates > 0)
    }

    @Test func theHNSWIndexServesTheQueryAndEfSearchLimitsRowsUntilIterativeScan() throws {
        // 500 rows are cheaper to sort than to walk a graph; at this size the planner needs a nudge to use HNSW.
        try connection.execute("SET enable_seqscan = off")
        try connection.execute("SET enable_sort = off")
        defer { _ = try? connection.execute("RESET ALL") }
        let text = "React accessibility design systems"
        let plain = try engine.search(text: text, params: params { $0.explain = true })
        #expect(plain.info.indexName == "ae_hnsw_cosine_all_minilm_l6_v2")
        #expect(plain.info.plan?.contains("Index Scan using ae_hnsw_cosine_all_minilm_l6_v2") == true)
        #expect(plain.info.serverExecutionMs.map { $0 > 0 } == true)

        // A filter the index cannot see (one user's talks) plus a small ef_search: the scan runs dry early.
        let starved = try engine.search(
            text: text,
            params: params {
                $0.efSearch = 10; $0.limit = 5; $0.userScope = .user("u05");
                $0.artifactTypes = [.talk, .award, .education]
            })
        #expect(starved.results.count < 5)
        let iterative = try engine.search(
            text: text,
            params: params {
                $0.efSearch = 10; $0.limit = 5; $0.userScope = .user("u05");
                $0.artifactTypes = [.talk, .award, .education]
                $0.iterativeScan = .relaxedOrder
            })
        #expect(iterative.results.count == 5)
        #expect(iterative.results.allSatisfy { $0.userExternalID == "u05" })
    }

    @Test func keywordSearchUsesTheGINIndexAndReportsMatchedTerms() throws {
        // 252 rows are cheaper to scan than to look up; forbid that to see the GIN index can serve the OR-query.
        try connection.execute("SET enable_seqscan = off")
        try connection.execute("SET enable_indexscan = off")
        defer { _ = try? connection.execute("RESET ALL") }
        let response = try engine.search(
            text: "Kafka PostgreSQL payments ledger",
            params: params {
                $0.method = .keyword; $0.explain = true
            })
        #expect(response.info.plan?.contains("artifacts_search_gin") == true, "plan: \(response.info.plan ?? "none")")
        let scores = response.results.map { $0.keywordScore ?? 0 }
        #expect(scores == scores.sorted(by: >))
        #expect(scores.allSatisfy { $0 > 0 }, "BM25 scores of matching artifacts")
        #expect(
            response.results.first?.matchedTerms.contains {
                ["kafka", "postgresql", "payments", "ledger"].contains($0)
            } == true)
        #expect(response.results.allSatisfy { $0.relevanceScore == $0.keywordScore })
    }

    @Test func hybridRRFScoresFollowTheFormula() throws {
        let job = try JobCatalog.load(from: FixturePaths.folder).job(id: "j02")
        let response = try engine.rank(
            jobDescription: job.text, method: .hybrid, topK: 10, params: params { $0.fusion = .rrf(k: 60) })
        #expect(response.results.count == 10)
        for result in response.results {
            let s = result.semanticRank.map { 1.0 / Double(60 + $0) } ?? 0
            let k = result.keywordRank.map { 1.0 / Double(60 + $0) } ?? 0
            #expect(abs(result.relevanceScore - (s + k) / (2.0 / 61)) < 1e-9)
            #expect(result.explanation.details.contains { $0.contains("reciprocal rank fusion") })
        }
        let scores = response.results.map(\.relevanceScore)
        #expect(scores == scores.sorted(by: >))
        let weighted = try engine.rank(
            jobDescription: job.text, method: .hybrid, topK: 5,
            params: params { $0.fusion = .weighted(alpha: 0.5) })
        // BM25 is divided by the best BM25 among the candidates: the keyword ranking's first.
        let best = try #require(
            try engine.rank(jobDescription: job.text, method: .keyword, topK: 1).results.first?.keywordScore)
        for result in weighted.results {
            let expected = 0.5 * result.similarity + 0.5 * (result.keywordScore ?? 0) / best
            #expect(abs(result.relevanceScore - expected) < 1e-9)
        }
    }

    @Test func rankingAgreesWithTheRecruitersJudgments() throws {
        // j01 (search relevance ML engineer): most of the semantic top 10 should be artifacts graded 2 or 3, and
        // hybrid's top 3 the ones graded 3.
        let judgments = try String(contentsOf: FixturePaths.file("judgments.tsv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
            .filter { $0.count == 3 && $0[0] == "j01" }
        let relevant = Set(judgments.filter { Int($0[2]).map { $0 >= 2 } ?? false }.map { $0[1] })
        #expect(relevant.count >= 5)
        let job = try JobCatalog.load(from: FixturePaths.folder).job(id: "j01")
        let top = try engine.rank(jobDescription: job.text, method: .semantic, topK: 10).results.map(\.externalID)
        let hits = top.filter(relevant.contains).count
        #expect(hits >= 6, "only \(hits) of the top 10 are judged relevant: \(top)")
        let best = Set(judgments.filter { $0[2] == "3" }.map { $0[1] })
        let hybridTop = try engine.rank(jobDescription: job.text, method: .hybrid, topK: 3).results.map(\.externalID)
        #expect(hybridTop.first.map(best.contains) == true, "\(hybridTop)")
        #expect(hybridTop.allSatisfy(relevant.contains), "\(hybridTop)")
    }

    @Test func rankCanBeRestrictedToArtifactIDs() throws {
        let response = try engine.rank(
            jobDescription: "payments backend in Go", artifacts: .externalIDs(["a021", "a022", "a101"]),
            method: .semantic, topK: 10
        )
        #expect(Set(response.results.map(\.externalID)) == ["a021", "a022", "a101"])
        let error = #expect(throws: VecscopeError.self) {
            try engine.rank(jobDescription: "x", artifacts: .externalIDs(["nope"]), method: .semantic, topK: 3)
        }
        #expect(error?.what.contains("nope") == true)
    }

    @Test func queryEmbeddingsAreCachedByHashAndModel() throws {
        let text = "cache me: mobile developer SwiftUI Kotlin \(UUID())"
        let first = try engine.search(text: text, params: params())
        let second = try engine.search(text: text, params: params())
        #expect(first.info.embeddingCached == false)
        #expect(second.info.embeddingCached == true)
        #expect(first.results.map(\.externalID) == second.results.map(\.externalID))
        let count = try connection.query(
            """
            SELECT access_count FROM job_embeddings WHERE job_description_hash = \(SHA256.hex(text))
            """
        ).scalar(Int.self)
        #expect(count == 2)
    }

    @Test func chunksAreSearchedAndAnArtifactAppearsOnce() throws {
        let response = try engine.search(
            text: "Kalman filter sensor fusion on a microcontroller",
            params: params {
                $0.contentTypes = [.full, .summary, .chunk]; $0.limit = 20
            })
        let ids = response.results.map(\.externalID)
        #expect(Set(ids).count == ids.count)
        #expect(response.results.contains { $0.matchedContentType == .chunk })
    }

    @Test func rawVectorQueriesAreDimensionChecked() throws {
        let vector = try FixtureDatabase.model().embed(["robotics firmware"])[0]
        let response = try engine.search(.vector(vector), params: params())
        #expect(response.results.count == 10)
        let error = #expect(throws: VecscopeError.self) { try engine.search(.vector([1, 2, 3]), params: params()) }
        #expect(error?.what == "the query vector has 3 dimensions, expected 384")
        // Issue 15 #7: an all-zero query vector gave NaN distances; NaN or ∞ are refused the same way.
        for bad in [
            [Float](repeating: 0, count: 384), [Float.nan] + vector.dropFirst(), [Float.infinity] + vector.dropFirst(),
        ] {
            let refused = #expect(throws: VecscopeError.self) { try engine.search(.vector(bad), params: params()) }
            #expect(refused?.what.hasPrefix("the query vector ") == true)
            #expect(throws: VecscopeError.self) { try engine.exactTopIDs(vector: bad, params: params(), k: 10) }
        }
    }

    @Test func invalidParametersAreRefusedWithTheirRange() throws {
        let badEf = #expect(throws: VecscopeError.self) {
            try engine.search(text: "x", params: params { $0.efSearch = 0 })
        }
        #expect(badEf?.fix?.contains("1…1000") == true)
        let badModel = #expect(throws: VecscopeError.self) {
            try engine.search(text: "x", params: params { $0.model = "nope" })
        }
        #expect(badModel?.what == "unknown model \"nope\"")
        #expect(badModel?.fix?.contains("all-MiniLM-L6-v2") == true)
        #expect(throws: VecscopeError.self) {
            try engine.search(text: "x", params: params { $0.similarityThreshold = 1.5 })
        }
        #expect(throws: VecscopeError.self) { try engine.search(text: "x", params: params { $0.probes = 0 }) }
        #expect(throws: VecscopeError.self) { try engine.search(text: "   ", params: params()) }
        #expect(throws: VecscopeError.self) { try ArtifactType.parseList("project,hobby") }
    }
}

@Suite struct PlanSummaryTests {
    @Test func picksTheVectorIndexScanAndExecutionTime() {
        let json =
            #"[{"Plan": {"Node Type": "Limit", "Plans": [{"Node Type": "Nested Loop", "Plans": [{"Node Type": "Index Scan", "Index Name": "ae_hnsw_cosine_m", "Relation Name": "artifact_embeddings"}, {"Node Type": "Index Scan", "Index Name": "artifacts_pkey", "Relation Name": "artifacts"}]}]}, "Execution Time": 1.25}]"#
        let summary = QueryPlan.parse(explainJSON: json)
        #expect(summary.scan == "Index Scan using ae_hnsw_cosine_m")
        #expect(summary.indexName == "ae_hnsw_cosine_m")
        #expect(summary.serverExecutionMs == 1.25)
        let seq = QueryPlan.parse(
            explainJSON:
                #"[{"Plan": {"Node Type": "Sort", "Plans": [{"Node Type": "Seq Scan", "Relation Name": "artifact_embeddings"}]}, "Execution Time": 3.0}]"#
        )
        #expect(seq.scan == "Seq Scan on artifact_embeddings")
        #expect(seq.indexName == nil)
    }

    @Test func bandsFollowTheModelCalibration() {
        let bands = SimilarityBands.sentenceModels
        #expect(bands.band(for: 0.65) == "highly relevant")
        #expect(bands.band(for: 0.5) == "relevant")
        #expect(bands.band(for: 0.35) == "somewhat relevant")
        #expect(bands.band(for: 0.1) == "limited relevance")
        #expect(SimilarityBands.featureSpec.band(for: 0.92) == "highly relevant")
        #expect(SimilarityBands.featureSpec.band(for: 0.59) == "limited relevance")
    }
}
