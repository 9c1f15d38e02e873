extension JudgmentStore {
    /// Removes one grade (a reviewer taking a judgment back).
    public func remove(artifactID: Int, queryText: String) throws {
        try connection.execute("DELETE FROM relevance_judgments WHERE query_hash = $1 AND artifact_id = $2",
                               [RelevanceJudgment.queryHash(queryText), artifactID])
    }
}
