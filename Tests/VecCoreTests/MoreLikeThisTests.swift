import Foundation
import TestSupport
import Testing

@testable import VecCore

/// "More like this": an artifact named in the query (`@a042`, `@u01/a042`) is searched by its stored vector, so a
/// model with no text embedder (`vecscope gen`) is searchable, and recall is measured for it like for any query.
@Suite struct MoreLikeThisTests {
    @Test func referencesParseOnlyAsOneToken() {
        #expect(MoreLikeThis(parsing: "@a042") == MoreLikeThis(externalID: "a042"))
        #expect(MoreLikeThis(parsing: "  @u01/a042\n") == MoreLikeThis(externalID: "a042", user: "u01"))
        #expect(MoreLikeThis(parsing: "@a042 and more") == nil)
        #expect(MoreLikeThis(parsing: "email me @ home") == nil)
        #expect(MoreLikeThis(parsing: "@") == nil)
        #expect(MoreLikeThis(parsing: "@u01/") == nil)
        #expect(MoreLikeThis(externalID: "a042", user: "u01").text == "@u01/a042")
    }

    @Test func aSyntheticModelsDataIsSearchableByAStoredVector() throws {
        let (connection, url) = try TestDatabase.fresh()
        let data = SyntheticData(users: 5, artifacts: 400, dimensions: 16, seed: 3, clusters: 4, batchSize: 256)
        _ = try SyntheticDataLoader(connection: connection).load(data)
        let engine = SearchEngine(connection: try Connection(url))
        var params = SearchParams()
        params.model = data.model.name
        // Text cannot be embedded by a synthetic model; the error says how to search it instead.
        do {
            _ = try engine.search(text: "vector search", params: params)
            Issue.record("a synthetic model embedded text")
        } catch {
            #expect(ErrorReport(error).oneLine.contains("type @ and its id"))
        }
        let source = "\(SyntheticData.artifactPrefix)7"
        let response = try engine.search(text: "@\(source)", params: params)
        // More like it, so not itself: the source (similarity 1 to its own vector) is left out, and the limit is
        // still filled by the others.
        #expect(response.results.count == 10)
        #expect(!response.results.contains { $0.externalID == source })
        #expect(response.results.allSatisfy { $0.similarity < 1 - 1e-6 })
        let recall = try engine.measureRecall(
            ofSearchFor: "@\(source)", params: params, measuredIDs: response.results.map(\.artifactID))
        #expect(recall.recall == 1)
        #expect(recall.exactIDs == response.results.map(\.artifactID))
        // Exact search with the same vector and nothing left out has the source first: the exclusion is the only
        // difference.
        let sourceVector = try #require(
            try connection.query(
                """
                SELECT e.embedding_vector FROM artifact_embeddings e JOIN artifacts a ON a.id = e.artifact_id
                WHERE a.external_id = \(source) AND e.model_version = \(data.model.name)
                """
            ).scalar(Vector.self))
        let unexcluded = try engine.exactTopIDs(vector: sourceVector.values, params: params, k: 11)
        #expect(Array(unexcluded.dropFirst()) == recall.exactIDs)
        // Hybrid matches the artifact's own words and fuses them with its vector; it leaves the source out too.
        params.method = .hybrid
        let hybrid = try engine.search(text: "@\(source)", params: params)
        #expect(hybrid.results.count == 10)
        #expect(!hybrid.results.contains { $0.externalID == source })
    }

    @Test func unknownAndUnembeddedReferencesSayWhatToDo() throws {
        let (engine, _) = try FixtureDatabase.engine()
        func failure(_ text: String, _ configure: (inout SearchParams) -> Void = { _ in }) -> String {
            var params = SearchParams()
            configure(&params)
            do {
                _ = try engine.search(text: text, params: params)
                return "no error"
            } catch {
                return ErrorReport(error).oneLine
            }
        }
        #expect(failure("@a999").contains("no artifact @a999"))
        #expect(failure("@u02/a001").contains("user u02 has no artifact with that id"))
        let own = try engine.search(text: "@u01/a001", params: SearchParams())
        #expect(own.results.count == 10)
        #expect(!own.results.contains { $0.externalID == "a001" && $0.userExternalID == "u01" })
    }
}
