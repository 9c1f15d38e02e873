import VecCore

/// Work the reducer asks the runtime to do. The runtime performs it (on a worker when it may block) and reports
/// back with an `Action`; the reducer itself never performs I/O.
public enum Effect: Equatable, Sendable {
    /// Run a search; answer with `.searchFinished(generation:…)`.
    case runSearch(generation: Int, text: String, params: SearchParams)
    /// Cancel the search of this generation if it is still running (libpq cancel); no answer is expected, and any
    /// late answer is ignored because the state no longer waits for that generation.
    case cancelSearch(generation: Int)
    /// Run side B's search of compare mode on its own worker and connection; answer `.compareSearchFinished`.
    case runCompareSearch(generation: Int, text: String, params: SearchParams)
    /// Cancel side B's search of this generation if it is still running.
    case cancelCompareSearch(generation: Int)
    /// Read a text file (a job description) in the background; answer `.queryFileRead`.
    case readQueryFile(path: String)
    /// Measure recall@k and p95 latency for each ef_search value, in the background on its own connection;
    /// answer `.sweepProgress` per value and `.sweepFinished` at the end.
    case runSweep(id: Int, text: String, params: SearchParams, efSearch: [Int])
    /// Stop the sweep `id` after the value being measured; it answers `.sweepFinished` with a cancellation.
    case cancelSweep(id: Int)
    /// Measure recall@k of a finished search against exact search in the background; answer `.recallMeasured`.
    case measureRecall(generation: Int, text: String, params: SearchParams, resultIDs: [Int])
    /// Compute nDCG@k and P@k of a ranking from the grades given; answer `.rankingScored`.
    case scoreRanking(generation: Int, rankedIDs: [Int], grades: [Int: Int], k: Int)
    /// Read the stored grades for a query; answer `.judgmentsLoaded`.
    case loadJudgments(queryText: String)
    /// Store (or, with nil, delete) a grade 0…3 for an artifact under a query; answer only on failure, with
    /// `.judgmentSaveFailed` carrying `previousGrade` so the screen can roll back.
    case saveJudgment(queryText: String, artifactID: Int, grade: Int?, previousGrade: Int?)
    /// Prepare the database (DemoSetup): load the fixtures and/or embed what lacks vectors, on its own worker;
    /// answer `.setupProgress`, `.setupStepDone` per step and `.setupFinished`.
    case runSetup(loadFixtures: Bool, embed: Bool)
    /// Read the users and models again (after the set-up added some); answer `.choicesLoaded`.
    case loadChoices
    /// List the vector indexes and each model's row count, on the index worker; answer `.indexesLoaded`.
    case loadIndexes
    /// Create, rebuild or drop an index on the index worker (its own connections), answering `.indexJobProgress`
    /// while pg_stat_progress_create_index reports, and `.indexJobFinished` at the end.
    case runIndexJob(IndexJob.Kind)
    /// Cancel the index job running now (libpq cancel); it answers `.indexJobFinished` with a cancellation.
    case cancelIndexJob
    /// Remember the query history (e.g. in a file under VECSCOPE_HOME).
    case saveHistory([String])
    /// Restore the terminal and exit.
    case quit
}
