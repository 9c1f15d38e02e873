import Foundation
import TestSupport
import Testing

@testable import VecCore

/// The data version a TUI sweep is measured on: equal while nothing changes, different once artifacts are loaded,
/// edited or deleted, or the model's vectors change.
@Suite struct DataVersionTests {
    @Test func aLoadAnEditAndADeleteEachChangeTheVersion() throws {
        let (connection, _) = try TestDatabase.fresh()
        let data = SyntheticData(users: 2, artifacts: 50, dimensions: 8, seed: 5, clusters: 2, batchSize: 64)
        _ = try SyntheticDataLoader(connection: connection).load(data)
        let inventory = Inventory(connection: connection)
        let model = data.model.name
        let first = try inventory.dataVersion(model: model)
        #expect(first.artifacts == 50)
        #expect(first.vectors == 50)
        #expect(first.artifactsChanged != nil && first.vectorsChanged != nil)
        #expect(try inventory.dataVersion(model: model) == first)

        let file = TestDatabase.root.appendingPathComponent("data-version-\(getpid()).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        func load(_ title: String) throws {
            let line =
                #"{"id": "dv1", "user": "u01", "artifact_type": "talk", "title": "\#(title)", "#
                + #""description": "d", "content": "c"}"#
            try (line + "\n").write(to: file, atomically: true, encoding: .utf8)
            _ = try ArtifactLoader(connection: connection).load(file: file)
        }
        try load("Loaded after the sweep")
        let loaded = try inventory.dataVersion(model: model)
        #expect(loaded.artifacts == 51)
        #expect(loaded != first)
        // An edit keeps the counts; its timestamp moves.
        try load("Edited after the sweep")
        let edited = try inventory.dataVersion(model: model)
        #expect(edited.artifacts == 51)
        #expect(edited != loaded)
        // Deleting a vector of the model changes it too.
        _ = try connection.execute(
            "DELETE FROM artifact_embeddings WHERE id = (SELECT id FROM artifact_embeddings WHERE model_version = \(model) LIMIT 1)"
        )
        let deleted = try inventory.dataVersion(model: model)
        #expect(deleted.vectors == 49)
        #expect(deleted != edited)
    }
}
