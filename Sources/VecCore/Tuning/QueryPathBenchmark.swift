import Foundation

/// `bench-suite query-path`: per stored-vector query, recall@k against exact search, the client's time for a whole
/// search (BEGIN, settings, statements, decode, COMMIT) and for vecscope's ANN statement alone, each beside the
/// server's execution time of the same SQL (EXPLAIN ANALYZE). The ANN statement is the one `SearchEngine` builds,
/// run under the same settings, so the benchmark measures what a search sends.
public struct QueryPathBenchmark {
    public var model: String
    public var efSearch: Int
    /// Stored vectors used as queries.
    public var queries: Int
    /// Results per query.
    public var k: Int
    /// Where searches and the statement are timed.
    public var connection: Connection
    /// Opens a connection of its own for each engine the recall sweep runs.
    public var connect: @Sendable () throws -> Connection

    public init(
        model: String, efSearch: Int = 40, queries: Int = 200, k: Int = 10, connection: Connection,
        connect: @escaping @Sendable () throws -> Connection
    ) {
        self.model = model
        self.efSearch = efSearch
        self.queries = queries
        self.k = k
        self.connection = connection
        self.connect = connect
    }

    /// Client time against the server's for one statement or path, and whether it meets the overhead target.
    struct Overhead {
        var client: LatencyStats
        var server: LatencyStats

        init(client: [Double], server: [Double]) {
            self.client = LatencyStats(samples: client)
            self.server = LatencyStats(samples: server)
        }

        var ratio: Double { server.p50 > 0 ? client.p50 / server.p50 : 0 }
        /// The target: client p50 ≤ 1.2 × server p50 + 0.5 ms.
        var meetsTarget: Bool { client.p50 <= 1.2 * server.p50 + 0.5 }
    }

    public func run() throws -> QueryPathBenchmarkResult {
        let engine = SearchEngine(connection: connection)
        let sample = try SweepQuery.storedSample(engine.connection, model: model, count: queries)
        var params = SearchParams()
        params.model = model
        params.method = .semantic
        params.efSearch = efSearch
        params.limit = k
        try params.validate()
        let connect = self.connect
        let sweep = Sweep(base: params, k: k, concurrency: 1, serverSamples: 0) {
            SearchEngine(connection: try connect())
        }
        let recall = try sweep.run([SweepSetting(efSearch: efSearch)], queries: sample)[0]
        let (path, plan) = try timeSearchPath(engine, sample: sample, params: params)
        let (statement, sql) = try timeANNStatement(engine, sample: sample, params: params)
        return QueryPathBenchmarkResult(
            recallAtK: recall.recallMean, recallMin: recall.recallMin, k: k, efSearch: efSearch, queries: sample.count,
            clientP50Ms: path.client.p50, clientP95Ms: path.client.p95,
            serverP50Ms: path.server.p50, serverP95Ms: path.server.p95,
            overheadRatioP50: path.ratio, meetsTarget: path.meetsTarget, plan: plan ?? "",
            statementClientP50Ms: statement.client.p50, statementClientP95Ms: statement.client.p95,
            statementServerP50Ms: statement.server.p50, statementServerP95Ms: statement.server.p95,
            statementOverheadRatioP50: statement.ratio, statementMeetsTarget: statement.meetsTarget,
            statementSQL: sql)
    }

    /// Whole searches timed by the client, and the server's time of their ANN statement (a search with explain).
    private func timeSearchPath(
        _ engine: SearchEngine, sample: [SweepQuery], params: SearchParams
    )
        throws -> (Overhead, plan: String?)
    {
        var client: [Double] = []
        var server: [Double] = []
        var plan: String?
        var explained = params
        explained.explain = true
        // Each query runs once untimed first: the index outgrows shared_buffers at scale, and whichever of the two
        // timed runs came first would otherwise pay the buffer misses for both.
        for query in sample {
            _ = try engine.search(.vector(query.vector), params: params)
            client.append(try engine.search(.vector(query.vector), params: params).info.clientWallMs)
            let info = try engine.search(.vector(query.vector), params: explained).info
            if let ms = info.serverExecutionMs { server.append(ms) }
            plan = plan ?? info.plan
        }
        return (Overhead(client: client, server: server), plan)
    }

    /// The search path's ANN statement alone, under the search's settings: the driver's own overhead. Returns the
    /// statement's text with it.
    private func timeANNStatement(
        _ engine: SearchEngine, sample: [SweepQuery], params: SearchParams
    )
        throws -> (Overhead, sql: String)
    {
        var client: [Double] = []
        var server: [Double] = []
        var sql = ""
        for query in sample {
            try engine.connection.transaction { conn in
                try engine.applySettings(params, on: conn)
                let statement = try engine.annStatement(for: query.vector, params: params, on: conn)
                sql = statement.sql
                _ = try conn.query(statement)  // untimed: the same buffer state for both timings
                let started = DispatchTime.now()
                _ = try conn.query(statement).rows.map { try $0.decode("distance", as: Double.self) }
                client.append(SearchEngine.milliseconds(since: started))
                if let ms = try engine.explain(statement, on: conn).serverExecutionMs { server.append(ms) }
            }
        }
        return (Overhead(client: client, server: server), sql)
    }
}

/// What `QueryPathBenchmark` measured; encodes as `bench-suite query-path --json` prints it.
public struct QueryPathBenchmarkResult: Sendable, Equatable, Codable {
    public var recallAtK: Double
    public var recallMin: Double
    public var k: Int
    public var efSearch: Int
    public var queries: Int
    /// Whole searches (`SearchEngine.search`), client side.
    public var clientP50Ms: Double
    public var clientP95Ms: Double
    /// The server's execution time of those searches' ANN statement.
    public var serverP50Ms: Double
    public var serverP95Ms: Double
    public var overheadRatioP50: Double
    public var meetsTarget: Bool
    /// The first query's plan ("Index Scan using …"); empty when none was reported.
    public var plan: String
    /// The ANN statement alone, client side and server side.
    public var statementClientP50Ms: Double
    public var statementClientP95Ms: Double
    public var statementServerP50Ms: Double
    public var statementServerP95Ms: Double
    public var statementOverheadRatioP50: Double
    public var statementMeetsTarget: Bool
    /// The ANN statement's text, as the search path sends it.
    public var statementSQL: String

    enum CodingKeys: String, CodingKey {
        case recallAtK = "recall_at_k", recallMin = "recall_min", k, efSearch = "ef_search", queries
        case clientP50Ms = "client_p50_ms", clientP95Ms = "client_p95_ms"
        case serverP50Ms = "server_p50_ms", serverP95Ms = "server_p95_ms"
        case overheadRatioP50 = "overhead_ratio_p50", meetsTarget = "meets_target", plan
        case statementClientP50Ms = "statement_client_p50_ms", statementClientP95Ms = "statement_client_p95_ms"
        case statementServerP50Ms = "statement_server_p50_ms", statementServerP95Ms = "statement_server_p95_ms"
        case statementOverheadRatioP50 = "statement_overhead_ratio_p50"
        case statementMeetsTarget = "statement_meets_target", statementSQL = "statement_sql"
    }
}
