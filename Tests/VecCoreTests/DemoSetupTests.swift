import Foundation
import TestSupport
import Testing

@testable import VecCore

/// The first-run set-up the TUI shows on its progress screen, on a fresh database with a slice of the fixtures.
@Suite struct DemoSetupTests {
    /// Three artifacts of u01, their grades for j01, and the jobs file: enough to exercise every step quickly.
    static func smallFixtures() throws -> URL {
        let folder = try TestDatabase.scratchDirectory("demo-setup")
        let artifacts =
            try String(contentsOf: FixturePaths.file("artifacts.jsonl"), encoding: .utf8)
            .split(separator: "\n").prefix(3).joined(separator: "\n") + "\n"
        try artifacts.write(to: folder.appendingPathComponent("artifacts.jsonl"), atomically: true, encoding: .utf8)
        try "j01\ta001\t2\nj01\ta002\t3\nj01\ta003\t1\n".write(
            to: folder.appendingPathComponent("judgments.tsv"),
            atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: FixturePaths.file("jobs.jsonl"), to: folder.appendingPathComponent("jobs.jsonl"))
        return folder
    }

    @Test func firstRunLoadsGradesAndEmbedsThenHasNothingLeft() throws {
        let (connection, _) = try TestDatabase.fresh()
        let model = try EmbeddingModelRegistry(connection: connection).model(named: SearchParams.defaultModel)
        let embedder = try FixtureDatabase.model()
        let setup = DemoSetup(
            connection: connection, fixtures: try Self.smallFixtures(), model: model, makeEmbedder: { _ in embedder })
        let plan = try setup.plan()
        #expect(plan.loadsFixtures && !plan.isEmpty)

        nonisolated(unsafe) var seen: [DemoSetup.Progress] = []
        var steps: [String] = []
        let summary = try setup.run(
            loadFixtures: true, embed: true, progress: { seen.append($0) }, stepDone: { steps.append($0) })
        #expect(steps.count == 3)
        #expect(steps[0] == "loaded 3 artifacts of 1 people")
        #expect(steps[1].hasPrefix("imported 3 recruiter grades"))
        #expect(steps[2].hasPrefix("embedded ") && steps[2].contains("all-MiniLM-L6-v2"))
        #expect(summary == steps.joined(separator: "; "))
        #expect(Set(seen.map(\.step)) == [.loading, .grading, .preparing, .embedding])
        // Finding the texts (and chunking them) counts artifacts from the start: no silent phase before embedding.
        let preparing = seen.filter { $0.step == .preparing }
        #expect(preparing.first?.done == 0 && preparing.last?.done == 3 && preparing.last?.total == 3)
        let last = try #require(seen.last { $0.step == .embedding })
        #expect(last.done == last.total && last.total >= 6)  // full + summary per artifact, plus chunks of long ones

        #expect(try setup.plan().isEmpty)
        // Changing an artifact's text makes it due again, and the plan counts it without loading the model.
        try connection.execute(
            "UPDATE artifacts SET content = content || ' (updated)', content_hash = repeat('0', 64) WHERE external_id = 'a001'"
        )
        #expect(try setup.plan() == DemoSetup.Plan(loadsFixtures: false, artifactsToEmbed: 1, model: model.name))
    }

    @Test func aDatabaseWithArtifactsIsNotReloadedAndWithoutFixturesNothingLoads() throws {
        let (connection, _) = try TestDatabase.fresh()
        let model = try EmbeddingModelRegistry(connection: connection).model(named: SearchParams.defaultModel)
        let none = DemoSetup(connection: connection, fixtures: nil, model: model)
        #expect(try none.plan() == DemoSetup.Plan(loadsFixtures: false, artifactsToEmbed: 0, model: model.name))
        _ = try ArtifactLoader(connection: connection).load(
            file: try Self.smallFixtures().appendingPathComponent("artifacts.jsonl"))
        let setup = DemoSetup(connection: connection, fixtures: try Self.smallFixtures(), model: model)
        #expect(try setup.plan() == DemoSetup.Plan(loadsFixtures: false, artifactsToEmbed: 3, model: model.name))
    }
}
