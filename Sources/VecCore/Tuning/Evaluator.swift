import Foundation

/// Runs vecscope's ranking methods and the Swift keyword baselines over graded queries (`vecscope eval`).
public struct Evaluator {
    public let engine: SearchEngine
    public var connection: Connection { engine.connection }

    public init(engine: SearchEngine) { self.engine = engine }

    // MARK: - Graded queries

    /// Grades from a `job_id<TAB>artifact_id<TAB>grade` file, with the jobs' texts from `jobs`.
    public func queries(judgmentsTSV text: String, jobs: JobCatalog) throws -> [JudgedQuery] {
        var grades: [String: [Int: Int]] = [:]
        var order: [String] = []
        for line in try JudgmentStore(connection: connection).parseTSV(text) {
            if grades[line.jobID] == nil { order.append(line.jobID) }
            grades[line.jobID, default: [:]][line.artifactID] = line.grade
        }
        let definitions = JudgmentStore.queryDefinitions(in: text)
        return try order.map { jobID in
            JudgedQuery(
                jobID: jobID, text: try JudgmentStore.queryText(id: jobID, definitions: definitions, jobs: jobs),
                grades: grades[jobID] ?? [:])
        }
    }

    /// The grades stored in the database (from the TUI or `judgments import`), one query per text; a text that is
    /// a job of `jobs` is named by its id, others q1, q2, … in order of their text.
    public func storedQueries(jobs: JobCatalog?) throws -> [JudgedQuery] {
        var byText: [String: [Int: Int]] = [:]
        for judgment in try JudgmentStore(connection: connection).all() {
            byText[judgment.queryText, default: [:]][judgment.artifactID] = judgment.grade
        }
        var unnamed = 0
        return byText.keys.sorted().map { text in
            let jobID =
                jobs?.jobs.first { $0.text == text }?.id
                ?? {
                    unnamed += 1
                    return "q\(unnamed)"
                }()
            return JudgedQuery(jobID: jobID, text: text, grades: byText[text] ?? [:])
        }.sorted { $0.jobID < $1.jobID }
    }

    /// One query per (job, user) where that user has an artifact of grade ≥ 2; grades only of that user's artifacts.
    public func perUser(_ queries: [JudgedQuery], corpus: [TextBaselines.Document]) -> [JudgedQuery] {
        let userOf = Dictionary(uniqueKeysWithValues: corpus.map { ($0.artifactID, $0.userExternalID) })
        var result: [JudgedQuery] = []
        for query in queries {
            let users = Set(query.grades.compactMap { id, grade in grade >= 2 ? userOf[id] : nil })
            for user in users.sorted() {
                let grades = query.grades.filter { userOf[$0.key] == user }
                result.append(JudgedQuery(jobID: query.jobID, text: query.text, grades: grades, userExternalID: user))
            }
        }
        return result
    }

    // MARK: - Running

    /// Every artifact as the baselines read it.
    public func corpus() throws -> [TextBaselines.Document] {
        try connection.query(
            """
            SELECT a.id, u.external_id AS user_external_id, a.title, a.description, a.content, a.skills
            FROM artifacts a JOIN users u ON u.id = a.user_id ORDER BY a.id
            """
        ).rows.map { row in
            TextBaselines.document(
                artifactID: try row.decode("id"), userExternalID: try row.decode("user_external_id"),
                title: try row.decode("title"), description: try row.decode("description"),
                content: try row.decode("content"), skills: try row.decode("skills"))
        }
    }

    /// How deep each ranking goes: every artifact, up to the 1,000 a search may return.
    public static func depth(corpusSize: Int) -> Int { min(max(corpusSize, 1), 1000) }

    /// The ranking (artifact ids, best first) a method gives one query.
    public func ranking(
        _ query: JudgedQuery, method: RankingMethod, params base: SearchParams, depth: Int
    ) throws -> [Int] {
        try engine.rank(
            jobDescription: query.text, method: method, topK: depth, params: Self.params(base, for: query, depth: depth)
        ).results.map(\.artifactID)
    }

    /// Search parameters for ranking a whole corpus: what is measured is the ranking, so the ANN index is asked
    /// for every row (ef_search ≥ depth) rather than its default 40.
    static func params(_ base: SearchParams, for query: JudgedQuery, depth: Int) -> SearchParams {
        var params = base
        params.efSearch = min(1000, max(base.efSearch, depth))
        params.userScope = query.userExternalID.map(UserScope.user) ?? base.userScope
        params.explain = false
        return params
    }

    public func run(
        _ queries: [JudgedQuery], methods: [RankingMethod], params: SearchParams,
        progress: (String) -> Void = { _ in }
    ) throws -> EvaluationReport {
        let documents = try corpus()
        let statistics = TextBaselines.Statistics(documents)
        let depth = Self.depth(corpusSize: documents.count)
        var reports: [EvaluationReport.Method] = []
        for method in methods {
            var jobs: [EvaluationReport.Job] = []
            for query in queries {
                progress("\(method.rawValue): \(query.jobID)\(query.userExternalID.map { " / \($0)" } ?? "")")
                let ranking = try ranking(query, method: method, params: params, depth: depth)
                jobs.append(job(query, ranking: ranking))
            }
            reports.append(EvaluationReport.Method(name: method.rawValue, jobs: jobs, isBaseline: false))
        }
        typealias Ranker = (String, [TextBaselines.Document], TextBaselines.Statistics) -> [(
            artifactID: Int, score: Double
        )]
        let baselines: [(String, Ranker)] = [
            ("bm25", { TextBaselines.bm25(query: $0, documents: $1, statistics: $2) }),
            ("tf-idf", { TextBaselines.tfidf(query: $0, documents: $1, statistics: $2) }),
        ]
        for (name, ranker) in baselines {
            let jobs = queries.map { query in
                let scope = documents.filter {
                    query.userExternalID == nil || $0.userExternalID == query.userExternalID
                }
                let ranking = ranker(query.text, scope, statistics).prefix(depth).map { $0.artifactID }
                return job(query, ranking: Array(ranking))
            }
            reports.append(EvaluationReport.Method(name: name, jobs: jobs, isBaseline: true))
        }
        return EvaluationReport(methods: reports, depth: depth)
    }

    private func job(_ query: JudgedQuery, ranking: [Int]) -> EvaluationReport.Job {
        EvaluationReport.Job(
            jobID: query.jobID, user: query.userExternalID,
            quality: RankingQuality(ranking: ranking, grades: query.grades), hasRelevant: query.hasRelevant)
    }
}
