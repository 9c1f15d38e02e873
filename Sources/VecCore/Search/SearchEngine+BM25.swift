import Foundation

/// Okapi BM25 computed in PostgreSQL from the `artifacts.search` tsvector (A title, B skills, C description,
/// D content), each row's `field_tokens`, and the corpus statistics migration 3 keeps (`bm25_lexemes`,
/// `bm25_corpus`). For each query term t kept and artifact d:
///
///     idf(t) = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))
///     tf(t, d) = Σ_field weight(field) × occurrences of t in the field
///     dl(d) = Σ_field weight(field) × tokens in the field;  avgdl over the corpus likewise
///     score(d) = Σ_t idf(t) × tf × (k1 + 1) / (tf + k1 × (1 − b + b × dl / avgdl))
///
/// Query terms are the job text's distinct lexemes that contain a letter (to_tsvector drops stop words; numbers
/// such as "000" carry no meaning) and occur in the corpus, at most `maxTerms` of them by IDF.
struct BM25SQL {
    /// `bm25_stats`, `bm25_terms` (lexeme, idf, in_query: whether the term selects candidates) and `bm25_query`
    /// (the selecting terms OR'ed, for the GIN index), after WITH.
    var ctes: PostgresQuery
    /// The corpus statistics' version, avgdl and the terms (a row of NULL terms when there is none), for
    /// `KeywordIndex` to score the candidates in memory.
    var terms: PostgresQuery
    /// `LATERAL (…) kw` over the row `a`: kw.score, kw.lexemes and kw.parts (each term's contribution, largest first).
    var lateral: PostgresQuery

    /// With `knownTerms` (read by `terms` under the same corpus version), `bm25_terms` is those values: the text is
    /// not parsed and stemmed again.
    init(queryText: String, parameters p: BM25Parameters, knownTerms: [KeywordIndex.Term]? = nil) {
        let k1 = PostgresParameter(p.k1)
        let b = PostgresParameter(p.b)
        let title = PostgresParameter(p.titleWeight)
        let skills = PostgresParameter(p.skillsWeight)
        let description = PostgresParameter(p.descriptionWeight)
        let content = PostgresParameter(p.contentWeight)
        ctes = """
            bm25_stats AS (
                SELECT c.documents::float8 AS n,
                       greatest((\(title)::float8 * c.title_tokens + \(skills)::float8 * c.skills_tokens
                                 + \(description)::float8 * c.description_tokens
                                 + \(content)::float8 * c.content_tokens) / greatest(c.documents, 1), 1e-9) AS avgdl
                FROM bm25_corpus c),
            bm25_terms AS (\(Self.termsQuery(queryText: queryText, parameters: p, known: knownTerms))),
            bm25_query AS (
                -- Cast, not to_tsquery: the lexemes as stored, never parsed again ('foo-bar' would become a phrase).
                SELECT string_agg(quote_literal(t.lexeme), ' | ')::tsquery AS query FROM bm25_terms t WHERE t.in_query)
            """
        terms = """
            WITH \(ctes)
            SELECT \(sql: SearchEngine.corpusVersion) AS version, s.avgdl, t.lexeme, t.idf, t.in_query
            FROM bm25_stats s LEFT JOIN bm25_terms t ON true
            """
        lateral = """
            LATERAL (
                SELECT coalesce(sum(x.part), 0)::float8 AS score,
                       coalesce(array_agg(x.lexeme ORDER BY x.part DESC, x.lexeme COLLATE "C"), '{}') AS lexemes,
                       coalesce(array_agg(x.part::float8 ORDER BY x.part DESC, x.lexeme COLLATE "C"), '{}') AS parts
                FROM (SELECT t.lexeme,
                             t.idf * f.tf * (\(k1)::float8 + 1)
                             / (f.tf + \(k1)::float8 * (1 - \(b)::float8 + \(b)::float8 * (
                                   \(title)::float8 * a.field_tokens[1] + \(skills)::float8 * a.field_tokens[2]
                                   + \(description)::float8 * a.field_tokens[3]
                                   + \(content)::float8 * a.field_tokens[4]) / s.avgdl)) AS part
                      FROM unnest(a.search) u
                      JOIN bm25_terms t ON t.lexeme = u.lexeme
                      CROSS JOIN bm25_stats s
                      CROSS JOIN LATERAL (
                          SELECT sum(CASE w WHEN 'A' THEN \(title)::float8 WHEN 'B' THEN \(skills)::float8
                                            WHEN 'C' THEN \(description)::float8 ELSE \(content)::float8 END) AS tf
                          FROM unnest(u.weights) w) f
                      WHERE f.tf > 0) x) kw
            """
    }

    /// The query's terms: (lexeme, idf, in_query) from the text and the corpus statistics, or the known values.
    private static func termsQuery(
        queryText: String, parameters p: BM25Parameters, known: [KeywordIndex.Term]?
    )
        -> PostgresQuery
    {
        if let known {
            return """
                SELECT k.lexeme, k.idf, k.in_query
                FROM unnest(\(known.map(\.lexeme))::text[], \(known.map { "\($0.idf)" })::text[]::float8[],
                            \(known.map { $0.selects ? "t" : "f" })::text[]::bool[]) k(lexeme, idf, in_query)
                """
        }
        return """
            SELECT k.lexeme, k.idf, k.postings_so_far - k.documents < \(p.candidatePostings)::int8 AS in_query
            FROM (SELECT l.lexeme, l.documents, ln(1 + (s.n - l.documents + 0.5) / (l.documents + 0.5)) AS idf,
                         sum(l.documents) OVER (ORDER BY l.documents, l.lexeme) AS postings_so_far
                  FROM (SELECT DISTINCT t.lexeme FROM unnest(to_tsvector('english', \(queryText)::text)) t
                        WHERE t.lexeme ~ '[[:alpha:]]') q
                  JOIN bm25_lexemes l ON l.lexeme = q.lexeme AND l.documents > 0
                  CROSS JOIN bm25_stats s
                  ORDER BY idf DESC, l.lexeme LIMIT \(p.maxTerms)::int8) k
            """
    }
}

/// One query term's share of an artifact's BM25 score, for explanations a reviewer can add up.
public struct KeywordTerm: Sendable, Equatable, Codable {
    /// The word as the query spelled it ("kubernetes"), or the lexeme when no typed word maps to it.
    public var term: String
    public var contribution: Double

    public init(term: String, contribution: Double) {
        self.term = term
        self.contribution = contribution
    }
}
