import Foundation
import VecCore

/// What the TUI needs from the rest of vecscope, so the runtime can be wired to `SearchEngine` and the tuning
/// engine without knowing them (and tested with a fake).
///
/// Threading contract: `search` for a side is always called on that side's serial worker queue, and the other
/// database calls on a background serial queue, so an implementation can give each queue its own `Connection` (a
/// connection is not thread-safe). `cancelSearch` is called from the main thread while `search` may be running.
/// Implementations are usually `final class … : @unchecked Sendable` for that reason.
public protocol SearchBackend: AnyObject, Sendable {
    /// Runs one search for a side (embedding the text, cached by hash). Blocking; on the side's search queue.
    func search(_ side: Side, text: String, params: SearchParams) throws -> SearchResponse
    /// Cancels the statement the side's `search` is running now, if any (`QueryCanceller.cancel()`). Any thread.
    func cancelSearch(_ side: Side)
    /// Measures each value of `knob` (ef_search or probes) for one query (recall@k against exact search, client
    /// latency over `repetitions` runs), calling `progress` after each value; stops with a cancellation `TUIError`
    /// once `isCancelled` returns true. On the sweep's serial queue (its own connection).
    func sweep(
        text: String, params: SearchParams, knob: SweepKnob, values: [Int], repetitions: Int,
        isCancelled: @escaping @Sendable () -> Bool, progress: @escaping @Sendable (SweepPoint) -> Void
    ) throws
        -> [SweepPoint]
    /// The artifacts and the model's vectors as they stand (`Inventory.dataVersion`). Background queue.
    func dataVersion(model: String) throws -> DataVersion
    /// Recall of a finished search by its method's rule (`RecallScope`): `measuredIDs` against the exact top ids
    /// for the same text, parameters and filters, without running the search again. Background queue.
    func measureRecall(text: String, params: SearchParams, measuredIDs: [Int]) throws -> RecallMeasurement
    /// Stored grades (artifact id → 0…3) for a query text. Background queue.
    func judgments(for queryText: String) throws -> [Int: Int]
    /// Stores a grade (nil deletes it) for an artifact under a query text. Background queue.
    func saveJudgment(queryText: String, artifactID: Int, grade: Int?) throws
    /// Writes the grades of one query as judgments TSV under `id` (nil: the free-text query's `q-` id) to
    /// `directory`. Background queue.
    func exportGrades(queryText: String, id: String?, directory: URL) throws -> GradesExport
    /// Stored grades per query hash. Background queue.
    func gradeCounts() throws -> [String: Int]
    /// nDCG@k and P@k of a ranking given grades. Pure; called on the main thread.
    func score(rankedIDs: [Int], grades: [Int: Int], k: Int) -> RankingScore
    /// nDCG@k of the textbook BM25 ranking for the same query and filters. Background queue.
    func baselineNDCG(queryText: String, params: SearchParams, grades: [Int: Int], k: Int) throws -> Double?
    /// Users and models to cycle through in the parameters pane. Background queue.
    func choices() throws -> ParameterChoices
    /// Prepares the database (VecCore's `DemoSetup`): loads the fixtures and/or embeds what lacks vectors for the
    /// default model, reporting progress and each finished step; returns a line for the whole run. On its own queue.
    func prepare(
        loadFixtures: Bool, embed: Bool, progress: @escaping @Sendable (DemoSetup.Progress) -> Void,
        stepDone: @escaping @Sendable (String) -> Void
    ) throws -> String
    /// Embedding health, as `vecscope stats` reports it (VecCore's `EmbeddingHealth`). Background queue.
    func healthReport() throws -> StatsBody
    /// The vector indexes and each model's vector count. On the index queue (with its own connections).
    func indexInventory() throws -> IndexInventory
    /// Creates, rebuilds or drops an index, calling `progress` with pg_stat_progress_create_index while it runs;
    /// returns one line saying what it did. On the index queue.
    func runIndexJob(_ kind: IndexJob.Kind, progress: @escaping @Sendable (IndexBuildProgress) -> Void) throws -> String
    /// Cancels the index job running now, if any. Any thread.
    func cancelIndexJob()
    /// Checks (and if needed re-opens) the connections; called every few seconds while the database is down.
    /// Background queue.
    func reconnect() throws
}
