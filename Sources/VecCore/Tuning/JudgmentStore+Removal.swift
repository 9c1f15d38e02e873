extension JudgmentStore {
    /// Removes one grade (a reviewer taking a judgment back).
    public func remove(artifactID: Int, queryText: String) throws {
        let hash = RelevanceJudgment.queryHash(queryText)
        try connection.execute(
            """
            DELETE FROM relevance_judgments WHERE query_hash = \(hash) AND artifact_id = \(artifactID)
            """)
    }
}
