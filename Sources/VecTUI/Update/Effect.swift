import VecCore

/// Work the reducer asks the runtime to do. The runtime performs it (on a worker when it may block) and reports
/// back with an `Action`; the reducer itself never performs I/O.
public enum Effect: Equatable, Sendable {
    /// Run a side's search on that side's worker and connection; answer with `.searchFinished(side, …)`.
    case runSearch(Side, generation: Int, text: String, params: SearchParams)
    /// Cancel the side's search of this generation if it is still running (libpq cancel); no answer is expected,
    /// and any late answer is ignored because the side no longer waits for that generation.
    case cancelSearch(Side, generation: Int)
    /// Read a text file (a job description) in the background; answer `.queryFileRead`.
    case readQueryFile(path: String)
    /// Measure recall@k and p95 latency for each value of the knob (ef_search or probes), in the background on its
    /// own connection; answer `.sweepProgress` per value and `.sweepFinished` at the end.
    case runSweep(id: Int, text: String, params: SearchParams, knob: SweepKnob, values: [Int])
    /// Read the data version (artifacts and the model's vectors) for the sweep `id`; answer `.sweepDataChecked`.
    case checkSweepData(id: Int, model: String)
    /// Stop the sweep `id` after the value being measured; it answers `.sweepFinished` with a cancellation.
    case cancelSweep(id: Int)
    /// Measure the recall of a side's finished search by its method's rule (`RecallScope`): `measuredIDs` against
    /// the exact top ids, in the background; answer `.recallMeasured(side, …)`.
    case measureRecall(Side, generation: Int, text: String, params: SearchParams, measuredIDs: [Int])
    /// Compute nDCG@k and P@k of a ranking from the grades given; answer `.rankingScored`.
    case scoreRanking(generation: Int, rankedIDs: [Int], grades: [Int: Int], k: Int)
    /// nDCG@k of textbook BM25 (the keyword method at k1 1.2, b 0.75, equal field weights) for the same query,
    /// filters and grades, to show beside the ranking's own; answer `.baselineScored`.
    case scoreBaseline(generation: Int, queryText: String, params: SearchParams, grades: [Int: Int], k: Int)
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
    /// Read the embedding health report (`vecscope stats`) on the background queue; answer `.healthLoaded`.
    case loadHealth
    /// Create, rebuild or drop an index on the index worker (its own connections), answering `.indexJobProgress`
    /// while pg_stat_progress_create_index reports, and `.indexJobFinished` at the end.
    case runIndexJob(IndexJob.Kind)
    /// Cancel the index job running now (libpq cancel); it answers `.indexJobFinished` with a cancellation.
    case cancelIndexJob
    /// Write the grades of one query as TSV (`judgments import` reads it) to a file in the working directory,
    /// named after the job (or the free-text query's id); answer `.gradesExported`.
    case exportGrades(queryText: String, jobID: String?)
    /// Count the stored grades of every query; answer `.jobGradeCountsLoaded`.
    case loadJobGradeCounts
    /// Remember the query history (e.g. in a file under VECSCOPE_HOME).
    case saveHistory([String])
    /// Restore the terminal and exit.
    case quit
}
