import Foundation
import Testing

@testable import VecCore
@testable import VecTUI

/// A report built by hand: one model under the coverage threshold with a shifted median, a healthy cache, two
/// indexes (one invalid) and the four vector tables.
enum HealthFixture {
    static let body = StatsBody(
        models: [
            StatsBody.ModelHealth(
                model: "all-MiniLM-L6-v2", artifacts: 252, fresh: 230, stale: 12, missing: 10, failed: 2,
                coverage: 230.0 / 252.0, coverageStatus: EmbeddingHealth.status(230.0 / 252.0, atLeast: 0.95),
                refusedDocuments: 1, refusedQueries: 0,
                similarity: EmbeddingHealth.shift(
                    recent: .init(count: 100, mean: 0.7, p10: 0.5, p50: 0.71, p90: 0.9),
                    older: .init(count: 100, mean: 0.55, p10: 0.4, p50: 0.55, p90: 0.8), threshold: 0.10),
                cache: StatsBody.CacheHealth(
                    entries: 4, lookups: 20, hits: 17, misses: 3, hitRate: 0.85,
                    status: EmbeddingHealth.status(0.85, atLeast: 0.80),
                    top: [
                        StatsBody.CachedJob(
                            hash: "3f2a9c1b04e2aa55", accessCount: 12, misses: 1, lastAccessedAt: "2026-12-03T08:00:00Z"
                        )
                    ]),
                queue: StatsBody.QueueHealth(followed: true, pending: 3, failed: 2, oldestSeconds: 42, lastError: nil),
                growth: StatsBody.Growth(
                    vectors: 500, writtenLastDay: 20, writtenLastWeek: 500, bytesPerRow: 2100, estimatedBytes: 1_050_000
                ))
        ],
        indexes: [
            StatsBody.IndexHealth(
                name: "ae_hnsw_cosine_all_minilm_l6_v2", table: "artifact_embeddings", model: "all-MiniLM-L6-v2",
                type: "hnsw", sizeBytes: 2_500_000, vectors: 500, bytesPerVector: 5000, scans: 37, valid: true),
            StatsBody.IndexHealth(
                name: "ae_ivfflat_l2_all_minilm_l6_v2", table: "artifact_embeddings", model: "all-MiniLM-L6-v2",
                type: "ivfflat", sizeBytes: 800_000, vectors: 500, bytesPerVector: 1600, scans: 0, valid: false),
        ],
        tables: ["artifact_embeddings", "chunk_embeddings", "embedding_queue", "job_embeddings"].map {
            StatsBody.TableHealth(
                table: $0, sizeBytes: 1_000_000, liveTuples: 500, deadTuples: $0 == "artifact_embeddings" ? 64 : 0,
                lastVacuum: $0 == "artifact_embeddings" ? "2026-12-02T23:10:05Z" : nil,
                lastAnalyze: "2026-12-03T07:59:00Z")
        },
        thresholds: EmbeddingHealth.thresholds)
}

@Suite("Health view")
struct HealthViewTests {
    private func opened(size: Size = Size(width: 80, height: 24)) -> (AppState, [Effect]) {
        var state = Fixture.searched(size: size)
        state.focus = .results
        let effects = press(&state, .char("h"))
        return (state, effects)
    }

    @Test func hOpensTheViewAndAsksForTheReport() {
        let (state, effects) = opened()
        #expect(state.overlay == .health)
        #expect(effects == [.loadHealth])
        let grid = render(state)
        #expect(grid.contains("Health"))
        #expect(grid.contains("loading…"))
    }

    @Test func theReportRendersAt80x24WithItsFigures() throws {
        var (state, _) = opened()
        _ = reduce(&state, .healthLoaded(.success(HealthFixture.body)))
        let grid = render(state)
        #expect(!grid.contains("loading…"))
        #expect(grid.contains("all-MiniLM-L6-v2"))
        let coverage = try #require(grid.row(containing: "coverage"))
        #expect(coverage.contains("91.3 % warn (≥ 95.0 %)"))
        #expect(coverage.contains("12 stale, 10 missing, 2 failed of 252"))
        #expect(grid.contains("refused   1 document, 0 query vectors"))
        #expect(grid.contains("p50 recent 0.710 · older 0.550 (Δ +0.160) warn: shifted"))
        #expect(grid.contains("cache     hit rate 85.0 % ok (≥ 80.0 %) · 17 hits, 3 misses, 4 entries"))
        #expect(grid.contains("3f2a9c1b04e2…  12 lookups, 1 misses"))
        #expect(grid.contains("queue     followed · 3 queued, 2 failed, oldest 42 s"))
        // What does not fit is counted, and ↓ brings it into view.
        #expect(grid.contains("more lines (↓ scrolls)"))
        for _ in 0..<40 { press(&state, .down) }
        let scrolled = render(state)
        let index = try #require(scrolled.row(containing: "ae_hnsw_cosine_all_minilm_l6_v2"))
        #expect(index.contains("2.4 MB") && index.contains("5000") && index.contains("37"))
        #expect(scrolled.contains("✖ ae_ivfflat_l2_all_minilm_l6_v2"))
        let table = try #require(scrolled.row(containing: "artifact_embeddings "))
        #expect(table.contains("64") && table.contains("2026-12-02 23:10") && table.contains("2026-12-03 07:59"))
        #expect(try #require(scrolled.row(containing: "chunk_embeddings")).contains("never"))
        #expect(!scrolled.contains("more lines"))
        press(&state, .up)
        #expect(state.healthView.scroll == HealthView.maxScroll(state) - 1)
    }

    @Test func aTallTerminalShowsEverythingWithoutScrolling() {
        var (state, _) = opened(size: Size(width: 160, height: 48))
        _ = reduce(&state, .healthLoaded(.success(HealthFixture.body)))
        let grid = render(state)
        #expect(grid.contains("coverage") && grid.contains("job_embeddings"))
        #expect(!grid.contains("more line"))
    }

    @Test func qAndEscCloseAndRReloads() {
        var (state, _) = opened()
        _ = reduce(&state, .healthLoaded(.success(HealthFixture.body)))
        #expect(press(&state, .char("r")) == [.loadHealth])
        #expect(state.overlay == .health && state.healthView.phase == .loading)
        press(&state, .char("q"))
        #expect(state.overlay == nil && !state.isQuitting)
        press(&state, .char("h"))
        press(&state, .escape)
        #expect(state.overlay == nil)
        #expect(!render(state).contains("Health"))
    }

    @Test func anErrorShowsWhatWhyAndTheHint() {
        var (state, _) = opened()
        let error = PostgresError(
            kind: .server, code: .undefinedTable, message: "relation \"refused_vectors\" does not exist",
            hint: "Run vecscope migrate.")
        _ = reduce(&state, .healthLoaded(.failure(TUIError(error))))
        let grid = render(state)
        #expect(grid.contains("could not read the health report: relation \"refused_vectors\" does not exist"))
        #expect(grid.contains("SQLSTATE 42P01"))
        #expect(grid.contains("hint: Run vecscope migrate."))
    }

    @Test func hIsListedInHelpAndTheMainHintButStepsAParameterThere() {
        var (state, _) = opened()
        press(&state, .escape)
        #expect(render(state).trimmedLines[23].hasSuffix("/ edit  h stats"))
        press(&state, .char("?"))
        let help = Keymap.helpSections(for: state)
        #expect(help.flatMap(\.bindings).contains { $0.command == .openHealth && $0.keyLabel == "h" })
        #expect(help.map(\.title).contains("Health view (h)"))
        press(&state, .escape)
        state.focus = .parameters
        #expect(Keymap.binding(for: .char("h"), in: state)?.command == .adjust(direction: -1, large: false))
        #expect(!render(state).trimmedLines[23].contains("h stats"))
        state.focus = .query
        state.enterEditor()
        press(&state, .char("h"))
        #expect(state.overlay == nil)
    }
}

@Suite("Health view on the runtime")
struct HealthRuntimeTests {
    @Test func theReportArrivesFromTheBackgroundQueueAndAFailureShows() {
        let backend = FakeBackend()
        var state = AppState(connectionTarget: "test")
        state.database = .connected
        state.focus = .results
        let runtime = TUIRuntime(backend: backend, state: state)
        runtime.dispatch(.key(.char("h")))
        #expect(pump(runtime) { $0.healthView.phase == .loaded(HealthFixture.body) })
        backend.healthError = PostgresError(kind: .connection, message: "server closed the connection")
        runtime.dispatch(.key(.char("r")))
        #expect(
            pump(runtime) {
                if case .failed(let error) = $0.healthView.phase { return error.isConnectionFailure }
                return false
            })
    }
}
