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
        #expect(response.results.count == 10)
        #expect(response.results.first?.externalID == source)
        #expect(abs((response.results.first?.similarity ?? 0) - 1) < 1e-5)
        let recall = try engine.measureRecall(
            ofSearchFor: "@\(source)", params: params, measuredIDs: response.results.map(\.artifactID))
        #expect(recall.recall == 1)
        #expect(recall.exactIDs == response.results.map(\.artifactID))
        // Hybrid matches the artifact's own words and fuses them with its vector.
        params.method = .hybrid
        let hybrid = try engine.search(text: "@\(source)", params: params)
        #expect(hybrid.results.first?.externalID == source)
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
        #expect(own.results.first?.externalID == "a001")
        #expect(own.results.first?.userExternalID == "u01")
    }
}
