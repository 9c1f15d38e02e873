import Foundation
import TestSupport
import Testing
import VecCore

/// The typed response bodies print, byte for byte, what the `[String: Any]` builders they replaced printed
/// (`LegacyJSON`): the same key names, the same number/string/bool/null types, the same values, the same order.
/// Real responses from the fixture database, plus the edge values (scores never computed, ranks missing).
@Suite struct ResponseBodyTests {
    func expectSameJSON(
        _ body: some Encodable, _ legacy: Any, pretty: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let typed = try JSONText.encode(body, pretty: pretty)
        let reference = try LegacyJSON.text(legacy, pretty: pretty)
        let typedLines = typed.split(separator: "\n", omittingEmptySubsequences: false)
        let referenceLines = reference.split(separator: "\n", omittingEmptySubsequences: false)
        let firstDifference = zip(typedLines, referenceLines).enumerated().first { $0.element.0 != $0.element.1 }
        let line = (firstDifference?.offset ?? min(typedLines.count, referenceLines.count)) + 1
        let typedLine = firstDifference.map { String($0.element.0) } ?? "(end)"
        let referenceLine = firstDifference.map { String($0.element.1) } ?? "(end)"
        #expect(
            typed == reference, "line \(line): typed \(typedLine), was \(referenceLine)",
            sourceLocation: sourceLocation)
    }

    static func searchParams() -> [SearchParams] {
        var semantic = SearchParams()
        semantic.limit = 5
        var hybrid = SearchParams()
        hybrid.method = .hybrid
        hybrid.limit = 4
        hybrid.fusion = .weighted(alpha: 0.5)
        hybrid.userScope = .user("u01")
        hybrid.artifactTypes = [.project, .talk]
        hybrid.contentTypes = [.full, .chunk]
        hybrid.similarityThreshold = 0.1
        hybrid.explain = true
        var keyword = SearchParams()
        keyword.method = .keyword
        keyword.metric = .l2
        keyword.limit = 3
        var innerProduct = SearchParams()
        innerProduct.metric = .innerProduct
        innerProduct.iterativeScan = .relaxedOrder
        innerProduct.limit = 3
        return [semantic, hybrid, keyword, innerProduct]
    }

    @Test(arguments: searchParams())
    func searchBodyPrintsTheOldJSON(params: SearchParams) throws {
        let (engine, _) = try FixtureDatabase.engine()
        let response = try engine.search(text: "kubernetes observability with Prometheus", params: params)
        try #require(!response.results.isEmpty)
        try expectSameJSON(SearchResponseBody(response), LegacyJSON.search(response, metric: params.metric))
    }

    @Test func scoresNeverComputedAreNullInSearchAndRank() throws {
        let (engine, _) = try FixtureDatabase.engine()
        var response = try engine.search(text: "Rust compiler", params: SearchParams())
        response.results[0].similarity = .nan
        response.results[0].cosineDistance = .nan
        response.results[0].l2Distance = .nan
        response.results[0].innerProduct = .nan
        response.results[0].keywordScore = nil
        response.results[0].semanticRank = nil
        response.results[0].keywordRank = nil
        response.info.plan = "Seq Scan"
        response.info.serverExecutionMs = 1.5
        try expectSameJSON(SearchResponseBody(response), LegacyJSON.search(response, metric: .cosine))
        try expectSameJSON(RankResponseBody(response), LegacyJSON.rank(response))
        let text = try JSONText.encode(RankResponseBody(response))
        #expect(text.contains("\"semantic_similarity\" : null") && text.contains("\"keyword_rank\" : null"))
        // An HTTP client reads back what the server wrote, nulls included.
        #expect(try JSONDecoder().decode(RankResponseBody.self, from: Data(text.utf8)) == RankResponseBody(response))
        let searchText = try JSONText.encode(SearchResponseBody(response))
        let searchBody = try JSONDecoder().decode(SearchResponseBody.self, from: Data(searchText.utf8))
        #expect(searchBody == SearchResponseBody(response))
    }

    @Test(arguments: [RankingMethod.hybrid, .semantic, .keyword])
    func rankBodyPrintsTheOldJSON(method: RankingMethod) throws {
        let (engine, _) = try FixtureDatabase.engine()
        let response = try engine.rank(
            jobDescription: "Senior Go engineer: PostgreSQL, Kubernetes, observability",
            method: method, topK: 4)
        try #require(!response.results.isEmpty)
        try expectSameJSON(RankResponseBody(response), LegacyJSON.rank(response))
    }

    @Test func benchRowsPrintTheOldJSON() throws {
        let url = try FixtureDatabase.connectionURL()
        let connection = try Connection(url)
        let queries = try SweepQuery.storedSample(connection, model: SearchParams.defaultModel, count: 3)
        let sweep = Sweep(base: SearchParams(), k: 5, serverSamples: 2, forceIndexScan: true) {
            SearchEngine(connection: try Connection(url))
        }
        var rows = try sweep.run(
            [SweepSetting(efSearch: 10), SweepSetting(efSearch: 40, iterativeScan: .strictOrder)],
            queries: queries)
        try #require(rows.count == 2 && rows[0].serverLatency != nil)
        rows[1].serverLatency = nil
        rows[1].plan = nil
        for userScoped in [false, true] {
            try expectSameJSON(
                rows.map { SweepRowBody($0, k: 5, userScoped: userScoped) },
                LegacyJSON.bench(rows, k: 5, userScoped: userScoped))
        }
    }

    @Test func modelsPrintTheOldJSON() throws {
        let statuses = try ModelStatus.all(connection: try Connection(try FixtureDatabase.connectionURL()))
        try #require(!statuses.isEmpty)
        try expectSameJSON(statuses.map(ModelStatusBody.init), LegacyJSON.models(statuses))
    }

    /// load, gen, embed, index create and index list on a small fresh database.
    @Test func operationBodiesPrintTheOldJSON() throws {
        let (connection, _) = try TestDatabase.fresh()
        let file = try TestDatabase.scratchDirectory("bodies").appendingPathComponent("small.jsonl")
        try """
        {"id": "s1", "user": "u1", "artifact_type": "project", "title": "Tracing", "content": "OpenTelemetry"}
        {"id": "s2", "user": "u1", "artifact_type": "hobby", "title": "Bad type"}
        {"id": "s3", "user": "u2", "artifact_type": "talk", "title": "Vectors", "content": "pgvector HNSW"}
        """.write(to: file, atomically: true, encoding: .utf8)
        let loaded = try ArtifactLoader(connection: connection).load(file: file)
        try #require(loaded.rejected.count == 1)
        try expectSameJSON(LoadSummaryBody(loaded), LegacyJSON.load(loaded))

        let generated = try SyntheticDataLoader(connection: connection)
            .load(SyntheticData(users: 3, artifacts: 40, dimensions: 8, clusters: 2))
        try expectSameJSON(SyntheticDataBody(generated, dimensions: 8), LegacyJSON.gen(generated, dimensions: 8))

        let registry = EmbeddingModelRegistry(connection: connection)
        let miniLM = try registry.model(named: SearchParams.defaultModel)
        let embedder = try FixtureDatabase.model()
        let pipeline = try EmbeddingPipeline(connection: connection, embedder: embedder, model: miniLM)
        let embedded = try pipeline.run()
        try #require(!embedded.embedded.isEmpty && !embedded.createdIndexes.isEmpty)
        try expectSameJSON(
            EmbeddingRunBody(embedded, model: miniLM.name),
            LegacyJSON.embed(embedded, model: miniLM.name))

        let manager = IndexManager(connection: connection)
        let spec = VectorIndexSpec(
            model: try registry.model(named: generated.model), type: .ivfflat,
            metric: .innerProduct, lists: 2)
        let created = try manager.create(spec, monitor: nil)
        try expectSameJSON(IndexCreationBody(created, rows: 40), LegacyJSON.indexCreate(created, rows: 40))

        var indexes = try manager.list()
        try #require(indexes.contains { $0.lists != nil } && indexes.contains { $0.m != nil })
        indexes[0].model = nil
        try expectSameJSON(indexes.map(VectorIndexBody.init), LegacyJSON.indexList(indexes))
        #expect(try JSONText.encode(VectorIndexBody(indexes[0])).contains("\"model\" : null"))
    }

    @Test func indexListOfTheFixturesPrintsTheOldJSON() throws {
        let indexes = try IndexManager(connection: try Connection(try FixtureDatabase.connectionURL())).list()
        try #require(!indexes.isEmpty)
        try expectSameJSON(indexes.map(VectorIndexBody.init), LegacyJSON.indexList(indexes))
    }

    @Test func embedTextPrintsTheOldCompactJSON() throws {
        let model = try FixtureDatabase.model()
        let vectors = try model.embed(["A man is eating food.", "pgvector"])
        try expectSameJSON(
            TextEmbeddingsBody(model: model.modelName, dimensions: model.dimensions, vectors: vectors),
            LegacyJSON.embedText(model: model.modelName, dimensions: model.dimensions, vectors: vectors),
            pretty: false)
    }

    @Test func serverStatusPrintsTheOldJSONRunningOrNot() throws {
        _ = try TestDatabase.serverURL()
        let sharedData = TestDatabase.root.appendingPathComponent("shared/pgdata")
        let install = TestDatabase.installDirectory
        let running = EmbeddedPostgres(installDirectory: install, dataDirectory: sharedData).status()
        let neverStarted = try TestDatabase.scratchDirectory("status")
        let absent = EmbeddedPostgres(installDirectory: install, dataDirectory: neverStarted).status()
        try #require(running.running && running.pid != nil && !absent.running && absent.pid == nil)
        for status in [running, absent] {
            try expectSameJSON(ServerStatusBody(status), LegacyJSON.dbStatus(status))
        }
    }
}
