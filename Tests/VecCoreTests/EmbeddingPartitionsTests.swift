import Foundation
import TestSupport
import Testing

@testable import VecCore

/// Issue 18, item 3: `vecscope partition` moves the artifact vectors to hash partitions by user and back, keeping
/// every row and every search's answer, on the real embedded server with the fixtures embedded.
@Suite struct EmbeddingPartitionsTests {
    private static let hnsw = "ae_hnsw_cosine_all_minilm_l6_v2"

    /// A database of its own (partitioning changes the table every other suite reads): fixtures embedded.
    private func embeddedFixtures() throws -> (SearchEngine, Connection) {
        let (connection, _) = try TestDatabase.fresh()
        let model = try FixtureDatabase.model()
        try FixtureDatabase.loadAndEmbed(on: connection, model: model)
        return (SearchEngine(connection: connection, makeEmbedder: { _ in model }), connection)
    }

    /// Every row, every column, in one digest.
    private func rowsDigest(_ connection: Connection) throws -> String {
        try connection.query(
            """
            SELECT count(*) || ' ' || md5(string_agg(concat_ws('|', id, artifact_id, user_id, content_type,
                       model_version, model_dimensions, embedding_vector::text, content_hash, stale,
                       processing_cost_usd, generated_at, metadata::text), ',' ORDER BY id))
            FROM artifact_embeddings
            """
        ).scalar(String.self) ?? ""
    }

    /// The answers of searches through every path: planner's choice, exact, the pinned HNSW index, scoped to a user
    /// or not, semantic, keyword and hybrid.
    private func answers(_ engine: SearchEngine) throws -> [String] {
        var searches: [(String, SearchParams)] = []
        for method in RankingMethod.allCases {
            for scope in [UserScope.all, .user("u04")] {
                for plan in [PlanChoice.auto, .exact, .index(Self.hnsw)] where method != .keyword || plan == .auto {
                    var params = SearchParams()
                    params.method = method
                    params.userScope = scope
                    params.plan = plan
                    params.contentTypes = [.full, .summary]
                    searches.append(("\(method) \(scope) \(plan.label)", params))
                }
            }
        }
        return try searches.map { label, params in
            let results = try engine.search(text: "Kubernetes platform engineering with Terraform", params: params)
                .results
            return label + ": "
                + results.map { "\($0.externalID) \(String(format: "%.6f", $0.relevanceScore))" }
                .joined(separator: ", ")
        }
    }

    /// The partition that holds a user's rows.
    private func partition(of user: String, _ connection: Connection) throws -> String? {
        try connection.query(
            """
            SELECT DISTINCT e.tableoid::regclass::text FROM artifact_embeddings e JOIN users u ON u.id = e.user_id
            WHERE u.external_id = \(user)
            """
        ).scalar(String.self)
    }

    @Test func partitionAndUndoKeepEveryRowAndEverySearchsAnswer() throws {
        let (engine, connection) = try embeddedFixtures()
        let partitions = EmbeddingPartitions(connection: connection)
        #expect(try partitions.partitions() == 0)
        let rows = try rowsDigest(connection)
        let before = try answers(engine)
        #expect(before.allSatisfy { !$0.hasSuffix(": ") })

        var steps: [EmbeddingPartitions.Step] = []
        let summary = try partitions.partition(into: 8) { steps.append($0) }
        #expect(summary.partitions == 8 && summary.rows == Int(rows.split(separator: " ")[0]))
        #expect(summary.indexes.map(\.name) == [Self.hnsw])
        #expect(steps.first == .copying(done: 0, total: summary.rows))
        #expect(steps.contains(.copying(done: summary.rows, total: summary.rows)))
        #expect(steps.last == .building(index: Self.hnsw, number: 1, count: 1))
        #expect(try partitions.partitions() == 8)
        #expect(try rowsDigest(connection) == rows)
        // The same engine, its kept index list and prepared statements from before the move included.
        #expect(try answers(engine) == before)

        // One index, one per partition under it: listed with their summed size, and the plan of a search scoped to
        // a user is that user's partition's index (the pin's EXPLAIN check accepts it).
        let index = try IndexManager(connection: connection).index(named: Self.hnsw)
        #expect(index.partitionIndexes == (0..<8).map { "\(Self.hnsw)_p\($0)" }.sorted())
        #expect(index.valid && index.sizeBytes > 0 && index.rows == summary.rows)
        let home = try #require(try partition(of: "u04", connection))
        var scoped = SearchParams()
        scoped.userScope = .user("u04")
        scoped.plan = .index(Self.hnsw)
        let pinned = try engine.search(text: "Terraform", params: scoped)
        #expect(pinned.info.indexName == Self.hnsw + "_" + home.split(separator: "_").last!)
        #expect(pinned.results.allSatisfy { $0.userExternalID == "u04" } && !pinned.results.isEmpty)
        // The planner's own plan reads that one partition.
        scoped.plan = .auto
        let miniLM = try engine.model(named: SearchParams.defaultModel)
        let vector = try engine.queryVector(.text("Terraform"), model: miniLM).vector
        let ann = try engine.annStatement(for: vector, params: scoped, on: connection)
        let plan = try connection.query("EXPLAIN (FORMAT JSON) \(ann)").scalar(String.self) ?? ""
        let read = Set(
            plan.matches(of: /"Relation Name": "(artifact_embeddings[a-z0-9_]*)"/).map { String($0.output.1) })
        #expect(read == [home], "\(plan)")

        // Writes land in the writer's user's partition: a new artifact embedded, then moved to another user.
        let file = try TestDatabase.scratchDirectory("partition").appendingPathComponent("new.jsonl")
        try """
        {"id": "a999", "user": "u04", "artifact_type": "project", "title": "Terraform modules for partitioned tables", "description": "Hash partitions by tenant.", "content": "Each tenant's rows in one partition."}
        """.write(to: file, atomically: true, encoding: .utf8)
        _ = try ArtifactLoader(connection: connection).load(file: file)
        let model = try FixtureDatabase.model()
        let embedded = try EmbeddingPipeline(
            connection: connection, embedder: model,
            model: try EmbeddingModelRegistry(connection: connection).model(named: model.modelName)
        ).run()
        #expect(embedded.embeddedCount > 0 && embedded.failedItems == 0)
        func homeOfNewArtifact() throws -> [String] {
            try connection.query(
                """
                SELECT DISTINCT e.tableoid::regclass::text FROM artifact_embeddings e JOIN artifacts a
                ON a.id = e.artifact_id WHERE a.external_id = 'a999'
                """
            ).rows.map { try $0.decode(0) }
        }
        #expect(try homeOfNewArtifact() == [home])
        let elsewhere = try #require(
            try ["u01", "u02", "u03", "u05", "u06"].first { try partition(of: $0, connection) != home })
        try connection.execute(
            "UPDATE artifacts SET user_id = (SELECT id FROM users WHERE external_id = \(elsewhere)) WHERE external_id = 'a999'"
        )
        #expect(try homeOfNewArtifact() == [try partition(of: elsewhere, connection)!])
        let mismatched = try connection.query(
            "SELECT count(*)::int8 FROM artifact_embeddings e JOIN artifacts a ON a.id = e.artifact_id WHERE e.user_id <> a.user_id"
        ).scalar(Int.self)
        #expect(mismatched == 0)
        try connection.execute("DELETE FROM artifacts WHERE external_id = 'a999'")
        #expect(try rowsDigest(connection) == rows)

        // Index management on the partitioned table: build, list, drop; CONCURRENTLY refused with the reason.
        let manager = IndexManager(connection: connection)
        let ivfflat = VectorIndexSpec(model: miniLM, type: .ivfflat, metric: .l2, lists: 4)
        let refused = #expect(throws: VecscopeError.self) {
            _ = try manager.create(ivfflat, concurrently: true, monitor: nil)
        }
        #expect(refused?.kind == .invalidInput && refused?.why?.contains("partitioned") == true)
        _ = try manager.create(ivfflat, monitor: nil)
        #expect(try manager.index(named: ivfflat.name).partitionIndexes.count == 8)
        try manager.drop(named: ivfflat.name)
        let health = EmbeddingHealth(connection: connection)
        let table = try #require(try health.tables().first { $0.table == "artifact_embeddings" })
        #expect(table.sizeBytes > 0)
        #expect((try health.growth(miniLM).bytesPerRow ?? 0) > 0)

        #expect(throws: VecscopeError.self) { _ = try partitions.partition(into: 4) }
        let undone = try partitions.undo()
        #expect(undone.partitions == 0 && undone.rows == summary.rows && undone.indexes.map(\.name) == [Self.hnsw])
        #expect(try partitions.partitions() == 0)
        #expect(try rowsDigest(connection) == rows)
        #expect(try answers(engine) == before)
        #expect(try IndexManager(connection: connection).index(named: Self.hnsw).partitionIndexes.isEmpty)
        scoped.plan = .index(Self.hnsw)
        #expect(try engine.search(text: "Terraform", params: scoped).info.indexName == Self.hnsw)
        #expect(throws: VecscopeError.self) { _ = try partitions.undo() }
    }
}
