import Foundation
import VecCore

/// A database with the shipped fixtures loaded and embedded by MiniLM (full, summary, chunks), made once per run.
public enum FixtureDatabase {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var url: String?
    nonisolated(unsafe) private static var miniLM: MiniLM?

    /// The shared local model (loading it maps 90 MB; once is enough).
    public static func model() throws -> MiniLM {
        lock.lock()
        defer { lock.unlock() }
        if let miniLM { return miniLM }
        let model = try MiniLM(home: VecscopeHome.resolve())
        miniLM = model
        return model
    }

    public static func connectionURL() throws -> String {
        let embedder = try model()
        lock.lock()
        defer { lock.unlock() }
        if let url { return url }
        let (connection, databaseURL) = try TestDatabase.fresh()
        try loadAndEmbed(on: connection, model: embedder)
        url = databaseURL
        return databaseURL
    }

    /// Loads the fixture artifacts into a migrated database and embeds them (shipped vectors when they match).
    public static func loadAndEmbed(on connection: Connection, model: MiniLM? = nil) throws {
        let embedder = try model ?? self.model()
        _ = try ArtifactLoader(connection: connection).load(file: FixturePaths.file("artifacts.jsonl"))
        let summary = try EmbeddingPipeline(
            connection: connection, embedder: try shippedOrLive(embedder),
            model: try EmbeddingModelRegistry(connection: connection).model(named: embedder.modelName)
        ).run()
        guard summary.failedItems == 0 else {
            throw VecscopeError(what: "embedding the fixtures failed", why: summary.failures.joined(separator: "; "))
        }
    }

    /// The model answering from the shipped fixture vectors when the model still makes them (ShippedVectorsTests
    /// checks a sample against the live model). Embedding all 1,020 texts live takes over a minute on two cores,
    /// and every test waiting on `lock` meanwhile holds one of the two cooperative threads, which starved the HTTP
    /// tests into read timeouts.
    public static func shippedOrLive(_ model: MiniLM) throws -> any Embedder {
        let url = FixturePaths.file(ShippedVectors.fileName(model: model.modelName))
        guard FileManager.default.fileExists(atPath: url.path) else { return model }
        let shipped = try ShippedVectors(contentsOf: url)
        return try shipped.isMade(by: model) ? ShippedVectorEmbedder(base: model, shipped: shipped) : model
    }

    /// A new connection to the fixture database, and a search engine on it that reuses the shared model.
    public static func engine() throws -> (SearchEngine, Connection) {
        let connection = try Connection(try connectionURL())
        let embedder = try model()
        return (SearchEngine(connection: connection, makeEmbedder: { _ in embedder }), connection)
    }
}

extension TestDatabase {
    /// A fresh, migrated database holding the first `count` fixture artifacts (not embedded).
    public static func freshWithFixtureArtifacts(_ count: Int) throws -> (connection: Connection, url: String) {
        let (connection, url) = try fresh()
        let lines = try String(contentsOf: FixturePaths.file("artifacts.jsonl"), encoding: .utf8)
            .split(separator: "\n").prefix(count)
        let file = try scratchDirectory("slice").appendingPathComponent("artifacts.jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        _ = try ArtifactLoader(connection: connection).load(file: file)
        return (connection, url)
    }
}
