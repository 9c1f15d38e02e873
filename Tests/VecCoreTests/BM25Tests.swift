import Foundation
import TestSupport
import Testing

@testable import VecCore

/// Okapi BM25 in PostgreSQL: scores against a hand computation, statistics kept by the triggers, and the same
/// ordering as a plain Swift BM25 over the database's own lexemes for every fixture job.
@Suite("BM25 in PostgreSQL", .serialized)
struct BM25Tests {
    /// Three artifacts small enough to score by hand. Lexemes (english): "Postgres" → postgr, "replication" →
    /// replic, "tuning" → tune, "streams" → stream, "tomatoes" → tomato, "gardening" → garden.
    static func tinyCorpus() throws -> (SearchEngine, Connection) {
        let (connection, _) = try TestDatabase.fresh()
        let lines = [
            #"{"id": "d1", "user": "u1", "artifact_type": "project", "title": "Postgres tuning", "content": "postgres replication"}"#,
            #"{"id": "d2", "user": "u1", "artifact_type": "project", "title": "Kafka streams", "content": "kafka kafka postgres"}"#,
            #"{"id": "d3", "user": "u2", "artifact_type": "talk", "title": "Gardening", "content": "tomatoes"}"#,
        ]
        let file = try TestDatabase.scratchDirectory("bm25").appendingPathComponent("tiny.jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        _ = try ArtifactLoader(connection: connection).load(file: file)
        return (SearchEngine(connection: connection, makeEmbedder: { _ in UnitEmbedder() }), connection)
    }

    static func keywordScores(
        _ engine: SearchEngine, _ query: String, bm25: BM25Parameters = BM25Parameters()
    )
        throws -> [String: Double]
    {
        var params = SearchParams()
        params.bm25 = bm25
        let response = try engine.rank(jobDescription: query, method: .keyword, topK: 10, params: params)
        return Dictionary(uniqueKeysWithValues: response.results.map { ($0.externalID, $0.keywordScore ?? .nan) })
    }

    @Test func scoresEqualAHandComputation() throws {
        let (engine, _) = try Self.tinyCorpus()
        let scores = try Self.keywordScores(engine, "Postgres replication, and the 2024 roadmap")
        // N 3; lengths 4, 5, 2 (avgdl 11/3); df(postgr) 2, df(replic) 1. "2024" and stop words are no terms.
        let (k1, b, avgdl) = (1.2, 0.75, 11.0 / 3)
        func part(_ idf: Double, tf: Double, dl: Double) -> Double {
            idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
        }
        let idfPostgres = log(1 + (3 - 2 + 0.5) / (2 + 0.5))
        let idfReplication = log(1 + (3 - 1 + 0.5) / (1 + 0.5))
        let d1 = part(idfPostgres, tf: 2, dl: 4) + part(idfReplication, tf: 1, dl: 4)
        let d2 = part(idfPostgres, tf: 1, dl: 5)
        #expect(scores.count == 2, "d3 has no query term and is not a candidate")
        #expect(abs((scores["d1"] ?? 0) - d1) < 1e-9)
        #expect(abs((scores["d2"] ?? 0) - d2) < 1e-9)
    }

    @Test func fieldWeightsScaleTermFrequencyAndLength() throws {
        let (engine, _) = try Self.tinyCorpus()
        var bm25 = BM25Parameters()
        bm25.titleWeight = 2
        let scores = try Self.keywordScores(engine, "postgres", bm25: bm25)
        // Title tokens count twice: lengths 2·2+2 = 6, 2·2+3 = 7, 2·1+1 = 3 (avgdl 16/3); tf in d1 = 2·1 + 1 = 3.
        let (k1, b, avgdl) = (1.2, 0.75, 16.0 / 3)
        let idf = log(1 + (3 - 2 + 0.5) / (2 + 0.5))
        func part(tf: Double, dl: Double) -> Double { idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)) }
        #expect(abs((scores["d1"] ?? 0) - part(tf: 3, dl: 6)) < 1e-9)
        #expect(abs((scores["d2"] ?? 0) - part(tf: 1, dl: 7)) < 1e-9)
    }

    @Test func explanationsListContributionsThatAddUp() throws {
        let (engine, _) = try Self.tinyCorpus()
        let response = try engine.rank(jobDescription: "Postgres replication 000", method: .keyword, topK: 3)
        let best = try #require(response.results.first)
        #expect(best.externalID == "d1")
        #expect(best.keywordTerms.map(\.term) == ["replication", "postgres"], "largest contribution first")
        #expect(abs(best.keywordTerms.map(\.contribution).reduce(0, +) - (best.keywordScore ?? 0)) < 1e-9)
        #expect(best.matchedTerms == ["replication", "postgres"])
        let text = best.explanation.text
        #expect(text.contains("BM25"))
        #expect(text.contains("replication 0."))
        #expect(!text.contains("000"))
    }

    /// The triggers keep bm25_lexemes and bm25_corpus equal to a recount after inserts, updates and deletes.
    @Test func statisticsFollowEveryWrite() throws {
        let (_, connection) = try Self.tinyCorpus()
        func expectMatchesRecount(_ step: String) throws {
            let drift = try connection.query(
                """
                WITH truth AS (SELECT t.lexeme, count(*) AS documents FROM artifacts a, unnest(a.search) t
                               GROUP BY t.lexeme)
                SELECT count(*) FROM truth FULL JOIN (SELECT * FROM bm25_lexemes WHERE documents > 0) kept
                     USING (lexeme)
                WHERE truth.documents IS DISTINCT FROM kept.documents
                """
            ).scalar(Int.self)
            #expect(drift == 0, "\(step): document frequencies drifted")
            let corpus = try connection.query(
                """
                SELECT (SELECT documents FROM bm25_corpus) = count(*)
                   AND (SELECT title_tokens + skills_tokens + description_tokens + content_tokens FROM bm25_corpus)
                       = coalesce(sum(field_tokens[1] + field_tokens[2] + field_tokens[3] + field_tokens[4]), 0)
                FROM artifacts
                """
            ).scalar(Bool.self)
            #expect(corpus == true, "\(step): corpus totals drifted")
        }
        try expectMatchesRecount("load")
        try connection.execute("UPDATE artifacts SET content = 'postgres postgres tomatoes' WHERE external_id = 'd3'")
        try expectMatchesRecount("update")
        try connection.execute("UPDATE artifacts SET skills = ARRAY['Kubernetes', 'Go'] WHERE external_id = 'd1'")
        try expectMatchesRecount("skills")
        try connection.execute("DELETE FROM artifacts WHERE external_id = 'd2'")
        try expectMatchesRecount("delete")
        try connection.execute("DELETE FROM users WHERE external_id = 'u2'")
        try expectMatchesRecount("cascade")
        try connection.execute("TRUNCATE artifacts CASCADE")
        try expectMatchesRecount("truncate")
        #expect(try connection.query("SELECT documents FROM bm25_corpus").scalar(Int.self) == 0)
    }

    /// Every fixture job ranked by the SQL keyword method and by a plain Swift BM25 over the same lexemes, term
    /// frequencies and lengths read from the database: the same scores, so the same order.
    @Test func sqlMatchesASwiftBM25OnEveryFixtureJob() throws {
        let (engine, connection) = try FixtureDatabase.engine()
        struct Doc {
            var externalID: String
            var tf: [String: Double]
            var length: Double
        }
        var docs: [Doc] = []
        for row in try connection.query(
            """
            SELECT a.external_id, a.field_tokens, array_agg(t.lexeme) AS lexemes,
                   array_agg(coalesce(array_length(t.positions, 1), 0)) AS tfs
            FROM artifacts a, unnest(a.search) t GROUP BY a.id
            """
        ).rows {
            let lexemes: [String] = try row.decode("lexemes")
            let tfs: [Int] = try row.decode("tfs")
            let fields: [Int] = try row.decode("field_tokens")
            docs.append(
                Doc(
                    externalID: try row.decode("external_id"),
                    tf: Dictionary(uniqueKeysWithValues: zip(lexemes, tfs.map(Double.init))),
                    length: Double(fields.reduce(0, +))))
        }
        let n = Double(docs.count)
        let avgdl = docs.map(\.length).reduce(0, +) / n
        var df: [String: Double] = [:]
        for doc in docs { for lexeme in doc.tf.keys { df[lexeme, default: 0] += 1 } }
        let jobs = try JobCatalog.load(from: FixturePaths.folder).jobs
        #expect(jobs.count >= 8)
        for job in jobs {
            let terms: [String] = try connection.query(
                """
                SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', \(job.text)::text)) WHERE lexeme ~ '[[:alpha:]]'
                """
            ).rows.map { try $0.decode(0) }
            var expected: [(String, Double)] = []
            for doc in docs {
                var score = 0.0
                for term in terms {
                    guard let tf = doc.tf[term], let d = df[term] else { continue }
                    let idf = log(1 + (n - d + 0.5) / (d + 0.5))
                    score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * doc.length / avgdl))
                }
                if score > 0 { expected.append((doc.externalID, score)) }
            }
            expected.sort { ($0.1, $1.0) > ($1.1, $0.0) }
            var exhaustive = SearchParams()
            exhaustive.bm25.candidatePostings = 1_000_000
            let response = try engine.rank(
                jobDescription: job.text, method: .keyword, topK: 1000, params: exhaustive)
            // Candidates from the rarest terms only (the default) keep the top of the ranking.
            let pruned = try engine.rank(jobDescription: job.text, method: .keyword, topK: 10)
            #expect(pruned.results.map(\.externalID) == Array(expected.prefix(10).map(\.0)), "\(job.id): pruned top 10")
            let actual = response.results.map { ($0.externalID, $0.keywordScore ?? .nan) }
            #expect(actual.count == expected.count, "\(job.id): candidates")
            for ((id, score), (expectedID, expectedScore)) in zip(actual, expected) {
                #expect(
                    abs(score - expectedScore) < 1e-9, "\(job.id): \(id) \(score) vs \(expectedID) \(expectedScore)")
            }
            #expect(actual.prefix(20).map(\.0) == expected.prefix(20).map(\.0), "\(job.id): order")
        }
    }
}

/// An embedder for keyword-only tests: every text gets the same unit vector.
final class UnitEmbedder: Embedder, @unchecked Sendable {
    var modelName: String { ModelCatalog.miniLM.name }
    var dimensions: Int { 384 }
    var maxInputTokens: Int { 256 }
    func embed(_ texts: [String]) throws -> [[Float]] {
        texts.map { _ in [1] + [Float](repeating: 0, count: 383) }
    }
}
