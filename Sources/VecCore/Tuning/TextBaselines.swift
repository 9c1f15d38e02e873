import Foundation

/// Keyword rankers written plainly in Swift over the same texts the database holds, so `vecscope eval` can show
/// where vecscope stands against textbook keyword search in the same run. They share nothing with the SQL path on
/// purpose: their own tokenizer, their own statistics.
public enum TextBaselines {
    /// One artifact as the baselines read it: title, description, content and skills, tokenized once.
    public struct Document: Sendable {
        public var artifactID: Int
        public var userExternalID: String
        public var terms: [String: Int]
        public var length: Int
    }

    /// Lowercased words (letters, digits, `+`, `#`), without English stop words or words with no letter, plurals
    /// folded to the singular ("databases" → "database", "queries" → "query").
    public static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var word = ""
        func flush() {
            defer { word = "" }
            guard word.contains(where: \.isLetter), !stopWords.contains(word) else { return }
            tokens.append(foldPlural(word))
        }
        for character in text.lowercased() {
            if character.isLetter || character.isNumber || character == "+" || character == "#" {
                word.append(character)
            } else {
                flush()
            }
        }
        flush()
        return tokens
    }

    static func foldPlural(_ word: String) -> String {
        if word.count > 4, word.hasSuffix("ies") { return String(word.dropLast(3)) + "y" }
        if word.count > 4, word.hasSuffix("sses") { return String(word.dropLast(2)) }
        if word.count > 3, word.hasSuffix("s"), !word.hasSuffix("ss"), !word.hasSuffix("us"), !word.hasSuffix("is") {
            return String(word.dropLast())
        }
        return word
    }

    public static func document(
        artifactID: Int, userExternalID: String, title: String, description: String, content: String,
        skills: [String]
    ) -> Document {
        let tokens = tokenize([title, description, content, skills.joined(separator: " ")].joined(separator: "\n"))
        var terms: [String: Int] = [:]
        for token in tokens { terms[token, default: 0] += 1 }
        return Document(artifactID: artifactID, userExternalID: userExternalID, terms: terms, length: tokens.count)
    }

    /// Document frequencies and average length of a corpus.
    public struct Statistics: Sendable {
        public var documents: Int
        public var averageLength: Double
        public var documentFrequency: [String: Int]

        public init(_ corpus: [Document]) {
            documents = corpus.count
            averageLength = corpus.isEmpty ? 0 : Double(corpus.map(\.length).reduce(0, +)) / Double(corpus.count)
            var df: [String: Int] = [:]
            for document in corpus { for term in document.terms.keys { df[term, default: 0] += 1 } }
            documentFrequency = df
        }
    }

    /// Okapi BM25 (k1 1.2, b 0.75) over the query's distinct terms, IDF ln(1 + (N − df + 0.5) / (df + 0.5)).
    public static func bm25(
        query: String, documents: [Document], statistics: Statistics, k1: Double = 1.2, b: Double = 0.75
    ) -> [(artifactID: Int, score: Double)] {
        let terms = Set(tokenize(query))
        let n = Double(statistics.documents)
        let idf: [String: Double] = Dictionary(
            uniqueKeysWithValues: terms.compactMap { term in
                guard let df = statistics.documentFrequency[term] else { return nil }
                return (term, log(1 + (n - Double(df) + 0.5) / (Double(df) + 0.5)))
            })
        let scored = documents.map { document -> (Int, Double) in
            var score = 0.0
            let norm = k1 * (1 - b + b * Double(document.length) / max(statistics.averageLength, 1e-9))
            for (term, weight) in idf {
                guard let tf = document.terms[term] else { continue }
                score += weight * Double(tf) * (k1 + 1) / (Double(tf) + norm)
            }
            return (document.artifactID, score)
        }
        return ordered(scored)
    }

    /// TF-IDF cosine with sublinear term frequency: weight (1 + ln tf) × ln(N / df), for documents and query alike.
    public static func tfidf(
        query: String, documents: [Document], statistics: Statistics
    ) -> [(artifactID: Int, score: Double)] {
        let n = Double(statistics.documents)
        func weights(_ terms: [String: Int]) -> [String: Double] {
            var result: [String: Double] = [:]
            for (term, tf) in terms {
                guard let df = statistics.documentFrequency[term] else { continue }
                result[term] = (1 + log(Double(tf))) * log(n / Double(df))
            }
            return result
        }
        var queryTerms: [String: Int] = [:]
        for token in tokenize(query) { queryTerms[token, default: 0] += 1 }
        let q = weights(queryTerms)
        let qNorm = sqrt(q.values.map { $0 * $0 }.reduce(0, +))
        let scored = documents.map { document -> (Int, Double) in
            let d = weights(document.terms)
            let dNorm = sqrt(d.values.map { $0 * $0 }.reduce(0, +))
            guard qNorm > 0, dNorm > 0 else { return (document.artifactID, 0) }
            let dot = q.reduce(0.0) { sum, entry in sum + entry.value * (d[entry.key] ?? 0) }
            return (document.artifactID, dot / (qNorm * dNorm))
        }
        return ordered(scored)
    }

    /// Best first; ties by artifact id so runs repeat exactly.
    private static func ordered(_ scored: [(Int, Double)]) -> [(artifactID: Int, score: Double)] {
        scored.sorted { ($0.1, -$0.0) > ($1.1, -$1.0) }.map { (artifactID: $0.0, score: $0.1) }
    }

    /// A standard English stop-word list (the one Lucene and Snowball's examples use, plus common auxiliaries).
    static let stopWords: Set<String> = [
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be",
        "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
        "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having",
        "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it",
        "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on",
        "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should",
        "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there",
        "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were",
        "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
        "yours", "yourself", "yourselves", "s", "t", "don", "shall", "may", "might", "must", "also", "us",
    ]
}
