import Foundation
import TestSupport
import Testing

@testable import VecCore

@Suite("Index advice")
struct IndexAdviceTests {
    @Test func listsAreRowsOverAThousandUpToAMillion() {
        #expect(IndexAdvice.recommendedLists(rows: 0) == 1)
        #expect(IndexAdvice.recommendedLists(rows: 500) == 1)
        #expect(IndexAdvice.recommendedLists(rows: 100_000) == 100)
        #expect(IndexAdvice.recommendedLists(rows: 1_000_000) == 1_000)
    }

    @Test func listsAreSquareRootAboveAMillion() {
        #expect(IndexAdvice.recommendedLists(rows: 4_000_000) == 2_000)
        #expect(IndexAdvice.recommendedLists(rows: 100_000_000) == 10_000)
    }

    @Test func usualParametersGetNoAdvice() {
        #expect(IndexAdvice.advice(type: .ivfflat, m: 16, efConstruction: 64, lists: 100, rows: 100_000) == nil)
        #expect(IndexAdvice.advice(type: .ivfflat, m: 16, efConstruction: 64, lists: 300, rows: 100_000) == nil)
        #expect(IndexAdvice.advice(type: .hnsw, m: 16, efConstruction: 64, lists: 100, rows: 100_000) == nil)
        #expect(IndexAdvice.advice(type: .hnsw, m: 24, efConstruction: 128, lists: 100, rows: 3_000_000) == nil)
    }

    @Test func farParametersGetAdviceWithTheUsualNumber() throws {
        let lists = try #require(
            IndexAdvice.advice(type: .ivfflat, m: 16, efConstruction: 64, lists: 2_000, rows: 100_000))
        #expect(lists.contains("100"))
        let tooFewRows = try #require(
            IndexAdvice.advice(type: .ivfflat, m: 16, efConstruction: 64, lists: 100, rows: 500))
        #expect(tooFewRows.contains("under 10 rows per list"))
        #expect(IndexAdvice.advice(type: .hnsw, m: 64, efConstruction: 64, lists: 1, rows: 10_000) != nil)
        #expect(IndexAdvice.advice(type: .hnsw, m: 4, efConstruction: 16, lists: 1, rows: 10_000) != nil)
        #expect(IndexAdvice.advice(type: .hnsw, m: 16, efConstruction: 64, lists: 1, rows: 10_000_000) != nil)
    }

    @Test func catalogPredicateAndOptionsParse() {
        #expect(
            IndexManager.parseModel(fromPredicate: "(model_version = 'all-MiniLM-L6-v2'::text)") == "all-MiniLM-L6-v2")
        #expect(IndexManager.parseModel(fromPredicate: "(model_version = 'it''s'::text)") == "it's")
        #expect(IndexManager.parseModel(fromPredicate: "(stale = false)") == nil)
        #expect(IndexManager.parseReloptions("m=16,ef_construction=64") == ["m": "16", "ef_construction": "64"])
        #expect(IndexManager.parseReloptions("") == [:])
    }
}

@Suite("Index manager", .serialized)
struct IndexManagerTests {
    /// A fresh database with 300 synthetic 16-dimensional vectors.
    static func database() throws -> (Connection, String, EmbeddingModel) {
        let (connection, url) = try TestDatabase.fresh()
        let data = SyntheticData(users: 10, artifacts: 300, dimensions: 16, seed: 7, clusters: 8, batchSize: 128)
        _ = try SyntheticDataLoader(connection: connection).load(data)
        return (connection, url, data.model)
    }

    @Test func createListReindexDrop() throws {
        let (connection, url, model) = try Self.database()
        let manager = IndexManager(connection: connection)
        #expect(try manager.list().isEmpty)
        let spec = VectorIndexSpec(model: model, type: .hnsw, metric: .cosine, m: 8, efConstruction: 32)
        var seen: [IndexBuildProgress] = []
        let summary = try manager.create(spec, monitor: try Connection(url), pollInterval: 0.01) { seen.append($0) }
        #expect(!summary.alreadyExisted)
        #expect(summary.name == spec.name)

        let listed = try manager.list()
        #expect(listed.count == 1)
        let info = try #require(listed.first)
        #expect(info.name == spec.name)
        #expect(info.table == "artifact_embeddings")
        #expect(info.model == model.name)
        #expect(info.type == "hnsw")
        #expect(info.opclass == "vector_cosine_ops")
        #expect(info.m == 8)
        #expect(info.efConstruction == 32)
        #expect(info.lists == nil)
        #expect(info.rows == 300)
        #expect(info.sizeBytes > 0)
        #expect(info.valid)

        // A second create of the same spec leaves the index alone.
        #expect(try manager.create(spec, monitor: nil).alreadyExisted)

        var rebuilt: [IndexBuildProgress] = []
        try manager.reindex(named: spec.name, monitor: try Connection(url), pollInterval: 0.005) { rebuilt.append($0) }
        #expect(try manager.list().map(\.name) == [spec.name])
        // (A 300-row rebuild can finish before the first poll, so the phases seen are not asserted here.)
        #expect(rebuilt.allSatisfy { !$0.phase.isEmpty })
        #expect(throws: VecscopeError.self) { try manager.reindex(named: spec.name, maintenanceWorkMem: "lots") }

        try manager.drop(named: spec.name)
        #expect(try manager.list().isEmpty)
        #expect(try connection.query("SELECT to_regclass(\(spec.name)) IS NULL").row(0).decode(0, as: Bool.self))
    }

    @Test func ivfflatListsAndScansAreListed() throws {
        let (connection, url, model) = try Self.database()
        let manager = IndexManager(connection: connection)
        let spec = VectorIndexSpec(model: model, type: .ivfflat, metric: .l2, lists: 3)
        _ = try manager.create(spec, monitor: try Connection(url))
        let info = try #require(try manager.list().first)
        #expect(info.type == "ivfflat")
        #expect(info.opclass == "vector_l2_ops")
        #expect(info.lists == 3)
        #expect(info.m == nil)
        #expect(info.scans >= 0)
    }

    @Test func refusesIndexesThatAreNotVecscopeVectorIndexes() throws {
        let (connection, _, _) = try Self.database()
        let manager = IndexManager(connection: connection)
        for name in ["artifacts_search_gin", "artifacts_pkey", "x; DROP TABLE users", ""] {
            #expect(throws: VecscopeError.self) { try manager.drop(named: name) }
            #expect(throws: VecscopeError.self) { try manager.reindex(named: name) }
        }
        #expect(
            try connection.query("SELECT to_regclass('artifacts_search_gin') IS NOT NULL").row(0).decode(
                0, as: Bool.self))
        #expect(try connection.query("SELECT count(*)::int8 FROM users").row(0).decode(0, as: Int.self) == 10)
    }
}

/// Rolling rebuilds (issue 19, item 5): REINDEX CONCURRENTLY keeps the old index serving while the new one is
/// built, so searches on another connection go on answering, through an index, from start to end of the rebuild.
@Suite("Reindex under searches", .serialized)
struct ReindexUnderSearchesTests {
    @Test func searchesAnswerThroughoutAConcurrentReindex() throws {
        let (connection, url) = try TestDatabase.fresh()
        let data = SyntheticData(users: 10, artifacts: 8_000, dimensions: 64, seed: 5, clusters: 16, batchSize: 1_000)
        _ = try SyntheticDataLoader(connection: connection).load(data)
        let manager = IndexManager(connection: connection)
        let spec = VectorIndexSpec(model: data.model, type: .hnsw, metric: .cosine, m: 16, efConstruction: 128)
        _ = try manager.create(spec, monitor: nil)
        let vector = try PlanChoiceTests.queryVector(connection, model: data.model)
        var params = SearchParams()
        params.model = data.model.name
        params.plan = .index(spec.name)
        params.explain = true

        let searcher = Searcher(engine: SearchEngine(connection: try Connection(url)), vector: vector, params: params)
        searcher.start()
        var phases: [IndexBuildProgress] = []
        let seconds = try manager.reindex(
            named: spec.name, concurrently: true, monitor: try Connection(url), pollInterval: 0.05
        ) { phases.append($0) }
        let during = searcher.stop()

        #expect(during.failures.isEmpty, "\(during.failures.prefix(3))")
        #expect(during.answered >= 5, "\(during.answered) searches in a \(seconds) s rebuild")
        #expect(during.indexes == [spec.name], "every search ran on the index being rebuilt, old or new")
        #expect(phases.contains { !$0.phase.isEmpty }, "the rebuild reported its progress")
        #expect(try manager.list().map(\.name) == [spec.name] && manager.list().allSatisfy(\.valid))
    }

    /// Searches in a loop on a thread of its own until stopped.
    final class Searcher: @unchecked Sendable {
        struct Tally {
            var answered = 0
            var failures: [String] = []
            var indexes: Set<String> = []
        }
        private let engine: SearchEngine
        private let vector: [Float]
        private let params: SearchParams
        private let lock = NSLock()
        private var tally = Tally()
        private var stopping = false
        private let done = DispatchSemaphore(value: 0)

        init(engine: SearchEngine, vector: [Float], params: SearchParams) {
            self.engine = engine
            self.vector = vector
            self.params = params
        }

        func start() {
            Thread.detachNewThread { [self] in
                while !lock.withLock({ stopping }) {
                    do {
                        let response = try engine.search(.vector(vector), params: params)
                        lock.withLock {
                            tally.answered += 1
                            if let index = response.info.indexName { tally.indexes.insert(index) }
                        }
                    } catch {
                        lock.withLock { tally.failures.append(ErrorReport(error).oneLine) }
                    }
                }
                done.signal()
            }
        }

        func stop() -> Tally {
            lock.withLock { stopping = true }
            done.wait()
            return lock.withLock { tally }
        }
    }
}
