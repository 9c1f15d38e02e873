import Foundation
import TestSupport
import Testing

@testable import VecCore
@testable import VecTUI

/// The real backend's index jobs against a fresh PostgreSQL database: what the index view's keys end up doing.
@Suite("Engine backend: index jobs")
struct EngineBackendIndexTests {
    @Test func createListRebuildAndDropThroughTheBackend() throws {
        let (connection, url) = try TestDatabase.fresh()
        let data = SyntheticData(users: 10, artifacts: 400, dimensions: 16, seed: 11, clusters: 8, batchSize: 128)
        _ = try SyntheticDataLoader(connection: connection).load(data)
        let backend = EngineBackend(connect: { try Connection(url) })

        let empty = try backend.indexInventory()
        #expect(empty.indexes.isEmpty)
        #expect(empty.rowsByModel[data.model.name] == 400)

        let request = IndexRequest(model: data.model.name, type: .ivfflat, metric: .l2, lists: 4)
        let built = try backend.runIndexJob(.create(request), progress: { _ in })
        let spec = VectorIndexSpec(model: data.model, type: .ivfflat, metric: .l2, lists: 4)
        #expect(built.hasPrefix("built \(spec.name) in "))
        let listed = try #require(try backend.indexInventory().indexes.first)
        #expect(listed.name == spec.name && listed.type == "ivfflat" && listed.lists == 4 && listed.rows == 400)
        #expect(try backend.runIndexJob(.create(request), progress: { _ in }).contains("exists already"))

        // The health view's report is VecCore's `vecscope stats` on the same database.
        let health = try backend.healthReport()
        #expect(health.models.map(\.model) == [data.model.name])
        #expect(health.indexes.map(\.name) == [spec.name])
        #expect(health.tables.map(\.table).contains("artifact_embeddings"))

        #expect(try backend.runIndexJob(.reindex(spec.name), progress: { _ in }).hasPrefix("rebuilt \(spec.name)"))
        #expect(try backend.runIndexJob(.drop(spec.name), progress: { _ in }) == "dropped \(spec.name)")
        #expect(try backend.indexInventory().indexes.isEmpty)

        // A bad request comes back as the core's error, which the view shows.
        var bad = request
        bad.model = "no-such-model"
        #expect(throws: (any Error).self) { try backend.runIndexJob(.create(bad), progress: { _ in }) }
    }
}
