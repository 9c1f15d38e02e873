import Foundation
import VecCore

/// The real `SearchBackend`: `SearchEngine` on connections of its own, one per worker queue (a libpq connection
/// serves one thread at a time): one per search side, and one each for background work, the sweep and index jobs;
/// all share one embedder. Searches, recall and sweeps read where `connect` points (a standby with `--read-from`);
/// judgments, index jobs and the set-up write, so they run on `connectPrimary`'s connections.
public final class EngineBackend: SearchBackend, @unchecked Sendable {
    private let connect: () throws -> Connection
    private let connectPrimary: () throws -> Connection
    private let makeEmbedder: (EmbeddingModel) throws -> any Embedder
    /// The shipped fixtures, for the first-run set-up (nil: none found).
    private let fixtures: URL?
    private let lock = NSLock()
    private let laneA = EngineLane()
    private let laneB = EngineLane()
    private var backgroundEngine: SearchEngine?
    private var sweepEngine: SearchEngine?
    /// The judgments' connection (on the background queue): grades are read where they are written.
    private var judgmentConnection: Connection?
    /// The index queue's connections: one runs the DDL, the other watches pg_stat_progress_create_index.
    private var indexConnection: Connection?
    private var indexMonitor: Connection?
    private var indexCanceller: QueryCanceller?
    private var embedders: [String: any Embedder] = [:]
    /// One keyword index for every lane, the background side and the sweeps.
    private let keywordIndexes = KeywordIndexStore()

    /// `connect` opens a new connection (it is called again to reconnect after the server went away);
    /// `connectPrimary` one that may write (default: `connect`).
    public init(
        connect: @escaping () throws -> Connection, connectPrimary: (() throws -> Connection)? = nil,
        fixtures: URL? = nil,
        // Query time limits: someone is waiting (the set-up embeds with the local model, which has none).
        makeEmbedder: @escaping (EmbeddingModel) throws -> any Embedder = {
            try EmbedderFactory.make(for: $0, purpose: .query)
        }
    ) {
        self.connect = connect
        self.connectPrimary = connectPrimary ?? connect
        self.fixtures = fixtures
        self.makeEmbedder = makeEmbedder
    }

    /// Embedders are shared by both engines (MiniLM's weights are read-only, so one instance serves both).
    private func sharedEmbedder(_ model: EmbeddingModel) throws -> any Embedder {
        lock.lock()
        defer { lock.unlock() }
        if let embedder = embedders[model.name] { return embedder }
        let embedder = try makeEmbedder(model)
        embedders[model.name] = embedder
        return embedder
    }

    private func makeEngine() throws -> SearchEngine {
        let engine = SearchEngine(
            connection: try connect(), makeEmbedder: { [unowned self] in try self.sharedEmbedder($0) })
        engine.keywordIndexes = keywordIndexes  // a session searches many texts, in every lane
        return engine
    }

    private func backgroundSide() throws -> SearchEngine {
        if let backgroundEngine, backgroundEngine.connection.isAlive { return backgroundEngine }
        let engine = try makeEngine()
        backgroundEngine = engine
        return engine
    }

    private func judgments() throws -> JudgmentStore { JudgmentStore(connection: try primaryConnection()) }

    /// The background queue's connection to the primary (where grades are written and the worker's queue lives).
    private func primaryConnection() throws -> Connection {
        if let judgmentConnection, judgmentConnection.isAlive { return judgmentConnection }
        let connection = try connectPrimary()
        judgmentConnection = connection
        return connection
    }

    private func lane(_ side: Side) -> EngineLane { side == .a ? laneA : laneB }

    public func search(_ side: Side, text: String, params: SearchParams) throws -> SearchResponse {
        try lane(side).search(text: text, params: params, makeEngine: makeEngine)
    }

    public func cancelSearch(_ side: Side) {
        lane(side).cancel()
    }

    /// Each value runs through VecCore's `Sweep` (one setting at a time, so it can stop between values) with the
    /// query's vector repeated `repetitions` times: recall@k against exact search and client wall time per run.
    public func sweep(
        text: String, params: SearchParams, knob: SweepKnob, values: [Int], repetitions: Int,
        isCancelled: @escaping @Sendable () -> Bool, progress: @escaping @Sendable (SweepPoint) -> Void
    ) throws
        -> [SweepPoint]
    {
        if sweepEngine.map({ !$0.connection.isAlive }) ?? true { sweepEngine = try makeEngine() }
        guard let engine = sweepEngine else { return [] }
        let model = try engine.model(named: params.model)
        let (query, source) = try engine.resolvedQuery(.text(text), model: model, scope: params.userScope)
        let vector = try engine.queryVector(query, model: model).vector
        let shared = SharedEngine(engine)
        let runner = Sweep(
            base: params, k: params.limit, concurrency: 1, serverSamples: 0, makeEngine: { shared.engine })
        // A more-like-this query's source is left out of both answers, as the search leaves it out.
        let queries = Array(
            repeating: SweepQuery(label: "current query", vector: vector, excluding: source), count: max(1, repetitions)
        )
        func setting(_ value: Int) -> SweepSetting {
            let swept = knob.setting(value, in: params)
            return SweepSetting(efSearch: swept.efSearch, probes: swept.probes, iterativeScan: params.iterativeScan)
        }
        // A warm-up run first: the first query on a connection pays for caches and plans, which inflated the first
        // point's latency several times over and stretched the chart's axis.
        if let first = values.first, let query = queries.first {
            _ = try runner.run([setting(first)], queries: [query])
        }
        var points: [SweepPoint] = []
        for value in values {
            if isCancelled() { throw TUIError(message: "sweep stopped", isCancellation: true) }
            guard let row = try runner.run([setting(value)], queries: queries).first else { continue }
            let point = SweepPoint(value: value, recall: row.recallMean, p50Ms: row.latency.p50, p95Ms: row.latency.p95)
            points.append(point)
            progress(point)
        }
        return points
    }

    public func dataVersion(model: String) throws -> DataVersion {
        try Inventory(connection: try backgroundSide().connection).dataVersion(model: model)
    }

    public func measureRecall(text: String, params: SearchParams, measuredIDs: [Int]) throws -> RecallMeasurement {
        // On the background connection, against exactly the ids the user is looking at.
        try backgroundSide().measureRecall(ofSearchFor: text, params: params, measuredIDs: measuredIDs)
    }

    public func judgments(for queryText: String) throws -> [Int: Int] {
        try judgments().grades(for: queryText)
    }

    public func exportGrades(queryText: String, id: String?, directory: URL) throws -> GradesExport {
        let tsv = try judgments().exportTSV(queryText: queryText, id: id)
        let name = id ?? JudgmentStore.freeTextID(hash: RelevanceJudgment.queryHash(queryText))
        let url = directory.appendingPathComponent("vecscope-grades-\(name).tsv")
        do {
            try tsv.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw VecscopeError(
                what: "cannot write \(url.path)", why: error.localizedDescription,
                fix: "Start vecscope in a directory you may write to.")
        }
        return GradesExport(path: url.path, count: tsv.split(separator: "\n").filter { !$0.hasPrefix("#") }.count)
    }

    public func gradeCounts() throws -> [String: Int] {
        try judgments().gradeCounts()
    }

    public func saveJudgment(queryText: String, artifactID: Int, grade: Int?) throws {
        let store = try judgments()
        if let grade {
            try store.record(
                RelevanceJudgment(queryText: queryText, artifactID: artifactID, grade: grade, judge: "tui"))
        } else {
            try store.remove(artifactID: artifactID, queryText: queryText)
        }
    }

    public func score(rankedIDs: [Int], grades: [Int: Int], k: Int) -> RankingScore {
        let judged = rankedIDs.prefix(k).filter { grades[$0] != nil }.count
        guard !grades.isEmpty else { return RankingScore(k: k, ndcg: nil, precision: nil, judged: 0) }
        return RankingScore(
            k: k, ndcg: RankingMetrics.ndcg(ranking: rankedIDs, grades: grades, k: k),
            precision: RankingMetrics.precision(ranking: rankedIDs, grades: grades, k: k), judged: judged)
    }

    public func baselineNDCG(queryText: String, params: SearchParams, grades: [Int: Int], k: Int) throws -> Double? {
        guard !grades.isEmpty else { return nil }
        var baseline = params
        baseline.bm25 = BM25Parameters()
        baseline.explain = false
        let ranking = try backgroundSide().rank(jobDescription: queryText, method: .keyword, topK: k, params: baseline)
        return RankingMetrics.ndcg(ranking: ranking.results.map(\.artifactID), grades: grades, k: k)
    }

    public func choices() throws -> ParameterChoices {
        let engine = try backgroundSide()
        let inventory = Inventory(connection: engine.connection)
        let models = try inventory.modelsWithVectors()
        var indexes: [String: [PlannableIndex]] = [:]
        for model in models { indexes[model] = try engine.plannableIndexes(model: model) }
        let sizes = try IndexManager(connection: engine.connection).list().map { ($0.name, $0.sizeBytes) }
        return ParameterChoices(
            users: try inventory.userIDs(), models: models.isEmpty ? [SearchParams.defaultModel] : models,
            indexes: indexes, userNames: try inventory.userNames(),
            indexSizes: Dictionary(sizes, uniquingKeysWith: { first, _ in first }))
    }

    public func prepare(
        loadFixtures: Bool, embed: Bool, progress: @escaping @Sendable (DemoSetup.Progress) -> Void,
        stepDone: @escaping @Sendable (String) -> Void
    ) throws -> String {
        // Its own connection, closed when done: the set-up runs once.
        let connection = try connectPrimary()
        let model = try EmbeddingModelRegistry(connection: connection).model(named: SearchParams.defaultModel)
        let setup = DemoSetup(
            connection: connection, fixtures: fixtures, model: model,
            makeEmbedder: { [unowned self] in try self.sharedEmbedder($0) })
        return try setup.run(loadFixtures: loadFixtures, embed: embed, progress: progress, stepDone: stepDone)
    }

    private func indexSide() throws -> (connection: Connection, monitor: Connection) {
        if let connection = indexConnection, connection.isAlive, let monitor = indexMonitor, monitor.isAlive {
            return (connection, monitor)
        }
        let connection = try connectPrimary(), monitor = try connectPrimary()
        let canceller = try connection.makeCanceller()
        lock.withLock { indexCanceller = canceller }
        indexConnection = connection
        indexMonitor = monitor
        return (connection, monitor)
    }

    public func healthReport() throws -> StatsBody {
        // On the primary: its statistics views (scans, dead tuples, vacuums) and the worker's queue are its own.
        try EmbeddingHealth(connection: try primaryConnection()).report()
    }

    public func indexInventory() throws -> IndexInventory {
        let connection = try indexSide().connection
        let indexes = try IndexManager(connection: connection).list()
        let models = try EmbeddingModelRegistry(connection: connection).all().map { ($0.name, $0) }
        return IndexInventory(
            indexes: indexes, rowsByModel: try Inventory(connection: connection).vectorCountsByModel(),
            models: Dictionary(models, uniquingKeysWith: { first, _ in first }))
    }

    public func runIndexJob(
        _ kind: IndexJob.Kind, progress: @escaping @Sendable (IndexBuildProgress) -> Void
    ) throws -> String {
        let (connection, monitor) = try indexSide()
        let manager = IndexManager(connection: connection)
        switch kind {
        case .create(let request):
            let model = try EmbeddingModelRegistry(connection: connection).model(named: request.model)
            let spec = request.spec(for: model)
            let summary = try manager.create(spec, monitor: monitor, progress: progress)
            if summary.alreadyExisted { return "\(spec.name) exists already — r rebuilds it, D drops it" }
            var text = String(format: "built %@ in %.1fs", spec.name, summary.seconds)
            if let advice = IndexAdvice.advice(
                type: spec.type, m: spec.m, efConstruction: spec.efConstruction,
                lists: spec.lists, rows: try manager.rows(for: spec))
            {
                text += " · " + advice
            }
            return text
        case .reindex(let name):
            let seconds = try manager.reindex(named: name, monitor: monitor, progress: progress)
            return String(format: "rebuilt %@ in %.1fs", name, seconds)
        case .drop(let name):
            try manager.drop(named: name)
            return "dropped \(name)"
        }
    }

    public func cancelIndexJob() {
        lock.withLock { indexCanceller }?.cancel()
    }

    public func reconnect() throws {
        if let backgroundEngine, !backgroundEngine.connection.isAlive { self.backgroundEngine = nil }
        try backgroundSide().connection.ping()
        // Side B's lane re-opens on its next search; A's is the one a search is expected on first.
        try laneA.reconnect(makeEngine: makeEngine)
    }
}

/// One search side's connection: its engine, the canceller for the statement it runs, and a new engine once the
/// connection broke. Searches run on the side's queue; `cancel` comes from the main thread.
private final class EngineLane: @unchecked Sendable {
    private let lock = NSLock()
    private var engine: SearchEngine?
    private var canceller: QueryCanceller?

    func search(text: String, params: SearchParams, makeEngine: () throws -> SearchEngine) throws -> SearchResponse {
        let engine = try reconnect(makeEngine: makeEngine)
        do {
            return try engine.search(text: text, params: params)
        } catch let error as PostgresError where error.kind == .connection {
            lock.withLock { self.engine = nil }
            throw error
        }
    }

    func cancel() {
        lock.withLock { canceller }?.cancel()
    }

    /// The lane's engine, opened again (with a new canceller) when its connection is gone.
    @discardableResult
    func reconnect(makeEngine: () throws -> SearchEngine) throws -> SearchEngine {
        if let existing = lock.withLock({ self.engine }), existing.connection.isAlive { return existing }
        let engine = try makeEngine()
        let canceller = try engine.connection.makeCanceller()
        lock.withLock {
            self.engine = engine
            self.canceller = canceller
        }
        return engine
    }
}

/// Hands the sweep connection's engine to `Sweep`, which only ever uses it from the sweep queue.
private final class SharedEngine: @unchecked Sendable {
    let engine: SearchEngine
    init(_ engine: SearchEngine) { self.engine = engine }
}
