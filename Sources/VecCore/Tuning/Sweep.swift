import Foundation

/// One point of a parameter sweep: the index knobs a tuner turns.
public struct SweepSetting: Sendable, Equatable, Codable {
    public var efSearch: Int
    public var probes: Int
    public var iterativeScan: IterativeScan

    public init(efSearch: Int = 40, probes: Int = 1, iterativeScan: IterativeScan = .off) {
        self.efSearch = efSearch
        self.probes = probes
        self.iterativeScan = iterativeScan
    }

    public var label: String {
        "ef_search=\(efSearch) probes=\(probes)" + (iterativeScan == .off ? "" : " iterative=\(iterativeScan.rawValue)")
    }

    /// Every combination of the given values, in the order given (ef_search varies fastest).
    public static func grid(efSearch: [Int], probes: [Int], iterativeScans: [IterativeScan]) -> [SweepSetting] {
        iterativeScans.flatMap { scan in
            probes.flatMap { p in efSearch.map { SweepSetting(efSearch: $0, probes: p, iterativeScan: scan) } }
        }
    }
}

/// A query of a sweep, already a vector so workers never embed; `excluding` drops the artifact the vector came from,
/// and `userID` (an external id) scopes it to one user's artifacts, the filtered search a per-person ranking runs.
public struct SweepQuery: Sendable, Equatable {
    public var label: String
    public var vector: [Float]
    public var excluding: Int?
    public var userID: String?

    public init(label: String, vector: [Float], excluding: Int? = nil, userID: String? = nil) {
        self.label = label
        self.vector = vector
        self.excluding = excluding
        self.userID = userID
    }
}

/// What one setting achieved over every query.
public struct SweepRow: Sendable, Equatable, Codable {
    public var setting: SweepSetting
    public var queries: Int
    public var recallMean: Double
    public var recallMin: Double
    /// Client wall time of the ANN query path, in ms.
    public var latency: LatencyStats
    /// The server's execution time (EXPLAIN ANALYZE) for a subset of the queries; nil when not sampled.
    public var serverLatency: LatencyStats?
    public var queriesPerSecond: Double
    public var concurrency: Int
    /// Mean rows missing from the limit (exact had them, the index did not return them), and queries short.
    public var meanShortfall: Double
    public var queriesShort: Int
    public var plan: String?
    public var onParetoFront: Bool = false
}

/// Runs every query under every setting on `concurrency` connections (one thread each) and aggregates.
public struct Sweep: Sendable {
    public var base: SearchParams
    public var k: Int
    public var concurrency: Int
    /// How many queries per setting are re-run with EXPLAIN ANALYZE for the server's time (0: none).
    public var serverSamples: Int
    public var forceIndexScan: Bool
    /// One engine per worker; each must own its connection.
    public var makeEngine: @Sendable () throws -> SearchEngine

    public init(
        base: SearchParams, k: Int = 10, concurrency: Int = 1, serverSamples: Int = 10, forceIndexScan: Bool = false,
        makeEngine: @escaping @Sendable () throws -> SearchEngine
    ) {
        self.base = base
        self.k = k
        self.concurrency = concurrency
        self.serverSamples = serverSamples
        self.forceIndexScan = forceIndexScan
        self.makeEngine = makeEngine
    }

    /// - Parameter progress: called after each setting with (settings done, total).
    public func run(
        _ settings: [SweepSetting], queries: [SweepQuery], progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> [SweepRow] {
        guard !queries.isEmpty else {
            throw VecscopeError(what: "no queries to run", fix: "Pass --queries N or --query-file FILE.")
        }
        guard concurrency >= 1 else {
            throw VecscopeError(what: "concurrency \(concurrency) is out of range", fix: "Use 1 or more.")
        }
        let engines = try (0..<concurrency).map { _ in try makeEngine() }
        var rows: [SweepRow] = []
        for (index, setting) in settings.enumerated() {
            rows.append(try run(setting, queries: queries, engines: engines))
            progress(index + 1, settings.count)
        }
        return Self.markingParetoFront(rows)
    }

    private func params(for setting: SweepSetting, query: SweepQuery) -> SearchParams {
        var params = base
        params.method = .semantic
        params.efSearch = setting.efSearch
        params.probes = setting.probes
        params.iterativeScan = setting.iterativeScan
        params.limit = query.excluding == nil ? k : k + 1
        params.explain = false
        if let user = query.userID { params.userScope = .user(user) }
        return params
    }

    private func measure(_ query: SweepQuery, _ setting: SweepSetting, on engine: SearchEngine) throws -> RecallReport {
        var measured = try engine.measureRecall(
            of: .vector(query.vector), params: params(for: setting, query: query),
            forceIndexScan: forceIndexScan)
        if let own = query.excluding {
            // The artifact the vector came from is its own nearest neighbour: leave it out of both answers.
            measured.approximateIDs = Array(measured.approximateIDs.filter { $0 != own }.prefix(k))
            measured.exactIDs = Array(measured.exactIDs.filter { $0 != own }.prefix(k))
            measured.rowsReturned = measured.approximateIDs.count
            measured.limit = k
            measured.k = k
            measured.recall = Recall.atK(approximate: measured.approximateIDs, exact: measured.exactIDs, k: k)
        }
        return measured
    }

    private func run(_ setting: SweepSetting, queries: [SweepQuery], engines: [SearchEngine]) throws -> SweepRow {
        let results = ResultBox(count: queries.count)
        let workers = WorkerEngines(engines)
        // One real thread per connection: concurrentPerform would cap the workers at the core count, so
        // --concurrency 100 would measure two clients, not a hundred.
        let group = DispatchGroup()
        for worker in 0..<engines.count {
            group.enter()
            let thread = Thread {
                let engine = workers.engine(for: worker)
                while let next = results.claim() {
                    results.store(next, Result { try measure(queries[next], setting, on: engine) })
                }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        let measured = try results.values().map { try $0.get() }
        var server: [Double] = []
        var plan: String?
        for query in queries.prefix(serverSamples) {
            var params = params(for: setting, query: query)
            params.explain = true
            let sampled = try engines[0].measureRecall(
                of: .vector(query.vector), params: params, forceIndexScan: forceIndexScan)
            if let ms = sampled.serverExecutionMs { server.append(ms) }
            plan = plan ?? sampled.plan
        }
        let recalls = measured.map(\.recall)
        return SweepRow(
            setting: setting, queries: measured.count,
            recallMean: recalls.reduce(0, +) / Double(recalls.count), recallMin: recalls.min() ?? 0,
            latency: LatencyStats(samples: measured.map(\.clientWallMs)),
            serverLatency: server.isEmpty ? nil : LatencyStats(samples: server),
            // The exact searches that measure recall run in the same loop and take far longer than the ANN path:
            // QPS counts only each worker's time in the ANN path (C workers each busy that long).
            queriesPerSecond: LatencyStats.queriesPerSecond(
                count: measured.count,
                wallSeconds: measured.map(\.clientWallMs).reduce(0, +) / 1000 / Double(engines.count)),
            concurrency: engines.count,
            meanShortfall: Double(measured.map(\.shortfall).reduce(0, +)) / Double(measured.count),
            queriesShort: measured.filter { $0.shortfall > 0 }.count, plan: plan)
    }

    /// Marks the rows no other row beats on both recall (higher) and p95 latency (lower).
    public static func markingParetoFront(_ rows: [SweepRow]) -> [SweepRow] {
        rows.map { row in
            var marked = row
            marked.onParetoFront = !rows.contains { other in
                other.recallMean >= row.recallMean && other.latency.p95 <= row.latency.p95
                    && (other.recallMean > row.recallMean || other.latency.p95 < row.latency.p95)
            }
            return marked
        }
    }
}

/// The engines of a sweep, one per worker: worker i only ever touches engine i, so no connection is shared.
private final class WorkerEngines: @unchecked Sendable {
    private let engines: [SearchEngine]
    init(_ engines: [SearchEngine]) { self.engines = engines }
    func engine(for worker: Int) -> SearchEngine { engines[worker] }
}

/// Hands out query indices to workers and collects their results, under a lock.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var results: [Result<RecallReport, any Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < results.count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func store(_ index: Int, _ result: Result<RecallReport, any Error>) {
        lock.lock()
        defer { lock.unlock() }
        results[index] = result
    }

    func values() -> [Result<RecallReport, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return results.map { $0 ?? .failure(VecscopeError(what: "a sweep query did not run")) }
    }
}

/// recall (y) against p95 latency (x) as a character grid; each point is its row's number (1-based, mod 10).
public enum RecallChart {
    public static func render(_ rows: [SweepRow], width: Int = 50, height: Int = 10) -> [String] {
        guard !rows.isEmpty, width >= 2, height >= 2 else { return [] }
        let xs = rows.map(\.latency.p95)
        let minX = xs.min() ?? 0, maxX = xs.max() ?? 0
        let minY = min(rows.map(\.recallMean).min() ?? 0, 0.999), maxY = 1.0
        var grid = Array(repeating: Array(repeating: Character(" "), count: width), count: height)
        for (index, row) in rows.enumerated() {
            let x = maxX > minX ? Int(((row.latency.p95 - minX) / (maxX - minX) * Double(width - 1)).rounded()) : 0
            let y = Int(((row.recallMean - minY) / (maxY - minY) * Double(height - 1)).rounded())
            grid[height - 1 - min(max(y, 0), height - 1)][min(max(x, 0), width - 1)] = Character(
                String((index + 1) % 10))
        }
        var lines = grid.enumerated().map { offset, cells -> String in
            let label =
                offset == 0
                ? String(format: "%5.3f", maxY) : offset == height - 1 ? String(format: "%5.3f", minY) : "     "
            return label + " |" + String(cells)
        }
        lines.append("      +" + String(repeating: "-", count: width))
        lines.append(String(format: "       %-*.2f%*.2f ms (p95)", width / 2, minX, width - width / 2, maxX))
        return lines
    }
}
