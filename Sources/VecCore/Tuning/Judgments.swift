import Foundation

/// Ranking quality against graded relevance (0 not relevant … 3 highly relevant); grade ≥ 2 counts as relevant.
public enum RankingMetrics {
    public static let relevantGrade = 2

    /// nDCG@k with gain 2^grade − 1 and discount log2(rank + 1); the ideal ranking sorts every judged grade.
    /// Unjudged artifacts count as grade 0. 0 when no judged artifact has a positive grade.
    public static func ndcg(ranking: [Int], grades: [Int: Int], k: Int) -> Double {
        func dcg(_ gains: [Int]) -> Double {
            gains.prefix(k).enumerated().reduce(0) { sum, item in
                sum + (pow(2, Double(item.element)) - 1) / log2(Double(item.offset + 2))
            }
        }
        let ideal = dcg(grades.values.sorted(by: >))
        guard ideal > 0 else { return 0 }
        return dcg(ranking.map { grades[$0] ?? 0 }) / ideal
    }

    /// Precision@k: the share of the top k with grade ≥ 2 (a short ranking still divides by k).
    public static func precision(ranking: [Int], grades: [Int: Int], k: Int) -> Double {
        guard k > 0 else { return 0 }
        let hits = ranking.prefix(k).filter { (grades[$0] ?? 0) >= relevantGrade }.count
        return Double(hits) / Double(k)
    }

    /// Reciprocal rank of the first artifact with grade ≥ 2; 0 when none is ranked.
    public static func reciprocalRank(ranking: [Int], grades: [Int: Int]) -> Double {
        guard let index = ranking.firstIndex(where: { (grades[$0] ?? 0) >= relevantGrade }) else { return 0 }
        return 1 / Double(index + 1)
    }

    /// MRR over several queries' rankings.
    public static func meanReciprocalRank(_ rankings: [(ranking: [Int], grades: [Int: Int])]) -> Double {
        guard !rankings.isEmpty else { return 0 }
        return rankings.map { reciprocalRank(ranking: $0.ranking, grades: $0.grades) }.reduce(0, +)
            / Double(rankings.count)
    }
}

/// One stored relevance judgment (a row of `relevance_judgments`).
public struct RelevanceJudgment: Sendable, Equatable {
    public var queryText: String
    public var artifactID: Int
    public var grade: Int
    public var judge: String

    public init(queryText: String, artifactID: Int, grade: Int, judge: String) {
        self.queryText = queryText
        self.artifactID = artifactID
        self.grade = grade
        self.judge = judge
    }

    /// The key judgments are stored under: sha256 of the query text.
    public static func queryHash(_ text: String) -> String { SHA256.hex(text) }
}

/// Reads and writes `relevance_judgments`, and moves them in and out as `job_id<TAB>artifact_id<TAB>grade` TSV.
public struct JudgmentStore {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// Stores (or replaces) one grade.
    public func record(_ judgment: RelevanceJudgment) throws {
        guard (0...3).contains(judgment.grade) else {
            throw VecscopeError(
                what: "grade \(judgment.grade) is out of range", fix: "Use 0 (not relevant) … 3 (highly relevant).")
        }
        try connection.execute(
            """
            INSERT INTO relevance_judgments (query_hash, query_text, artifact_id, grade, judge)
            VALUES (\(RelevanceJudgment.queryHash(judgment.queryText)), \(judgment.queryText), \(judgment.artifactID),
                    \(judgment.grade), \(judgment.judge))
            ON CONFLICT (query_hash, artifact_id) DO UPDATE
            SET grade = EXCLUDED.grade, judge = EXCLUDED.judge, judged_at = now()
            """)
    }

    /// Grades by artifact id for one query text.
    public func grades(for queryText: String) throws -> [Int: Int] {
        var grades: [Int: Int] = [:]
        let hash = RelevanceJudgment.queryHash(queryText)
        for row in try connection.query(
            """
            SELECT artifact_id, grade::int4 FROM relevance_judgments WHERE query_hash = \(hash)
            """
        ).rows {
            grades[try row.decode(0, as: Int.self)] = try row.decode(1, as: Int.self)
        }
        return grades
    }

    public func all() throws -> [RelevanceJudgment] {
        try connection.query(
            """
            SELECT query_text, artifact_id, grade::int4, judge FROM relevance_judgments ORDER BY query_hash, artifact_id
            """
        ).rows.map {
            RelevanceJudgment(
                queryText: try $0.decode(0), artifactID: try $0.decode(1), grade: try $0.decode(2),
                judge: try $0.decode(3))
        }
    }

    /// Imports the shipped grades (`judgments.tsv` and `jobs.jsonl` in `folder`) when no grade is stored yet, so
    /// nDCG and P@k show from the first search; nil when grades exist or the files are not there.
    public func importFixtureGradesIfNone(from folder: URL) throws -> (grades: Int, jobs: Int)? {
        guard try connection.query("SELECT count(*) FROM relevance_judgments").scalar(Int.self) == 0,
            let tsv = try? String(contentsOf: folder.appendingPathComponent("judgments.tsv"), encoding: .utf8),
            let jobs = try? JobCatalog.load(from: folder)
        else { return nil }
        return (try importTSV(tsv, jobs: jobs, judge: "fixtures"), jobs.jobs.count)
    }

    /// Imports `job_id<TAB>artifact_external_id<TAB>grade` lines (blank lines and `#` comments skipped); returns
    /// how many were stored. All or nothing: a bad line names its number and nothing is stored.
    @discardableResult
    public func importTSV(_ text: String, jobs: JobCatalog, judge: String) throws -> Int {
        let definitions = Self.queryDefinitions(in: text)
        let judgments = try parseTSV(text).map { line in
            RelevanceJudgment(
                queryText: try Self.queryText(id: line.jobID, definitions: definitions, jobs: jobs),
                artifactID: line.artifactID, grade: line.grade, judge: judge)
        }
        try connection.transaction { _ in
            for judgment in judgments { try record(judgment) }
        }
        return judgments.count
    }

    /// One grade of a `job_id<TAB>artifact_external_id<TAB>grade` file, its artifact resolved to a row id.
    public struct GradedLine: Sendable, Equatable {
        public var jobID: String
        public var artifactID: Int
        public var grade: Int
    }

    /// Parses judgments TSV (blank lines and `#` comments skipped); a bad line or an unknown artifact names its number.
    /// `judgments import` and `eval` read files through here.
    public func parseTSV(_ text: String) throws -> [GradedLine] {
        var lines: [GradedLine] = []
        let ids = try artifactIDsByExternalID()
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            let number = offset + 1
            guard fields.count == 3, let grade = Int(fields[2]), (0...3).contains(grade) else {
                throw VecscopeError(
                    what: "judgments line \(number) is not job_id<TAB>artifact_id<TAB>grade",
                    why: "got \"\(line.prefix(80))\"", fix: "Grades are 0…3, e.g. j01\ta001\t3.")
            }
            guard let artifactID = ids[fields[1]] else {
                throw VecscopeError(
                    what: "judgments line \(number): unknown artifact id \"\(fields[1])\"",
                    fix: "Use external ids as loaded (e.g. a001).")
            }
            lines.append(GradedLine(jobID: fields[0], artifactID: artifactID, grade: grade))
        }
        return lines
    }

    /// Every judgment as TSV sorted by query and artifact: a fixture job's grades under its id, a free-text query's
    /// (graded in the TUI) under `q-` and the start of its hash, defined once by a `#query` line that
    /// `importTSV` and `eval --judgments` read and older readers skip as a comment.
    public func exportTSV(jobs: JobCatalog) throws -> String {
        var jobByHash: [String: String] = [:]
        for job in jobs.jobs { jobByHash[RelevanceJudgment.queryHash(job.text)] = job.id }
        return try exportTSV(where: nil) { hash in jobByHash[hash] }
    }

    /// The judgments of one query as TSV under `id` (a job id, or nil for a free-text query's `q-` id).
    public func exportTSV(queryText: String, id: String?) throws -> String {
        try exportTSV(where: RelevanceJudgment.queryHash(queryText)) { _ in id }
    }

    /// The id a free-text query is exported under: `q-` and the first 12 hex digits of its hash.
    public static func freeTextID(hash: String) -> String { "q-" + hash.prefix(12) }

    private func exportTSV(where hash: String?, id: (String) -> String?) throws -> String {
        var lines: [(id: String, artifact: String, grade: Int)] = []
        var definitions: [String: String] = [:]
        for row in try connection.query(
            """
            SELECT j.query_hash::text, a.external_id, j.grade::int4, j.query_text FROM relevance_judgments j
            JOIN artifacts a ON a.id = j.artifact_id
            WHERE \(hash)::text IS NULL OR j.query_hash = \(hash)::text
            """
        ).rows {
            let queryHash: String = try row.decode(0)
            let queryID: String
            if let known = id(queryHash) {
                queryID = known
            } else {
                queryID = Self.freeTextID(hash: queryHash)
                definitions[queryID] = try row.decode(3, as: String.self)
            }
            lines.append((queryID, try row.decode(1), try row.decode(2)))
        }
        lines.sort { ($0.id, $0.artifact) < ($1.id, $1.artifact) }
        let header = definitions.keys.sorted().map { "#query\t\($0)\t\(Self.escaped(definitions[$0] ?? ""))\n" }
        return header.joined() + lines.map { "\($0.id)\t\($0.artifact)\t\($0.grade)\n" }.joined()
    }

    /// The free-text queries a judgments file defines (`#query<TAB>id<TAB>text`, text with \n, \t and \\ escaped).
    public static func queryDefinitions(in text: String) -> [String: String] {
        var definitions: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("#query\t") {
            let fields = line.dropFirst("#query\t".count).split(separator: "\t", maxSplits: 1)
            guard fields.count == 2 else { continue }
            definitions[String(fields[0])] = unescaped(String(fields[1]).trimmingCharacters(in: ["\r"]))
        }
        return definitions
    }

    /// The text of a judgments file's query id: its `#query` definition, else the catalog's job.
    public static func queryText(id: String, definitions: [String: String], jobs: JobCatalog) throws -> String {
        if let text = definitions[id] { return text }
        return try jobs.job(id: id).text
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\r", with: "\\r")
    }

    static func unescaped(_ text: String) -> String {
        var out = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                default: out.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// How many grades each query holds, by query hash (the job picker marks graded jobs with it).
    public func gradeCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try connection.query(
            "SELECT query_hash::text, count(*)::int8 FROM relevance_judgments GROUP BY query_hash"
        ).rows {
            counts[try row.decode(0, as: String.self)] = try row.decode(1, as: Int.self)
        }
        return counts
    }

    private func artifactIDsByExternalID() throws -> [String: Int] {
        var ids: [String: Int] = [:]
        var ambiguous: Set<String> = []
        for row in try connection.query("SELECT external_id, id FROM artifacts").rows {
            let external: String = try row.decode(0)
            if ids[external] != nil { ambiguous.insert(external) }
            ids[external] = try row.decode(1)
        }
        for external in ambiguous { ids[external] = nil }
        return ids
    }
}
