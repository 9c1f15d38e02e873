import Foundation

/// A search's keyword candidates (ids and BM25 scores, best first), kept to be sent back as values instead of
/// scoring every matching row again.
struct KeywordCandidates: Equatable {
    var ids: [Int]
    var scores: [Double]
    /// `bm25_corpus`'s row version when they were computed (`SearchEngine.corpusVersionStatement`).
    var corpusVersion: String
    /// The query's terms and avgdl they were scored with, when read on their own for `KeywordIndex`: the search
    /// then scores its candidates' keywords with these (in memory, or in SQL without parsing the text again).
    var terms: KeywordIndex.QueryTerms? = nil
}

/// The answer a search built on outdated keyword candidates: it is discarded and the search sent again.
struct StaleKeywordCandidates: Error {}

/// Values by key, the oldest dropped beyond `capacity`.
struct BoundedCache<Key: Hashable, Value> {
    let capacity: Int
    private var values: [Key: Value] = [:]
    private var order: [Key] = []

    init(capacity: Int) { self.capacity = capacity }

    subscript(key: Key) -> Value? {
        get { values[key] }
        set {
            if values[key] == nil, newValue != nil {
                order.append(key)
                if order.count > capacity { values[order.removeFirst()] = nil }
            } else if newValue == nil {
                order.removeAll { $0 == key }
            }
            values[key] = newValue
        }
    }

    mutating func removeAll() {
        values.removeAll()
        order.removeAll()
    }
}

extension SearchEngine {
    /// The version of the corpus statistics, read in each keyword or hybrid search's round trip before its search
    /// statement. The statement triggers of migration 3 update `bm25_corpus`'s single row on every INSERT, UPDATE,
    /// DELETE or TRUNCATE of artifacts (even one that changed no row), so its row version (xmin, ctid) changes with
    /// every committed write that could change a keyword score.
    static var corpusVersionStatement: PostgresQuery { "SELECT \(sql: corpusVersion) AS version" }

    static let corpusVersion: SQLFragment = "(SELECT xmin::text || ' ' || ctid::text FROM bm25_corpus)"

    /// What keyword candidates depend on: the words, the BM25 knobs, how many are fetched and the filters. Not the
    /// model or any vector knob.
    func keywordCacheKey(_ plan: SearchPlan) -> String {
        let p = plan.params
        let bm25 = p.bm25
        let knobs: [Double] = [
            bm25.k1, bm25.b, bm25.titleWeight, bm25.skillsWeight, bm25.descriptionWeight, bm25.contentWeight,
            Double(bm25.maxTerms), Double(bm25.candidatePostings),
        ]
        let restricted: String = plan.restrictTo.map { $0.map(String.init).joined(separator: ",") } ?? "-"
        let parts: [String] = [
            SHA256.hex(plan.queryText), String(keywordFetch(p)), knobs.map { "\($0)" }.joined(separator: ","),
            plan.userRowID.map(String.init) ?? "", p.artifactTypes.map(\.rawValue).joined(separator: ","),
            restricted, plan.excluding.map(String.init) ?? "",
        ]
        return parts.joined(separator: "|")
    }

    /// How many keyword candidates a search fetches: the results themselves for keyword ranking, the fusion's
    /// candidates for hybrid.
    func keywordFetch(_ params: SearchParams) -> Int {
        params.method == .keyword ? params.limit : max(params.limit * 3, 30)
    }

    /// Forgets the kept keyword candidates and query words, so the next search of any text starts from nothing
    /// kept (the benchmark's first-search figures).
    public func forgetKeptWords() {
        keywordCandidateCache.removeAll()
        recentQueryWords.removeAll()
    }
}
