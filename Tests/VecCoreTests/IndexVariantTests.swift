import Foundation
import TestSupport
import Testing

@testable import VecCore

/// Index variants (issue 18, item 1) on the real PostgreSQL + pgvector: full vectors, half precision and binary
/// quantization each build the expression index a pinned search then runs through (checked with EXPLAIN), a bit
/// index's candidates are re-ranked by the full-precision distance, and recall is measured against exact search.
@Suite struct IndexVariantTests {
    /// 3,000 synthetic 64-dimensional vectors with one HNSW index per variant.
    static func database() throws -> (SearchEngine, Connection, EmbeddingModel, [VectorQuantization: String]) {
        let (connection, url) = try TestDatabase.fresh()
        let data = SyntheticData(users: 10, artifacts: 3_000, dimensions: 64, seed: 5, clusters: 12, batchSize: 1_000)
        _ = try SyntheticDataLoader(connection: connection).load(data)
        let manager = IndexManager(connection: connection)
        var names: [VectorQuantization: String] = [:]
        for quantization in VectorQuantization.allCases {
            let spec = VectorIndexSpec(model: data.model, type: .hnsw, metric: .cosine, quantization: quantization)
            names[quantization] = try manager.create(spec, monitor: nil).name
        }
        return (SearchEngine(connection: try Connection(url)), connection, data.model, names)
    }

    static func params(_ model: EmbeddingModel, _ configure: (inout SearchParams) -> Void) -> SearchParams {
        var params = SearchParams()
        params.model = model.name
        params.explain = true
        configure(&params)
        return params
    }

    /// Stored vectors a little off their rows, so no query is one of the rows.
    static func queryVectors(_ connection: Connection, model: EmbeddingModel, count: Int) throws -> [[Float]] {
        let rows = try connection.query(
            """
            SELECT embedding_vector::text FROM artifact_embeddings WHERE model_version = \(model.name)
            ORDER BY id LIMIT \(count)::int8
            """
        ).rows
        return try rows.map { row in
            let text: String = try row.decode(0)
            let values = text.dropFirst().dropLast().split(separator: ",").compactMap { Float($0) }
            return values.enumerated().map { $0.element + ($0.offset % 3 == 0 ? 0.03 : -0.02) }
        }
    }

    @Test func eachVariantBuildsItsExpressionIndexAndListsItsSizeAndBuildTime() throws {
        let (_, connection, model, names) = try Self.database()
        let listed = try IndexManager(connection: connection).list()
        func info(_ quantization: VectorQuantization) throws -> VectorIndexInfo {
            try #require(listed.first { $0.name == names[quantization] })
        }
        let full = try info(.none), half = try info(.halfvec), bit = try info(.bit)
        #expect(full.quantization == .none && full.opclass == "vector_cosine_ops")
        #expect(half.quantization == .halfvec && half.opclass == "halfvec_cosine_ops")
        #expect(half.definition.contains("::halfvec(64)"))
        #expect(bit.quantization == .bit && bit.opclass == "bit_hamming_ops")
        #expect(bit.definition.contains("binary_quantize(embedding_vector)") && bit.definition.contains("::bit(64)"))
        for index in [full, half, bit] {
            #expect(index.model == model.name && index.rows == 3_000)
            #expect((index.buildSeconds ?? 0) > 0, "\(index.name): build time kept in its comment")
        }
        #expect(bit.sizeBytes < half.sizeBytes && half.sizeBytes < full.sizeBytes)
        // A rebuild records its own time.
        try connection.executeScript("COMMENT ON INDEX \(names[.bit] ?? "") IS NULL")
        #expect(try IndexManager(connection: connection).index(named: bit.name).buildSeconds == nil)
        try IndexManager(connection: connection).reindex(named: bit.name)
        #expect((try IndexManager(connection: connection).index(named: bit.name).buildSeconds ?? 0) > 0)
    }

    @Test func aPinnedVariantIsThePlanUsedAndItsRecallIsMeasuredAgainstFullPrecisionExact() throws {
        let (engine, connection, model, names) = try Self.database()
        let queries = try Self.queryVectors(connection, model: model, count: 8)
        var recall: [String: Double] = [:]
        var exactAnswers: [String: [[Int]]] = [:]
        let settings: [(label: String, quantization: VectorQuantization, rerank: Int?)] = [
            ("none", .none, nil), ("halfvec", .halfvec, nil), ("bit×1", .bit, 1), ("bit×8", .bit, 8),
        ]
        for setting in settings {
            let name = try #require(names[setting.quantization])
            var sum = 0.0
            for vector in queries {
                let params = Self.params(model) {
                    $0.plan = .index(name); $0.rerank = setting.rerank; $0.efSearch = 40
                }
                let measured = try engine.measureRecall(of: .vector(vector), params: params)
                #expect(measured.indexName == name, "\(setting.label): \(measured.plan ?? "no plan")")
                #expect(measured.rowsReturned == 10)
                sum += measured.recall
                exactAnswers[setting.label, default: []].append(measured.exactIDs)
            }
            recall[setting.label] = sum / Double(queries.count)
        }
        // The exact answer is full precision whatever index the measured search was pinned to.
        #expect(Set(exactAnswers.values.map { $0.map { $0.map(String.init).joined(separator: ",") } }).count == 1)
        let exact = try engine.exactTopIDs(vector: queries[0], params: Self.params(model) { _ in }, k: 10)
        #expect(exactAnswers["bit×8"]?.first == exact)
        #expect((recall["none"] ?? 0) >= 0.9, "\(recall)")
        #expect((recall["halfvec"] ?? 0) >= (recall["none"] ?? 0) - 0.05, "\(recall)")
        // Reading 8 × the limit by Hamming distance and re-ranking finds neighbours one-to-one reading misses.
        #expect((recall["bit×8"] ?? 0) > (recall["bit×1"] ?? 1), "\(recall)")
    }

    /// The re-ranked answer is the candidates the bit index gives for N × limit (the same HNSW scan, ef_search at
    /// least that many), ordered by the full-precision distance: computed here independently in SQL.
    @Test func reRankingReturnsTheBitCandidatesInFullPrecisionOrder() throws {
        let (engine, connection, model, names) = try Self.database()
        let bit = try #require(names[.bit])
        let vector = try #require(try Self.queryVectors(connection, model: model, count: 3).last)
        for depth in [2, 8] {
            // ef_search 10 is below the 10 × depth candidates: the search raises it so the scan can return them all.
            let response = try engine.search(
                .vector(vector),
                params: Self.params(model) {
                    $0.plan = .index(bit); $0.rerank = depth; $0.efSearch = 10
                })
            #expect(response.info.indexName == bit)
            let distances = response.results.map(\.cosineDistance)
            #expect(distances == distances.sorted(), "depth \(depth)")
            let expected = try connection.transaction { conn -> [Int] in
                try conn.execute(
                    """
                    SELECT set_config('hnsw.ef_search', \(String(10 * depth)), true),
                           set_config('enable_seqscan', 'off', true)
                    """)
                let rows = try conn.query(
                    """
                    SELECT artifact_id, (embedding_vector::vector(64) <=> \(Vector(vector)))::float8 AS distance
                    FROM artifact_embeddings WHERE model_version = 'synthetic-64'
                    ORDER BY binary_quantize(embedding_vector)::bit(64) <~> binary_quantize(\(Vector(vector))::vector(64))
                    LIMIT \(10 * depth)::int8
                    """
                ).rows
                let candidates = try rows.map {
                    (try $0.decode("artifact_id", as: Int.self), try $0.decode("distance", as: Double.self))
                }
                #expect(candidates.count == 10 * depth)
                return candidates.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(10).map(\.0)
            }
            #expect(response.results.map(\.artifactID) == expected, "depth \(depth)")
        }
    }

    @Test func variantDDLAndLimitsAreFixedWords() throws {
        let model = EmbeddingModel(name: "m-384", provider: .synthetic, dimensions: 384, storage: .vector)
        let half = VectorIndexSpec(model: model, quantization: .halfvec)
        #expect(half.name == "ae_hnsw_halfvec_cosine_m_384")
        #expect(half.createSQL().contains("((embedding_vector::halfvec(384)) halfvec_cosine_ops)"))
        let bit = VectorIndexSpec(model: model, type: .ivfflat, metric: .l2, quantization: .bit)
        #expect(bit.name == "ae_ivfflat_bit_hamming_m_384")
        #expect(bit.createSQL().contains("((binary_quantize(embedding_vector)::bit(384)) bit_hamming_ops)"))
        #expect(VectorIndexSpec(model: model).name == "ae_hnsw_cosine_m_384")
        let large = EmbeddingModel(name: "big", provider: .synthetic, dimensions: 3_072, storage: .halfvec)
        #expect(throws: VecscopeError.self) { try VectorIndexSpec(model: large, quantization: .halfvec).validate() }
        try VectorIndexSpec(model: large, quantization: .bit).validate()
        #expect(VectorQuantization(operatorClass: "bit_hamming_ops") == .bit)
        #expect(VectorQuantization(operatorClass: "halfvec_l2_ops") == .halfvec)
        #expect(VectorQuantization(operatorClass: "vector_ip_ops") == .none)
        var params = SearchParams()
        params.rerank = 0
        #expect(throws: VecscopeError.self) { try params.validate() }
        params.rerank = nil
        #expect(params.rerankDepth == SearchParams.defaultRerank)
    }
}

/// `tune index`'s choice, pure: the first value meeting recall within the latency bound; past the bound, none.
@Suite struct IndexTunerTests {
    static func row(ef: Int, recall: Double, p95: Double) -> SweepRow {
        SweepRow(
            setting: SweepSetting(efSearch: ef), queries: 10, recallMean: recall, recallMin: recall,
            latency: LatencyStats(samples: [p95]), serverLatency: nil, queriesPerSecond: 1, concurrency: 1,
            meanShortfall: 0, queriesShort: 0, plan: nil)
    }

    static let hnsw = PlannableIndex(
        name: "ae_hnsw_cosine_m", type: .hnsw, metric: .cosine, table: .artifactEmbeddings, model: "m")

    @Test func theFirstValueMeetingBothBoundsIsChosen() {
        let tuner = IndexTuner(index: Self.hnsw, targetRecall: 0.95, maxP95Ms: 5)
        let steps = [Self.row(ef: 10, recall: 0.8, p95: 1), Self.row(ef: 16, recall: 0.96, p95: 2)].map {
            IndexTuner.Step(row: $0)
        }
        #expect(tuner.verdict(Array(steps.prefix(1)), exhausted: false) == .undecided)
        #expect(tuner.verdict(steps, exhausted: false) == .chosen(steps[1]))
        #expect(tuner.tuning(steps[1], k: 10).summary == "tuned: ef_search 16 for recall@10 ≥ 0.95")
        let slow = [Self.row(ef: 10, recall: 0.8, p95: 1), Self.row(ef: 16, recall: 0.9, p95: 6)].map {
            IndexTuner.Step(row: $0)
        }
        guard case .unmet(let best, let reason) = tuner.verdict(slow, exhausted: false) else {
            Issue.record("expected unmet")
            return
        }
        #expect(best == slow[1].row && reason.contains("over --max-p95"))
        let short = IndexTuner(index: Self.hnsw, targetRecall: 0.99, maxP95Ms: nil)
        #expect(short.verdict(slow, exhausted: true).reason?.contains("largest ef_search tried") == true)
    }

    @Test func aValueWhoseJudgedJobsRankWorseThanExactSearchIsPassedOver() {
        let tuner = IndexTuner(index: Self.hnsw, targetRecall: 0.95, maxP95Ms: nil)
        let recallOnly = IndexTuner.Step(row: Self.row(ef: 16, recall: 0.97, p95: 1), ndcg: 0.64)
        let both = IndexTuner.Step(row: Self.row(ef: 20, recall: 0.99, p95: 1), ndcg: 0.724)
        // Recall alone would stop at 16; its judged nDCG is below exact search's, so the ladder goes on.
        #expect(tuner.verdict([recallOnly], exactNDCG: nil, exhausted: false) == .chosen(recallOnly))
        #expect(tuner.verdict([recallOnly], exactNDCG: 0.724, exhausted: false) == .undecided)
        #expect(tuner.verdict([recallOnly, both], exactNDCG: 0.724, exhausted: false) == .chosen(both))
        let never = tuner.verdict([recallOnly], exactNDCG: 0.724, exhausted: true)
        #expect(never.reason?.contains("nDCG@k stayed below exact search's 0.724 (best 0.640)") == true)
        let tuning = tuner.tuning(both, k: 10, exactNDCG: 0.724)
        #expect(tuning.ndcg == 0.724 && tuning.exactNDCG == 0.724 && tuning.value == 20)
    }

    @Test func probesStopAtTheIndexsLists() {
        #expect(IndexTuner.candidates(for: .ivfflat, lists: 20) == [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20])
        #expect(IndexTuner.candidates(for: .ivfflat, lists: 7).last == 7)
        #expect(IndexTuner.candidates(for: .hnsw, lists: nil).last == 1000)
    }

    @Test func aTuningAppliesOnlyToItsModel() {
        let tuning = IndexTuning(
            model: "m", index: "ae_ivfflat_cosine_m", knob: "probes", value: 6, k: 10, targetRecall: 0.9, recall: 0.92,
            p95Ms: 1)
        var params = SearchParams()
        params.model = "other"
        #expect(!tuning.apply(to: &params) && params.probes == 1)
        params.model = "m"
        #expect(tuning.apply(to: &params) && params.probes == 6 && params.efSearch == 40)
    }
}
