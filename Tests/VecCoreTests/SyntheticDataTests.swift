import Foundation
import TestSupport
import Testing

@testable import VecCore

@Suite("Synthetic data")
struct SyntheticDataTests {
    static let small = SyntheticData(users: 50, artifacts: 500, dimensions: 32, seed: 11, clusters: 20, batchSize: 128)

    @Test func itemsAreUnitVectorsAndDeterministic() {
        let data = Self.small
        let centres = data.clusterCentres()
        let cdf = data.userCDF()
        for index in [0, 1, 250, 499] {
            let item = data.item(index, centres: centres, userCDF: cdf)
            #expect(item.vector.count == 32)
            let norm = item.vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
            #expect(item == data.item(index, centres: data.clusterCentres(), userCDF: data.userCDF()))
            #expect((0..<50).contains(item.userIndex))
            #expect(SyntheticData.types.contains(item.type))
        }
        var other = data
        other.seed = 12
        #expect(
            other.item(3, centres: other.clusterCentres(), userCDF: other.userCDF()).vector
                != data.item(3, centres: centres, userCDF: cdf).vector)
    }

    @Test func vectorsClusterAroundTheirDirection() {
        let data = Self.small
        let centres = data.clusterCentres()
        let item = data.item(5, centres: centres, userCDF: data.userCDF())
        let cosine = zip(item.vector, centres[item.cluster]).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(cosine > 0.6)
    }

    @Test func userSizesAreSkewed() {
        let data = SyntheticData(users: 100, artifacts: 5_000, dimensions: 4, seed: 1, clusters: 4)
        let centres = data.clusterCentres()
        let cdf = data.userCDF()
        var sizes = [Int](repeating: 0, count: 100)
        for index in 0..<5_000 { sizes[data.item(index, centres: centres, userCDF: cdf).userIndex] += 1 }
        #expect(sizes[0] > 10 * max(sizes[99], 1))
    }

    @Test func textEmbedderMakesDeterministicUnitVectorsNearACentre() throws {
        let model = SyntheticData(users: 1, artifacts: 0, dimensions: 32).model
        let embedder = SyntheticTextEmbedder(model: model)
        let vectors = try embedder.embed(["a text", "another text", "a text"])
        #expect(vectors.count == 3 && vectors.allSatisfy { $0.count == 32 })
        #expect(vectors[0] == vectors[2])
        #expect(vectors[0] != vectors[1])
        for vector in vectors { #expect(abs(vector.reduce(0) { $0 + $1 * $1 }.squareRoot() - 1) < 1e-5) }
        let best =
            SyntheticData(users: 1, artifacts: 0, dimensions: 32).clusterCentres()
            .map { centre in zip(centre, vectors[0]).reduce(0) { $0 + $1.0 * $1.1 } }.max() ?? 0
        #expect(best > 0.6)
    }

    /// `make bench`'s write load: revised artifacts go through the worker path with the stand-in embedder until every
    /// vector of the model is fresh again, and the revised ones hold new vectors.
    @Test func aWorkerWithTheTextEmbedderMakesRevisedArtifactsFreshAgain() throws {
        let (connection, url) = try TestDatabase.fresh()
        _ = try SyntheticDataLoader(connection: connection).load(Self.small)
        let model = try EmbeddingModelRegistry(connection: connection).model(named: Self.small.modelName)
        func vectors() throws -> [String] {
            try connection.query(
                "SELECT embedding_vector::text FROM artifact_embeddings WHERE content_type = 'full' ORDER BY artifact_id"
            ).rows.map { try $0.decode(0) }
        }
        let before = try vectors()
        #expect(try WriteLoad(connection: connection).reviseArtifacts(model: model.name, count: 40) == 40)
        try WriteLoad(connection: connection).settle()
        var options = EmbeddingWorker.Options()
        options.contentTypes = [.full]
        options.pollInterval = 0.2
        let worker = EmbeddingWorker(model: model, embedder: SyntheticTextEmbedder(model: model), options: options) {
            try Connection(url)
        }
        var embedded = 0
        var drained = false
        let deadline = Date().addingTimeInterval(60)
        try worker.run(shouldStop: { drained || Date() > deadline }) { event in
            if case .batch(let report) = event {
                embedded += report.embedded
                drained = report.queued == 0
            }
        }
        #expect(drained)
        #expect(embedded == 40)
        let after = try vectors()
        #expect(zip(before, after).filter { $0 != $1 }.count == 40)
        let stale: Int = try connection.query(
            """
            SELECT count(*)::int8 FROM artifacts a JOIN artifact_embeddings e
              ON e.artifact_id = a.id AND e.content_type = 'full' AND e.content_hash <> a.content_hash
            """
        ).row(0).decode(0)
        #expect(stale == 0)
    }

    static func load(_ data: SyntheticData) throws -> Connection {
        let (connection, _) = try TestDatabase.fresh()
        _ = try SyntheticDataLoader(connection: connection).load(data)
        return connection
    }

    @Test func loadsCountsDimensionsAndUnitNorms() throws {
        let connection = try Self.load(Self.small)
        func count(_ sql: PostgresQuery) throws -> Int { try connection.query(sql).row(0).decode(0) }
        #expect(try count("SELECT count(*)::int8 FROM users WHERE external_id LIKE 'synthetic-u%'") == 50)
        #expect(try count("SELECT count(*)::int8 FROM artifacts") == 500)
        #expect(
            try count(
                "SELECT count(*)::int8 FROM artifact_embeddings WHERE model_version = 'synthetic-32' AND content_type = 'full'"
            ) == 500)
        #expect(
            try count("SELECT count(*)::int8 FROM artifact_embeddings WHERE vector_dims(embedding_vector) <> 32") == 0)
        #expect(
            try count(
                "SELECT count(*)::int8 FROM artifact_embeddings WHERE abs(vector_norm(embedding_vector) - 1) > 1e-5")
                == 0)
        #expect(
            try count(
                "SELECT count(*)::int8 FROM artifacts a JOIN artifact_embeddings e ON e.artifact_id = a.id WHERE a.content_hash <> e.content_hash"
            ) == 0)
        #expect(try count("SELECT count(*)::int8 FROM artifacts WHERE length(content_hash) <> 64") == 0)
        // The same hash the embedding pipeline computes for an artifact's full text, so a text model's vectors of
        // these artifacts count as current once embedded.
        for row in try connection.query("SELECT title, description, content, content_hash::text, skills FROM artifacts")
            .rows
        {
            let text = EmbeddingText.full(
                title: try row.decode(0), description: try row.decode(1), content: try row.decode(2),
                skills: try row.decode(4))
            #expect(try row.decode(3, as: String.self) == SHA256.hex(text))
        }
        let model = try EmbeddingModelRegistry(connection: connection).model(named: "synthetic-32")
        #expect(model.provider == .synthetic)
        #expect(model.dimensions == 32)
        #expect(model.storage == .vector)
        // Skewed collections: the biggest user has many times the median.
        let sizes: [Int] = try connection.query("SELECT count(*)::int8 FROM artifacts GROUP BY user_id ORDER BY 1 DESC")
            .rows.map { try $0.decode(0) }
        #expect(sizes[0] > 3 * sizes[sizes.count / 2])
        // Vacuumed after the load: the pages are all-visible, so searches neither set hint bits nor visit the heap
        // for index-only scans. One page may be missed: VACUUM skips a page it cannot lock for cleanup, and on the
        // shared test server the checkpointer or bgwriter can hold a pin on it at that moment. Unflushed commits (the
        // bug this guards) would leave every page of a table unmarked.
        for table in ["users", "artifacts", "artifact_embeddings"] {
            let row = try connection.query(
                """
                SELECT c.relpages::int8, c.relallvisible::int8, s.vacuum_count
                FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = \(table)
                """
            ).row(0)
            let (pages, allVisible) = (try row.decode(0, as: Int.self), try row.decode(1, as: Int.self))
            #expect(try row.decode(2, as: Int.self) >= 1, "\(table) was not vacuumed")
            #expect(pages > 0 && allVisible >= pages - 1, "\(table): \(allVisible) of \(pages) pages all-visible")
        }
        let artifactPages = try count("SELECT relpages::int8 FROM pg_class WHERE relname = 'artifacts'")
        #expect(artifactPages > 1, "the all-visible check needs a table of several pages to mean anything")
    }

    @Test func sameSeedLoadsTheSameData() throws {
        var rebatched = Self.small
        rebatched.batchSize = 77
        let first = try Self.load(Self.small)
        let second = try Self.load(rebatched)
        let sql: PostgresQuery = """
            SELECT a.external_id, a.title, u.external_id, e.embedding_vector::text FROM artifacts a
            JOIN users u ON u.id = a.user_id JOIN artifact_embeddings e ON e.artifact_id = a.id ORDER BY a.external_id
            """
        func rows(_ connection: Connection) throws -> [[String]] {
            try connection.query(sql).rows.map { row in try (0..<4).map { try row.decode($0, as: String.self) } }
        }
        let a = try rows(first)
        #expect(a.count == 500)
        #expect(a == (try rows(second)))
    }

    @Test func aSecondLoadNeedsReplace() throws {
        let data = SyntheticData(users: 5, artifacts: 20, dimensions: 8, seed: 3, clusters: 2)
        let connection = try Self.load(data)
        let loader = SyntheticDataLoader(connection: connection)
        #expect(throws: VecscopeError.self) { try loader.load(data) }
        let summary = try loader.load(data, replace: true)
        #expect(summary.artifacts == 20)
        #expect(try connection.query("SELECT count(*)::int8 FROM artifacts").row(0).decode(0, as: Int.self) == 20)
    }

    @Test func manyDimensionsIndexAsHalfvec() {
        #expect(SyntheticData(users: 1, artifacts: 1, dimensions: 3_072).model.storage == .halfvec)
        #expect(SyntheticData(users: 1, artifacts: 1, dimensions: 2_000).model.storage == .vector)
    }
}

/// A user-scoped search is planned for that user's collection size (the user's row id is bound, so the planner reads
/// artifacts.user_id's statistics): the biggest collection goes through the HNSW index with the filter, where
/// iterative scan decides whether k rows come back; a one-artifact user is answered exactly from its own rows.
@Suite struct UserScopedPlanTests {
    @Test func theBiggestUserGetsAFilteredHNSWScanAndTheSmallestAnExactOne() throws {
        let data = SyntheticData(users: 400, artifacts: 20_000, dimensions: 16, seed: 5, clusters: 50, batchSize: 5_000)
        let connection = try SyntheticDataTests.load(data)
        let model = try EmbeddingModelRegistry(connection: connection).model(named: data.model.name)
        _ = try IndexManager(connection: connection).create(VectorIndexSpec(model: model), monitor: nil)
        try connection.execute("ANALYZE artifact_embeddings")
        let sizes = try connection.query(
            """
            SELECT u.external_id, count(*)::int8 FROM artifacts a JOIN users u ON u.id = a.user_id
            GROUP BY u.external_id ORDER BY 2 DESC, 1
            """
        ).rows.map { (user: try $0.decode(0, as: String.self), count: try $0.decode(1, as: Int.self)) }
        let biggest = try #require(sizes.first), smallest = try #require(sizes.last)
        #expect(biggest.count > 1_000 && smallest.count < 5)

        let engine = SearchEngine(connection: connection)
        let query = try #require(SweepQuery.storedSample(connection, model: model.name, count: 1).first).vector
        func search(_ user: String, _ iterative: IterativeScan) throws -> SearchResponse {
            var params = SearchParams()
            params.model = model.name
            params.method = .semantic
            params.efSearch = 10
            params.iterativeScan = iterative
            params.userScope = .user(user)
            params.explain = true
            return try engine.search(.vector(query), params: params)
        }
        let big = try search(biggest.user, .off)
        #expect(big.info.indexName?.hasPrefix("ae_hnsw") == true, "plan: \(big.info.plan ?? "none")")
        // ef_search 10 over a user holding a few percent of the rows: the filter leaves fewer than k…
        #expect(big.results.count < 10)
        // …unless the scan goes on (pgvector 0.8 iterative scan).
        #expect(try search(biggest.user, .relaxedOrder).results.count == 10)
        let small = try search(smallest.user, .off)
        #expect(small.info.indexName?.hasPrefix("ae_hnsw") != true, "plan: \(small.info.plan ?? "none")")
        #expect(small.results.count == smallest.count)
        #expect(small.results.allSatisfy { $0.userExternalID == smallest.user })

        let unknown = #expect(throws: VecscopeError.self) { try search("synthetic-u999999", .off) }
        #expect(unknown?.what.contains("synthetic-u999999") == true)
    }
}
