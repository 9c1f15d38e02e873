import Foundation

/// Every artifact's lexemes in memory, for the keyword candidates of a text searched for the first time.
///
/// In SQL (`BM25SQL`) those candidates cost every row that contains a selecting term an unnest of its tsvector and a
/// join with the terms, however few of them make the top: a whole job text's rarest words are in thousands of rows
/// of a large corpus. Here the same rows are scored from arrays. The terms, their IDF and avgdl still come from
/// `BM25SQL.terms` (PostgreSQL's stemmer and statistics), and the formula is `BM25SQL.lateral`'s — tf from each
/// weight's count rather than a sum over positions, and parts added in tsvector order, so scores agree to rounding
/// and the candidates, their order and terms are the statement's own (`KeywordIndexTests` compares them).
///
/// Read whole in one statement with the corpus statistics' version (`SearchEngine.corpusVersion`) it belongs to: a
/// write to artifacts changes that version, and the index is then outdated until read again (`SearchEngine`).
/// Immutable once read: the engines that share a `KeywordIndexStore` read one index from several threads.
final class KeywordIndex: Sendable {
    /// An artifact as it is read.
    struct Document {
        let id: Int
        let userID: Int
        let type: String
        /// `field_tokens`: tokens in the title, skills, description and content; nil when the row has none.
        let fieldTokens: [Int]?
    }

    /// A query term as `BM25SQL.terms` returns it.
    struct Term: Equatable {
        var lexeme: String
        var idf: Double
        /// Whether rows containing it are candidates (`bm25_terms.in_query`); every term adds to the score.
        var selects: Bool
    }

    /// What `BM25SQL.terms` reads for a query: its terms and the corpus's average document length.
    struct QueryTerms: Equatable {
        var terms: [Term]
        var avgdl: Double
    }

    /// Which documents a search may return: `SearchEngine.filters(_:)`'s conditions.
    struct Filter {
        var userID: Int?
        var types: Set<String>
        var ids: Set<Int>?
        var excluding: Int?

        var admitsAll: Bool { userID == nil && types.isEmpty && ids == nil && excluding == nil }
    }

    /// The corpus statistics' version the rows were read at.
    let version: String
    let loadedAt: Date
    /// How long reading and building took.
    let loadMs: Double
    var documentCount: Int { ids.count }

    private let ids: [Int]
    private let userIDs: [Int]
    private let types: [String]
    /// Each document's record, `records[recordStarts[d]..<recordStarts[d + 1]]`, in one place so that scoring a
    /// document reads one stretch of memory (scoring is bound by cache misses, not arithmetic): its id (two words,
    /// low first), its tokens in the title, skills, description and content (`noTokens` when the row has none), then
    /// three words per lexeme in tsvector order: the term, and its positions' counts by weight, A << 16 | B and
    /// C << 16 | D.
    private let recordStarts: [Int32]
    private let records: [UInt32]
    private let termIDs: [String: Int32]
    /// Each term's lexeme, by term id.
    private let lexemes: [String]
    /// The documents containing each term, by position.
    private let postings: [[Int32]]
    private static let noTokens = UInt32.max

    private init(version: String, rows: [(Document, TSVector)], started: DispatchTime) {
        var ids: [Int] = [], userIDs: [Int] = [], types: [String] = []
        var termIDs: [String: Int32] = [:]
        var lexemes: [String] = []
        var postings: [[Int32]] = []
        var recordStarts: [Int32] = [0], records: [UInt32] = []
        for (document, vector) in rows {
            let index = Int32(ids.count)
            ids.append(document.id)
            userIDs.append(document.userID)
            types.append(document.type)
            records.append(UInt32(truncatingIfNeeded: document.id))
            records.append(UInt32(truncatingIfNeeded: document.id >> 32))
            if let counts = document.fieldTokens, counts.count == 4,
                counts.allSatisfy({ $0 >= 0 && $0 < Int(Self.noTokens) })
            {
                records.append(contentsOf: counts.map { UInt32($0) })
            } else {
                records.append(contentsOf: [UInt32](repeating: Self.noTokens, count: 4))
            }
            for entry in vector.entries {
                let term: Int32
                if let known = termIDs[entry.lexeme] {
                    term = known
                } else {
                    term = Int32(postings.count)
                    termIDs[entry.lexeme] = term
                    lexemes.append(entry.lexeme)
                    postings.append([])
                }
                postings[Int(term)].append(index)
                var byWeight: [UInt32] = [0, 0, 0, 0]  // D, C, B, A (a tsvector keeps at most 256 positions)
                for code in entry.weights { byWeight[Int(code & 3)] += 1 }
                records.append(UInt32(term))
                records.append(byWeight[3] << 16 | byWeight[2])
                records.append(byWeight[1] << 16 | byWeight[0])
            }
            recordStarts.append(Int32(records.count))
        }
        self.version = version
        (self.ids, self.userIDs, self.types) = (ids, userIDs, types)
        (self.recordStarts, self.records) = (recordStarts, records)
        self.termIDs = termIDs
        self.lexemes = lexemes
        self.postings = postings
        loadedAt = Date()
        loadMs = SearchEngine.milliseconds(since: started)
    }

    /// Reads every artifact's lexemes, weights and field token counts, and the version they belong to, in one
    /// statement (one snapshot).
    static func load(on connection: Connection) throws -> KeywordIndex {
        let started = DispatchTime.now()
        // One row even without artifacts, for the version.
        let result = try connection.query(
            """
            SELECT \(sql: SearchEngine.corpusVersion) AS version, a.id, a.user_id, a.artifact_type, a.field_tokens,
                   a.search
            FROM (SELECT 1) one LEFT JOIN artifacts a ON true ORDER BY a.id
            """)
        var version = ""
        var rows: [(Document, TSVector)] = []
        rows.reserveCapacity(result.rows.count)
        for row in result.rows {
            version = try row.decode("version", as: String?.self) ?? ""
            guard let id = try row.decode("id", as: Int?.self) else { continue }
            let document = Document(
                id: id, userID: try row.decode("user_id"), type: try row.decode("artifact_type"),
                fieldTokens: try row.decode("field_tokens", as: [Int]?.self))
            rows.append((document, try row.decode("search", as: TSVector?.self) ?? TSVector(entries: [])))
        }
        return KeywordIndex(version: version, rows: rows, started: started)
    }

    private func admits(_ d: Int, _ filter: Filter) -> Bool {
        if let userID = filter.userID, userIDs[d] != userID { return false }
        if !filter.types.isEmpty, !filter.types.contains(types[d]) { return false }
        if let allowed = filter.ids, !allowed.contains(ids[d]) { return false }
        return ids[d] != filter.excluding
    }

    /// A query's terms, ready to score documents of this index.
    struct Query {
        let index: KeywordIndex
        let terms: [Term]
        let table: QueryTermTable
        let avgdl: Double
        let parameters: BM25Parameters
    }

    func query(_ read: QueryTerms, parameters: BM25Parameters) -> Query {
        var table = QueryTermTable(capacity: read.terms.count)
        for term in read.terms {
            if let id = termIDs[term.lexeme] { table.insert(term: id, idf: term.idf) }
        }
        return Query(index: self, terms: read.terms, table: table, avgdl: read.avgdl, parameters: parameters)
    }

    /// The best `limit` candidates, best first (ties by id), with their BM25 scores: every admitted document that
    /// contains a selecting term, scored by every term it contains, as `BM25SQL.lateral` scores a row; and how many
    /// there were (what a keyword search's candidate count counts).
    func candidates(for query: Query, filter: Filter, limit: Int) -> (best: [(id: Int, score: Double)], matching: Int) {
        // Per call, so that engines on other threads can share the index (`KeywordIndexStore`).
        var seen = [Bool](repeating: false, count: ids.count)
        var candidates: [Int32] = []
        for term in query.terms where term.selects {
            guard let id = termIDs[term.lexeme] else { continue }
            for document in postings[Int(id)] where !seen[Int(document)] {
                seen[Int(document)] = true
                candidates.append(document)
            }
        }
        candidates.sort()  // in memory order
        let admitsAll = filter.admitsAll
        var best = TopScores(capacity: limit)
        var matching = 0
        for index in candidates {
            let d = Int(index)
            seen[d] = false
            guard admitsAll || admits(d, filter) else { continue }
            matching += 1
            best.offer(id: documentID(d), score: score(d, query) { _, _ in })
        }
        return (best.ranked, matching)
    }

    /// An artifact's BM25 score and the terms it matched with their contributions, largest first (ties by lexeme),
    /// as `BM25SQL.lateral` gives them; nil for an id the index does not hold.
    func explain(id: Int, query: Query) -> (score: Double, lexemes: [String], parts: [Double])? {
        var low = 0, high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        guard low < ids.count, ids[low] == id else { return nil }
        var matched: [(lexeme: String, part: Double)] = []
        let total = score(low, query) { term, part in matched.append((lexemes[Int(term)], part)) }
        matched.sort {
            $0.part > $1.part || ($0.part == $1.part && Array($0.lexeme.utf8).lexicographicallyPrecedes($1.lexeme.utf8))
        }
        return (total, matched.map(\.lexeme), matched.map(\.part))
    }

    private func documentID(_ d: Int) -> Int {
        let r = Int(recordStarts[d])
        return Int(records[r]) | Int(records[r + 1]) << 32
    }

    /// Document `d`'s score: each query term's part, `idf × tf × (k1 + 1) / (tf + k1 × (1 − b + b × dl / avgdl))`,
    /// summed in tsvector order; `part` sees each term that adds one.
    private func score(_ d: Int, _ query: Query, part: (Int32, Double) -> Void) -> Double {
        let p = query.parameters
        var r = Int(recordStarts[d]) + 2
        let end = Int(recordStarts[d + 1])
        guard records[r] != Self.noTokens else { return 0 }  // SQL: NULL parts, coalesced to 0
        let length =
            p.titleWeight * Double(records[r]) + p.skillsWeight * Double(records[r + 1])
            + p.descriptionWeight * Double(records[r + 2]) + p.contentWeight * Double(records[r + 3])
        let norm = p.k1 * (1 - p.b + p.b * length / query.avgdl)
        var total = 0.0
        r += 4
        while r < end {
            let term = Int32(records[r])
            if let idf = query.table.idf(of: term) {
                let ab = records[r + 1], cd = records[r + 2]
                let tf =
                    Double(ab >> 16) * p.titleWeight + Double(ab & 0xFFFF) * p.skillsWeight
                    + Double(cd >> 16) * p.descriptionWeight + Double(cd & 0xFFFF) * p.contentWeight
                if tf > 0 {
                    let value = idf * tf * (p.k1 + 1) / (tf + norm)
                    total += value
                    part(term, value)
                }
            }
            r += 3
        }
        return total
    }
}

/// The query's terms and their IDF in a small open-addressed table, at most half full: it stays in cache, where an
/// array over every term of the corpus missed it on each lookup.
struct QueryTermTable {
    private var terms: [Int32]
    private var idfs: [Double]
    private let mask: Int

    init(capacity: Int) {
        var size = 64
        while size < 2 * capacity { size *= 2 }
        terms = [Int32](repeating: -1, count: size)
        idfs = [Double](repeating: 0, count: size)
        mask = size - 1
    }

    mutating func insert(term: Int32, idf: Double) {
        var slot = Int(term) & mask
        while terms[slot] != -1, terms[slot] != term { slot = (slot + 1) & mask }
        terms[slot] = term
        idfs[slot] = idf
    }

    func idf(of term: Int32) -> Double? {
        var slot = Int(term) & mask
        while terms[slot] != -1 {
            if terms[slot] == term { return idfs[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }
}

/// The `capacity` best (id, score) pairs offered, best first, ties by id: a sorted array (capacity is a page of
/// candidates; sorting every scored document cost more than scoring it).
struct TopScores {
    let capacity: Int
    private(set) var ranked: [(id: Int, score: Double)] = []

    init(capacity: Int) { self.capacity = capacity }

    private static func before(_ a: (id: Int, score: Double), _ b: (id: Int, score: Double)) -> Bool {
        a.score > b.score || (a.score == b.score && a.id < b.id)
    }

    mutating func offer(id: Int, score: Double) {
        let pair = (id: id, score: score)
        if ranked.count == capacity {
            guard let last = ranked.last, Self.before(pair, last) else { return }
            ranked.removeLast()
        }
        var low = 0, high = ranked.count
        while low < high {
            let middle = (low + high) / 2
            if Self.before(ranked[middle], pair) { low = middle + 1 } else { high = middle }
        }
        ranked.insert(pair, at: low)
    }
}

/// The keyword index that several engines share (serve's pooled connections, the TUI's lanes): read once per corpus
/// version for all of them, not once per connection. The lock guards which index is held; reading one happens under
/// it, so engines that need the index meanwhile wait for that reading instead of starting their own.
public final class KeywordIndexStore: @unchecked Sendable {
    private let lock = NSLock()
    private var index: KeywordIndex?

    public init() {}

    /// The held index when it is of `version` (nil: not known yet), else one read by `load` — unless the held one
    /// was read less than `reloadInterval` ago (nil then: under a stream of writes, reading the whole index on every
    /// search would cost more than it saves).
    func current(
        version: String?, reloadInterval: TimeInterval, load: () throws -> KeywordIndex
    ) throws -> KeywordIndex? {
        lock.lock()
        defer { lock.unlock() }
        if let index {
            if version == nil || version == index.version { return index }
            if Date().timeIntervalSince(index.loadedAt) < reloadInterval { return nil }
        }
        let loaded = try load()
        index = loaded
        return loaded
    }
}
