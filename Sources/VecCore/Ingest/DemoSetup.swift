import Foundation
import Logging

/// Gets a database ready for the explorer: the shipped fixtures on an empty database, the fixture grades when no
/// grades are stored, and the default model's missing vectors. Every step commits as it goes, so stopping half-way
/// loses nothing and the next run carries on.
public struct DemoSetup {
    /// A step of the set-up, as the progress screen names it.
    public enum Step: String, Sendable, Equatable, CaseIterable {
        case loading = "loading the fixture artifacts"
        case grading = "importing the fixture grades"
        /// Reading the artifacts and splitting their content into chunks, before the first text is embedded.
        case preparing = "finding the texts to embed (and splitting long content into chunks)"
        case embedding = "embedding"
    }

    /// Where a step is: `done` of `total` (records or texts).
    public struct Progress: Sendable, Equatable {
        public var step: Step
        public var done: Int
        public var total: Int

        public init(step: Step, done: Int, total: Int) {
            self.step = step
            self.done = done
            self.total = total
        }
    }

    /// What needs doing, measured before anything is written.
    public struct Plan: Sendable, Equatable {
        /// The database holds no artifacts and the fixtures are at hand.
        public var loadsFixtures: Bool
        /// Artifacts without a current vector of the model (0 while the fixtures are still to be loaded: the
        /// embedding step then covers all of theirs).
        public var artifactsToEmbed: Int
        public var model: String

        public var isEmpty: Bool { !loadsFixtures && artifactsToEmbed == 0 }
    }

    public let connection: Connection
    /// The folder with artifacts.jsonl, jobs.jsonl and judgments.tsv; nil when it cannot be found.
    public let fixtures: URL?
    public let model: EmbeddingModel
    public let makeEmbedder: (EmbeddingModel) throws -> any Embedder
    private let logger = Logger(label: "vecscope.setup")

    public init(
        connection: Connection, fixtures: URL?, model: EmbeddingModel,
        makeEmbedder: @escaping (EmbeddingModel) throws -> any Embedder = { try EmbedderFactory.make(for: $0) }
    ) {
        self.connection = connection
        self.fixtures = fixtures
        self.model = model
        self.makeEmbedder = makeEmbedder
    }

    public func plan() throws -> Plan {
        let empty = try Inventory(connection: connection).artifactCount() == 0
        let loads =
            empty
            && fixtures.map {
                FileManager.default.fileExists(atPath: $0.appendingPathComponent("artifacts.jsonl").path)
            } == true
        // A count, not the pipeline's plan: planning chunks and tokens for a large database would delay start-up.
        let missing = loads ? 0 : try ModelStatus.of(model, connection: connection).needingEmbedding
        return Plan(loadsFixtures: loads, artifactsToEmbed: missing, model: model.name)
    }

    /// Runs the plan's steps; `stepDone` gets one line per finished step ("loaded 252 artifacts…"). Returns a line
    /// for the whole run.
    public func run(
        loadFixtures: Bool, embed: Bool, progress: @escaping (Progress) -> Void, stepDone: (String) -> Void
    ) throws -> String {
        var lines: [String] = []
        func finish(_ line: String) {
            lines.append(line)
            stepDone(line)
        }
        if loadFixtures, let fixtures {
            let summary = try ArtifactLoader(connection: connection)
                .load(file: fixtures.appendingPathComponent("artifacts.jsonl")) {
                    progress(Progress(step: .loading, done: $0, total: $1))
                }
            finish(
                "loaded \(summary.inserted + summary.updated + summary.unchanged) artifacts of \(summary.users) people"
                    + (summary.rejected.isEmpty ? "" : " (\(summary.rejected.count) lines rejected)"))
        }
        if loadFixtures, let fixtures {
            progress(Progress(step: .grading, done: 0, total: 1))
            if let imported = try JudgmentStore(connection: connection).importFixtureGradesIfNone(from: fixtures) {
                finish("imported \(imported.grades) recruiter grades for \(imported.jobs) fixture jobs")
            }
        }
        if embed {
            let (embedder, shipped) = try embedderUsingShippedVectors()
            let pipeline = try EmbeddingPipeline(connection: connection, embedder: embedder, model: model)
            let summary = try pipeline.run(
                preparing: { progress(Progress(step: .preparing, done: $0, total: $1)) },
                progress: { progress(Progress(step: .embedding, done: $0, total: $1)) })
            if summary.failedItems > 0 {
                throw VecscopeError(
                    what: "\(summary.failedItems) texts failed to embed", why: summary.failures.first,
                    fix: "Run `vecscope embed` to retry; the others are stored.")
            }
            var line = String(
                format: "embedded %d texts with %@ in %.0fs", summary.embeddedCount, model.name, summary.seconds)
            if let shipped {
                line +=
                    " (\(shipped.reused) from Fixtures/\(ShippedVectors.fileName(model: model.name)), "
                    + "\(shipped.embedded) by the model)"
            }
            finish(line)
        }
        return lines.isEmpty ? "nothing to do" : lines.joined(separator: "; ")
    }

    /// The model's embedder, answering from the fixtures' shipped vectors (`ShippedVectors`) when the fixtures hold
    /// a file for the model and the model still makes its probe vector; else the model alone. A file that cannot
    /// be read is skipped (logged): the texts are then embedded, only slower.
    private func embedderUsingShippedVectors() throws -> (any Embedder, ShippedVectorEmbedder?) {
        let base = try makeEmbedder(model)
        guard let fixtures else { return (base, nil) }
        let url = fixtures.appendingPathComponent(ShippedVectors.fileName(model: model.name))
        guard FileManager.default.fileExists(atPath: url.path) else { return (base, nil) }
        do {
            let shipped = try ShippedVectors(contentsOf: url)
            guard try shipped.isMade(by: base) else {
                logger.warning("\(url.lastPathComponent) was not made by this \(model.name); embedding every text")
                return (base, nil)
            }
            let embedder = ShippedVectorEmbedder(base: base, shipped: shipped)
            return (embedder, embedder)
        } catch {
            logger.warning("\(url.lastPathComponent) skipped: \(ErrorReport(error).oneLine)")
            return (base, nil)
        }
    }
}
