import Foundation
import TestSupport
import Testing

@testable import VecCore

/// The fixtures' vectors shipped in Fixtures/: read and written exactly, used only while the local model still makes
/// them, and only for texts whose hash they carry — so the first run stores ~1,000 vectors instead of embedding them.
@Suite struct ShippedVectorsTests {
    /// Counts what it embeds; vectors are the text's length in every component (distinct per text).
    final class CountingEmbedder: Embedder {
        let modelName: String
        let dimensions = 4
        let maxInputTokens = 256
        var texts: [String] = []
        init(modelName: String = "all-MiniLM-L6-v2") { self.modelName = modelName }
        func embed(_ texts: [String]) throws -> [[Float]] {
            self.texts += texts
            return texts.map { [Float]($0.count == 0 ? [1, 0, 0, 0] : [Float($0.count), 1, 2, 3]) }
        }
        func countTokens(_ text: String) -> Int { text.count }
    }

    @Test func aFileRoundTripsAndAnsweredTextsAreNotEmbedded() throws {
        let model = CountingEmbedder()
        let probe = try model.embed([ShippedVectors.defaultProbe])[0]
        let shipped = ShippedVectors(
            model: model.modelName, dimensions: 4, probeText: ShippedVectors.defaultProbe, probeVector: probe,
            vectors: [SHA256.hex("known text"): [0.5, -1.25, 3e-8, 7]])
        let url = try TestDatabase.scratchDirectory("shipped").appendingPathComponent("vectors.tsv")
        try shipped.write(to: url)
        let read = try ShippedVectors(contentsOf: url)
        #expect(read.vectors == shipped.vectors && read.probeVector == probe && read.model == model.modelName)
        #expect(try read.isMade(by: model))

        let counting = CountingEmbedder()
        let embedder = ShippedVectorEmbedder(base: counting, shipped: read)
        let vectors = try embedder.embed(["known text", "a changed text"])
        #expect(vectors == [[0.5, -1.25, 3e-8, 7], [14, 1, 2, 3]])
        #expect(counting.texts == ["a changed text"])
        #expect(embedder.reused == 1 && embedder.embedded == 1)
    }

    @Test func anotherModelOrADifferentProbeVectorGetsNothing() throws {
        let shipped = ShippedVectors(
            model: "all-MiniLM-L6-v2", dimensions: 4, probeText: "probe", probeVector: [0, 1, 0, 0], vectors: [:])
        #expect(try !shipped.isMade(by: CountingEmbedder()))  // "probe" embeds to [5, 1, 2, 3]
        #expect(try !shipped.isMade(by: CountingEmbedder(modelName: "other")))
        let url = try TestDatabase.scratchDirectory("shipped-bad").appendingPathComponent("vectors.tsv")
        try "model\tm\t4\nprobe\tp\tAAAA\n".write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: VecscopeError.self) { try ShippedVectors(contentsOf: url) }
    }

    /// The shipped file is what MiniLM makes today and covers every fixture text: a first-run set-up on the whole
    /// fixtures embeds only the probe, and stores the vectors the live model makes for a sample of the artifacts
    /// (every tenth: their full text and summary) — the fixture database itself is filled from the file.
    @Test func theFirstRunStoresTheShippedFixtureVectors() throws {
        let (connection, _) = try TestDatabase.fresh()
        let model = try EmbeddingModelRegistry(connection: connection).model(named: SearchParams.defaultModel)
        let miniLM = try FixtureDatabase.model()
        nonisolated(unsafe) var embeddedByModel = 0
        final class Counted: Embedder {
            let base: any Embedder
            let count: (Int) -> Void
            init(_ base: any Embedder, count: @escaping (Int) -> Void) {
                self.base = base
                self.count = count
            }
            var modelName: String { base.modelName }
            var dimensions: Int { base.dimensions }
            var maxInputTokens: Int { base.maxInputTokens }
            func embed(_ texts: [String]) throws -> [[Float]] {
                count(texts.count)
                return try base.embed(texts)
            }
            func countTokens(_ text: String) -> Int { base.countTokens(text) }
        }
        let setup = DemoSetup(
            connection: connection, fixtures: FixturePaths.folder, model: model,
            makeEmbedder: { _ in Counted(miniLM) { embeddedByModel += $0 } })
        var steps: [String] = []
        _ = try setup.run(loadFixtures: true, embed: true, progress: { _ in }, stepDone: { steps.append($0) })
        #expect(embeddedByModel == 1, "only the probe: \(steps)")
        #expect(steps.last?.contains("from Fixtures/vectors-all-MiniLM-L6-v2.tsv, 0 by the model") == true)
        #expect(try setup.plan().isEmpty)

        let (live, _) = try TestDatabase.fresh()
        _ = try ArtifactLoader(connection: live).load(file: FixturePaths.file("artifacts.jsonl"))
        let ids: [Int] = try live.query("SELECT id FROM artifacts ORDER BY id").rows.map { try $0.decode("id") }
        var options = EmbeddingPipeline.Options()
        options.artifactIDs = ids.enumerated().filter { $0.offset % 10 == 0 }.map(\.element)
        options.createIndexes = false
        options.contentTypes = [.full, .summary]
        let sample = try EmbeddingPipeline(
            connection: live, embedder: miniLM,
            model: try EmbeddingModelRegistry(connection: live).model(named: SearchParams.defaultModel)
        ).run(options)
        #expect(sample.failedItems == 0 && sample.embeddedCount >= 50, "\(sample)")
        func vectors(_ conn: Connection) throws -> [String: [Float]] {
            var out: [String: [Float]] = [:]
            for row in try conn.query(
                """
                SELECT a.external_id || '/' || e.content_type AS key, e.embedding_vector FROM artifact_embeddings e
                JOIN artifacts a ON a.id = e.artifact_id WHERE e.model_version = \(model.name)
                """
            ).rows {
                out[try row.decode("key")] = try row.decode("embedding_vector", as: Vector.self).values
            }
            return out
        }
        let shipped = try vectors(connection), embedded = try vectors(live)
        #expect(shipped.count == 504 && Set(embedded.keys).isSubset(of: shipped.keys))
        #expect(embedded.count == sample.embeddedCount)
        for (key, vector) in embedded {
            let other = shipped[key] ?? []
            let dot = zip(vector, other).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(dot >= 0.9999, "\(key)")
        }
    }
}
