import Foundation
import Testing

@testable import VecCore
@testable import VecTUI

private func info(
    _ name: String, type: String = "hnsw", model: String = SearchParams.defaultModel, valid: Bool = true,
    scans: Int = 12
) -> VectorIndexInfo {
    VectorIndexInfo(
        name: name, schema: "public", table: "artifact_embeddings", model: model, type: type,
        opclass: "vector_cosine_ops", m: type == "hnsw" ? 16 : nil, efConstruction: type == "hnsw" ? 64 : nil,
        lists: type == "ivfflat" ? 100 : nil, sizeBytes: 2_500_000, rows: 252, scans: scans, valid: valid,
        definition: "CREATE INDEX \(name) …")
}

private let inventory = IndexInventory(
    indexes: [
        info("ae_hnsw_cosine_all_minilm_l6_v2"), info("ae_ivfflat_l2_all_minilm_l6_v2", type: "ivfflat", valid: false),
    ],
    rowsByModel: [SearchParams.defaultModel: 252, "synthetic-1536": 100_000])

/// A state with the index view open and listed.
private func indexViewOpen(size: Size = Size(width: 80, height: 24)) -> AppState {
    var state = Fixture.searched(size: size)
    state.focus = .results
    state.choices = ParameterChoices(users: ["u01"], models: [SearchParams.defaultModel, "synthetic-1536"])
    press(&state, .char("i"))
    _ = reduce(&state, .indexesLoaded(.success(inventory)))
    return state
}

@Suite("Index view")
struct IndexViewTests {
    @Test func iOpensTheViewAndListsTheIndexes() throws {
        var state = Fixture.searched()
        state.focus = .results
        let effects = press(&state, .char("i"))
        #expect(state.overlay == .indexes)
        #expect(effects == [.loadIndexes])
        #expect(render(state).contains("reading the catalog"))
        _ = reduce(&state, .indexesLoaded(.success(inventory)))
        let grid = render(state)
        #expect(grid.contains("Vector indexes"))
        #expect(grid.contains("2 vector indexes"))
        let row = try #require(grid.row(containing: "ae_hnsw_cosine"))
        #expect(row.contains("hnsw") && row.contains("m 16 ef 64") && row.contains("2.4 MB"))
        #expect(grid.contains("✖ ae_ivfflat_l2"))
        #expect(grid.contains("lists 100"))
        #expect(grid.contains("model all-MiniLM-L6-v2 · artifact_embeddings · cosine (vector_cosine_ops)"))
        press(&state, .down)
        #expect(render(state).contains("INVALID: r rebuilds, D drops"))
    }

    /// Issue 18, item 5: the selected index names its variant and how long vecscope's build of it took.
    @Test func theSelectedIndexNamesItsVariantAndBuildTime() throws {
        var bit = info("ae_hnsw_bit_hamming_all_minilm_l6_v2")
        bit.opclass = "bit_hamming_ops"
        bit.quantization = .bit
        bit.sizeBytes = 80_000
        bit.buildSeconds = 9.25
        var state = Fixture.searched(size: Size(width: 120, height: 30))
        state.focus = .results
        press(&state, .char("i"))
        _ = reduce(
            &state,
            .indexesLoaded(.success(IndexInventory(indexes: [bit], rowsByModel: [SearchParams.defaultModel: 252]))))
        let grid = render(state)
        #expect(grid.contains("ae_hnsw_bit_hamming_all_minilm_l6_v2 · bit · m=16 ef_construction=64 · built in 9.2s"))
        #expect(grid.contains("artifact_embeddings · hamming (bit_hamming_ops)"))
        #expect(try #require(grid.row(containing: "ae_hnsw_bit_hamming")).contains("78.1 kB"))
    }

    @Test func iTypesWhileEditingAndEscClosesTheView() {
        var state = Fixture.searched()
        state.enterEditor()
        press(&state, .char("i"))
        #expect(state.overlay == nil)
        state = indexViewOpen()
        press(&state, .escape)
        #expect(state.overlay == nil)
    }

    @Test func anEmptyCatalogSaysSearchesAreExact() {
        var state = Fixture.searched()
        state.focus = .results
        press(&state, .char("i"))
        _ = reduce(&state, .indexesLoaded(.success(IndexInventory(indexes: [], rowsByModel: [:]))))
        #expect(render(state).contains("No vector index yet"))
        #expect(press(&state, .char("r")).isEmpty)
        #expect(state.message?.text.contains("no index selected") == true)
        _ = reduce(&state, .indexesLoaded(.failure(TUIError(message: "permission denied"))))
        #expect(render(state).contains("could not list the indexes: permission denied"))
    }

    @Test func newIndexFormStartsOnTheSearchedModelAndSteps() throws {
        var state = indexViewOpen()
        press(&state, .char("n"))
        let form = try #require(state.indexView.form)
        #expect(form.request == IndexRequest(model: SearchParams.defaultModel).recommended(rows: 252))
        var grid = render(state)
        #expect(grid.contains("New index"))
        #expect(grid.contains("◀ all-MiniLM-L6-v2 ▶"))
        #expect(grid.contains("ef_construction"))
        #expect(!grid.contains("lists "))  // an HNSW form has no lists field
        press(&state, .right)  // model → synthetic-1536
        #expect(state.indexView.form?.request.model == "synthetic-1536")
        press(&state, .down, .right)  // type → ivfflat
        #expect(state.indexView.form?.request.type == .ivfflat)
        grid = render(state)
        #expect(grid.contains("lists"))
        #expect(!grid.contains("ef_construction"))
        // 100 lists for 100,000 rows is the guidance; 1 list is far from it and the form says so.
        press(&state, .down, .down)
        #expect(state.indexView.form?.field == .lists)
        for _ in 0..<40 { press(&state, Key(.left, .shift)) }
        #expect(state.indexView.form?.request.lists == 1)
        #expect(render(state).contains("advice:"))
        press(&state, .char("a"))
        #expect(state.indexView.form?.request.lists == IndexAdvice.recommendedLists(rows: 100_000))
        // q is not quit inside the form, and Esc closes the form but not the view.
        press(&state, .char("q"))
        #expect(!state.isQuitting)
        press(&state, .escape)
        #expect(state.indexView.form == nil && state.overlay == .indexes)
    }

    @Test func enterBuildsInTheBackgroundWithALiveBar() throws {
        var state = indexViewOpen()
        state.now = 100
        press(&state, .char("n"))
        let effects = press(&state, .enter)
        let request = IndexRequest(model: SearchParams.defaultModel).recommended(rows: 252)
        #expect(effects == [.runIndexJob(.create(request))])
        #expect(state.indexView.form == nil)
        #expect(render(state).contains("creating hnsw cosine m 16 ef_construction 64 on all-MiniLM-L6-v2"))
        #expect(render(state).contains("waiting for PostgreSQL to report progress"))
        _ = reduce(&state, .tick(now: 101))
        _ = reduce(
            &state,
            .indexJobProgress(
                IndexBuildProgress(
                    phase: "building index: loading tuples", tuplesDone: 100,
                    tuplesTotal: 252)))
        _ = reduce(&state, .tick(now: 102))
        let grid = render(state)
        let bar = try #require(grid.row(containing: "building index: loading tuples"))
        #expect(bar.contains("█"))
        #expect(bar.contains("100/252 tuples · 100/s · ~2s left"))
        // One job at a time: n and r wait, and say why.
        #expect(press(&state, .char("n")).isEmpty)
        #expect(state.message?.text.contains("is running (x stops it)") == true)
        let done = reduce(&state, .indexJobFinished(.success("built ae_hnsw_cosine_all_minilm_l6_v2 in 2.0s")))
        #expect(done == [.loadIndexes, .loadChoices])
        #expect(state.indexView.job == nil)
        #expect(render(state).contains("✔ built ae_hnsw_cosine_all_minilm_l6_v2 in 2.0s"))
    }

    @Test func xStopsTheBuildAndTheViewSaysStopped() {
        var state = indexViewOpen()
        press(&state, .char("r"))
        #expect(state.indexView.job?.kind == .reindex("ae_hnsw_cosine_all_minilm_l6_v2"))
        #expect(press(&state, .char("x")) == [.cancelIndexJob])
        #expect(render(state).contains("stopping…"))
        _ = reduce(&state, .indexJobFinished(.failure(TUIError(message: "canceling statement", isCancellation: true))))
        #expect(render(state).contains("stopped: rebuilding ae_hnsw_cosine_all_minilm_l6_v2"))
        #expect(state.message?.kind == .info)
    }

    @Test func dropAsksFirstAndNKeepsTheIndex() {
        var state = indexViewOpen()
        press(&state, .char("D"))
        #expect(state.indexView.pendingDrop == "ae_hnsw_cosine_all_minilm_l6_v2")
        #expect(render(state).contains("DROP INDEX ae_hnsw_cosine_all_minilm_l6_v2"))
        #expect(press(&state, .char("n")).isEmpty)
        #expect(state.indexView.pendingDrop == nil && state.overlay == .indexes)
        press(&state, .char("D"))
        #expect(press(&state, .char("y")) == [.runIndexJob(.drop("ae_hnsw_cosine_all_minilm_l6_v2"))])
        _ = reduce(&state, .indexJobFinished(.failure(TUIError(message: "must be owner of index"))))
        #expect(state.message?.kind == .error)
        #expect(render(state).contains("✖ dropping ae_hnsw_cosine_all_minilm_l6_v2 failed: must be owner of index"))
    }

    @Test func quittingDuringABuildCancelsIt() {
        var state = indexViewOpen()
        press(&state, .char("r"))
        state.overlay = nil
        let effects = press(&state, .char("q"))
        #expect(effects.contains(.cancelIndexJob) && effects.last == .quit)
    }

    @Test func theHintLineOffersOnlyWhatCanHappenNow() {
        var state = indexViewOpen()
        var hints = render(state).lines().last ?? ""
        #expect(hints.contains("n new") && hints.contains("r rebuild") && !hints.contains("x stop"))
        press(&state, .char("r"))
        hints = render(state).lines().last ?? ""
        #expect(hints.contains("x stop") && !hints.contains("n new"))
    }

    @Test func helpFromTheIndexViewListsItsKeysFirstAndEscReturnsToIt() {
        var state = indexViewOpen()
        press(&state, .char("?"))
        #expect(state.overlay == .help)
        #expect(Keymap.helpSections(for: state).first?.title == "Index view (i)")
        #expect(render(state).contains("Keys — Index view"))
        press(&state, .escape)
        #expect(state.overlay == .indexes)
        press(&state, .char("?"), .char("?"))
        #expect(state.overlay == .indexes)
        // From the panes, help closes to the panes.
        press(&state, .escape, .char("?"), .escape)
        #expect(state.overlay == nil)
    }

    @Test func helpListsTheIndexViewKeys() {
        let titles = Keymap.helpSections(for: indexViewOpen()).map(\.title)
        #expect(titles.contains("Index view (i)") && titles.contains("New index form (n in the index view)"))
    }

    @Test func theViewFitsAt80x24AndWiderTerminalsShowFullNames() {
        var state = indexViewOpen(size: Size(width: 80, height: 24))
        #expect(render(state).contains("ae_hnsw_cosine_all_mi… hnsw "))
        _ = reduce(&state, .resize(Size(width: 140, height: 40)))
        #expect(render(state).contains("ae_hnsw_cosine_all_minilm_l6_v2 "))
    }
}

@Suite("Index view on the runtime")
struct IndexRuntimeTests {
    @Test func aBuildReportsProgressAndCanBeStopped() {
        let backend = FakeBackend()
        backend.indexJobWaits = true
        var state = AppState(connectionTarget: "test")
        state.database = .connected
        state.focus = .results
        let runtime = TUIRuntime(backend: backend, state: state)
        runtime.dispatch(.key(.char("i")))
        #expect(pump(runtime) { $0.indexView.phase == .loaded })
        runtime.dispatch(.key(.char("n")))
        runtime.dispatch(.key(.enter))
        #expect(pump(runtime) { $0.indexView.job?.progress?.tuplesDone == 5 })
        runtime.dispatch(.key(.char("x")))
        #expect(pump(runtime) { $0.indexView.job == nil })
        #expect(runtime.currentState.indexView.lastOutcome?.text.hasPrefix("stopped: creating") == true)
        #expect(backend.indexJobs.count == 1)
    }
}
