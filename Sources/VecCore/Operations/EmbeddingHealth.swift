import Foundation

/// `vecscope stats`: what the spec watches in production, read from the database (ARCHITECTURE.md §7).
public struct EmbeddingHealth {
    public let connection: Connection
    /// The spec's thresholds: coverage above 95 %, job-embedding cache hit rate above 80 %.
    public static let thresholds = StatsBody.Thresholds(coverage: 0.95, cacheHitRate: 0.80)
    /// Vectors sampled per group (recent, older) for the nearest-neighbour distribution.
    public var sampleSize = 100
    /// A median nearest-neighbour similarity that moved this much between older and recent vectors is flagged.
    public var shiftThreshold = 0.10

    public init(connection: Connection) { self.connection = connection }

    /// Every model with vectors, cached queries or a worker (or only `model`), then the indexes and tables.
    public func report(model only: String? = nil) throws -> StatsBody {
        let registry = EmbeddingModelRegistry(connection: connection)
        var models: [EmbeddingModel] = []
        if let only {
            models = [try registry.model(named: only)]
        } else {
            let active = Set(
                try connection.query(
                    """
                    SELECT DISTINCT model_version FROM artifact_embeddings
                    UNION SELECT model_version FROM job_embeddings
                    UNION SELECT model_version FROM worker_models
                    """
                ).rows.map { try $0.decode(0, as: String.self) })
            models = try registry.all().filter { active.contains($0.name) }
        }
        return StatsBody(
            models: try models.map(modelHealth), indexes: try indexes(), tables: try tables(),
            thresholds: Self.thresholds)
    }

    private func modelHealth(_ model: EmbeddingModel) throws -> StatsBody.ModelHealth {
        let status = try ModelStatus.of(model, connection: connection)
        let queue = try EmbeddingQueue(connection: connection, model: model.name).counts()
        let artifacts = status.fresh + status.stale + status.missing
        let coverage = artifacts > 0 ? Double(status.fresh) / Double(artifacts) : nil
        let refused = try connection.query(
            """
            SELECT count(*) FILTER (WHERE source = 'document') AS documents,
                   count(*) FILTER (WHERE source = 'query') AS queries
            FROM refused_vectors WHERE model_version = \(model.name)
            """
        ).row(0)
        return StatsBody.ModelHealth(
            model: model.name, artifacts: artifacts, fresh: status.fresh, stale: status.stale,
            missing: status.missing, failed: queue.failed, coverage: coverage,
            coverageStatus: Self.status(coverage, atLeast: Self.thresholds.coverage),
            refusedDocuments: try refused.decode("documents"), refusedQueries: try refused.decode("queries"),
            similarity: try similarityShift(model), cache: try cache(model),
            queue: StatsBody.QueueHealth(
                followed: queue.followed, pending: queue.pending, failed: queue.failed,
                oldestSeconds: queue.oldestSeconds, lastError: queue.lastError),
            growth: try growth(model))
    }

    static func status(_ value: Double?, atLeast threshold: Double) -> StatsBody.Status {
        guard let value else { return .notApplicable }
        return value >= threshold ? .ok : .warn
    }

    // MARK: - Nearest-neighbour similarity

    /// The newest `sampleSize` full-text vectors against up to `sampleSize` older ones (a fixed pseudo-random
    /// sample): each one's cosine similarity to its nearest other vector of the model, through the model's index
    /// when there is one (the cast and model literal match it, as in search).
    func similarityShift(_ model: EmbeddingModel) throws -> StatsBody.SimilarityShift {
        let cast = SQLFragment.vectorCast(model)
        let modelLiteral = SQLFragment.modelNameLiteral(model)
        let rows = try connection.query(
            """
            WITH ordered AS (
                SELECT id, artifact_id, embedding_vector, row_number() OVER (ORDER BY generated_at DESC, id DESC) AS position,
                       count(*) OVER () AS total
                FROM artifact_embeddings
                WHERE model_version = \(sql: modelLiteral) AND content_type = 'full'
                  AND vector_norm(embedding_vector) > 0),
            sample AS (
                (SELECT id, artifact_id, embedding_vector, true AS recent FROM ordered
                 WHERE position <= least(\(sampleSize), total / 2))
                UNION ALL
                (SELECT id, artifact_id, embedding_vector, false FROM ordered
                 WHERE position > least(\(sampleSize), total / 2) ORDER BY md5(id::text) LIMIT \(sampleSize))),
            nearest AS (
                SELECT s.recent, 1 - (
                    SELECT e.embedding_vector\(sql: cast) <=> s.embedding_vector\(sql: cast)
                    FROM artifact_embeddings e
                    WHERE e.model_version = \(sql: modelLiteral) AND e.content_type = 'full'
                      AND e.artifact_id <> s.artifact_id
                    ORDER BY e.embedding_vector\(sql: cast) <=> s.embedding_vector\(sql: cast) LIMIT 1) AS similarity
                FROM sample s)
            SELECT recent, count(similarity)::int8 AS n, avg(similarity)::float8 AS mean,
                   percentile_cont(ARRAY[0.1, 0.5, 0.9]) WITHIN GROUP (ORDER BY similarity) AS quantiles
            FROM nearest WHERE similarity IS NOT NULL GROUP BY recent
            """
        ).rows
        var recent: StatsBody.SimilarityDistribution?
        var older: StatsBody.SimilarityDistribution?
        for row in rows {
            let quantiles: [Double] = try row.decode("quantiles")
            guard quantiles.count == 3 else { continue }
            let distribution = StatsBody.SimilarityDistribution(
                count: try row.decode("n"), mean: try row.decode("mean"), p10: quantiles[0], p50: quantiles[1],
                p90: quantiles[2])
            if try row.decode("recent", as: Bool.self) { recent = distribution } else { older = distribution }
        }
        return Self.shift(recent: recent, older: older, threshold: shiftThreshold)
    }

    /// Flags a moved median, and recent vectors that are nearly all alike (a collapsed model).
    static func shift(
        recent: StatsBody.SimilarityDistribution?, older: StatsBody.SimilarityDistribution?, threshold: Double
    ) -> StatsBody.SimilarityShift {
        guard let recent else {
            return StatsBody.SimilarityShift(shifted: false, note: "no vectors to compare yet")
        }
        if recent.p10 >= 0.99 {
            return StatsBody.SimilarityShift(
                recent: recent, older: older, medianShift: older.map { recent.p50 - $0.p50 }, shifted: true,
                note: "recent vectors are nearly identical to their neighbours (collapsed embeddings?)")
        }
        guard let older else {
            return StatsBody.SimilarityShift(
                recent: recent, shifted: false, note: "too few vectors for an older sample")
        }
        let delta = recent.p50 - older.p50
        let shifted = abs(delta) >= threshold
        return StatsBody.SimilarityShift(
            recent: recent, older: older, medianShift: delta, shifted: shifted,
            note: shifted
                ? String(
                    format: "median nearest-neighbour similarity moved %+.3f (recent %.3f, older %.3f): drift or "
                        + "a changed model", delta, recent.p50, older.p50)
                : nil)
    }

    // MARK: - Query cache

    func cache(_ model: EmbeddingModel) throws -> StatsBody.CacheHealth {
        let totals = try connection.query(
            """
            SELECT count(*) AS entries, coalesce(sum(access_count), 0)::int8 AS lookups,
                   coalesce(sum(miss_count), 0)::int8 AS misses
            FROM job_embeddings WHERE model_version = \(model.name)
            """
        ).row(0)
        let lookups: Int = try totals.decode("lookups")
        let misses: Int = try totals.decode("misses")
        let hits = max(0, lookups - misses)
        let rate = lookups > 0 ? Double(hits) / Double(lookups) : nil
        let top = try connection.query(
            """
            SELECT job_description_hash::text AS hash, access_count, miss_count,
                   to_char(last_accessed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_accessed_at
            FROM job_embeddings WHERE model_version = \(model.name)
            ORDER BY access_count DESC, last_accessed_at DESC LIMIT 5
            """
        ).rows.map {
            StatsBody.CachedJob(
                hash: try $0.decode("hash"), accessCount: try $0.decode("access_count"),
                misses: try $0.decode("miss_count"), lastAccessedAt: try $0.decode("last_accessed_at"))
        }
        return StatsBody.CacheHealth(
            entries: try totals.decode("entries"), lookups: lookups, hits: hits, misses: misses, hitRate: rate,
            status: Self.status(rate, atLeast: Self.thresholds.cacheHitRate), top: top)
    }

    // MARK: - Storage

    func growth(_ model: EmbeddingModel) throws -> StatsBody.Growth {
        let row = try connection.query(
            """
            SELECT count(*) AS vectors,
                   count(*) FILTER (WHERE generated_at > now() - interval '1 day') AS last_day,
                   count(*) FILTER (WHERE generated_at > now() - interval '7 days') AS last_week,
                   \(sql: Self.embeddingsTotalSize)::float8
                       / nullif((SELECT count(*) FROM artifact_embeddings), 0) AS bytes_per_row
            FROM artifact_embeddings WHERE model_version = \(model.name)
            """
        ).row(0)
        let vectors: Int = try row.decode("vectors")
        let bytesPerRow: Double? = try row.decode("bytes_per_row")
        return StatsBody.Growth(
            vectors: vectors, writtenLastDay: try row.decode("last_day"), writtenLastWeek: try row.decode("last_week"),
            bytesPerRow: bytesPerRow, estimatedBytes: Int((bytesPerRow ?? 0) * Double(vectors)))
    }

    /// pg_total_relation_size of artifact_embeddings with its partitions' (`vecscope partition`): a partitioned
    /// parent has no storage of its own.
    static let embeddingsTotalSize: SQLFragment = """
        (pg_total_relation_size('artifact_embeddings') + coalesce((SELECT sum(pg_total_relation_size(p.relid))
            FROM pg_partition_tree('artifact_embeddings') p WHERE p.isleaf), 0))
        """

    func indexes() throws -> [StatsBody.IndexHealth] {
        try IndexManager(connection: connection).list().map {
            StatsBody.IndexHealth(
                name: $0.name, table: $0.table, model: $0.model, type: $0.type, sizeBytes: $0.sizeBytes,
                vectors: $0.rows, bytesPerVector: $0.rows > 0 ? Double($0.sizeBytes) / Double($0.rows) : nil,
                scans: $0.scans, valid: $0.valid)
        }
    }

    /// Dead tuples and maintenance of the tables vectors live in (fragmentation shows here first).
    func tables() throws -> [StatsBody.TableHealth] {
        try connection.query(
            """
            SELECT relname::text AS table_name,
                   (pg_total_relation_size(relid) + coalesce((SELECT sum(pg_total_relation_size(p.relid))
                                                              FROM pg_partition_tree(relid) p WHERE p.isleaf), 0))::int8
                       AS size_bytes,
                   (n_live_tup + coalesce((SELECT sum(ps.n_live_tup) FROM pg_partition_tree(relid) p
                                           JOIN pg_stat_user_tables ps ON ps.relid = p.relid WHERE p.isleaf), 0))::int8
                       AS live,
                   (n_dead_tup + coalesce((SELECT sum(ps.n_dead_tup) FROM pg_partition_tree(relid) p
                                           JOIN pg_stat_user_tables ps ON ps.relid = p.relid WHERE p.isleaf), 0))::int8
                       AS dead,
                   to_char(greatest(last_vacuum, last_autovacuum) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                       AS last_vacuum,
                   to_char(greatest(last_analyze, last_autoanalyze) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                       AS last_analyze
            FROM pg_stat_user_tables
            WHERE relname IN ('artifact_embeddings', 'chunk_embeddings', 'job_embeddings', 'embedding_queue')
              AND schemaname = current_schema()
            ORDER BY relname
            """
        ).rows.map {
            StatsBody.TableHealth(
                table: try $0.decode("table_name"), sizeBytes: try $0.decode("size_bytes"),
                liveTuples: try $0.decode("live"), deadTuples: try $0.decode("dead"),
                lastVacuum: try $0.decode("last_vacuum"), lastAnalyze: try $0.decode("last_analyze"))
        }
    }
}
