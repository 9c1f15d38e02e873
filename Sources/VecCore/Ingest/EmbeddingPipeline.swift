import Foundation
import Logging

/// Embeds every artifact (full text, summary, chunks) whose vector for one model is missing or stale.
///
/// Work is done in batches; each batch's vectors are stored in one transaction, so a crash or Ctrl-C loses at
/// most the batch in flight and a re-run resumes where it stopped (stored, unchanged items are skipped).
public final class EmbeddingPipeline {
    /// Which texts to embed. `chunk` stands for the overlapping windows of long content.
    public struct Options: Sendable {
        public var contentTypes: Set<ContentType> = [.full, .summary, .chunk]
        /// Re-embed everything, even fresh vectors.
        public var force = false
        public var batchSize = 32
        /// Create the model's HNSW (cosine) indexes when missing.
        public var createIndexes = true
        /// The run stops after this many failed batches in a row: a server that is down fails every batch, and each
        /// failure may have waited out its whole deadline.
        public var maxConsecutiveFailedBatches = 3
        /// Only these artifacts (row ids); nil: every artifact.
        public var artifactIDs: [Int]? = nil
        /// ANALYZE the vector tables after embedding; one artifact's vectors do not change their statistics.
        public var analyze = true
        public init() {}
    }

    /// What one run did.
    public struct Summary: Sendable, Equatable {
        public var embedded: [ContentType: Int] = [:]
        /// Items already stored with the same text.
        public var skipped = 0
        public var failedBatches = 0
        public var failedItems = 0
        public var failures: [String] = []
        /// Artifacts with at least one text not stored (the worker keeps their queue rows for a retry).
        public var failedArtifactIDs: Set<Int> = []
        public var totalTokens = 0
        public var costUSD = 0.0
        public var seconds = 0.0
        public var createdIndexes: [String] = []
        public var embeddedCount: Int { embedded.values.reduce(0, +) }
    }

    /// One text to embed and where its vector goes.
    struct WorkItem {
        var contentType: ContentType
        /// artifact id for full/summary; chunk uuid for chunks.
        var artifactID: Int
        var chunkID: UUID?
        var text: String
        var hash: String
    }

    private let connection: Connection
    private let embedder: any Embedder
    private let model: EmbeddingModel
    private let chunker: Chunker
    private let logger: Logger

    public init(
        connection: Connection, embedder: any Embedder, model: EmbeddingModel, chunker: Chunker = .standard(),
        logger: Logger = Logger(label: "vecscope.embed")
    ) throws {
        guard embedder.dimensions == model.dimensions, embedder.modelName == model.name else {
            throw VecscopeError(
                what:
                    "embedder \(embedder.modelName) (\(embedder.dimensions) dims) does not match model \(model.name) (\(model.dimensions) dims)"
            )
        }
        self.connection = connection
        self.embedder = embedder
        self.model = model
        self.chunker = chunker
        self.logger = logger
    }

    /// The work a run would do, without embedding anything (for --dry-run and progress totals).
    public func plan(_ options: Options = Options()) throws -> (items: Int, skipped: Int, estimatedTokens: Int) {
        let (items, skipped) = try collectWork(options, syncChunks: false)
        return (items.count, skipped, items.reduce(0) { $0 + embedder.countTokens($1.text) })
    }

    /// `progress` gets (items done, items to do); `preparing` (artifacts read, artifacts) while the texts and
    /// chunks are found, before the first item is embedded.
    public func run(
        _ options: Options = Options(), preparing: ((Int, Int) -> Void)? = nil,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> Summary {
        try PostgresError.during("embedding with \(model.name)") {
            try runInContext(options, preparing: preparing, progress: progress)
        }
    }

    private func runInContext(
        _ options: Options, preparing: ((Int, Int) -> Void)?, progress: ((Int, Int) -> Void)?
    ) throws -> Summary {
        let started = Date()
        var summary = Summary()
        let (items, skipped) = try collectWork(options, syncChunks: true, progress: preparing)
        summary.skipped = skipped
        var done = 0
        progress?(0, items.count)
        var start = 0
        let batchSize = max(1, options.batchSize)
        var failedInARow = 0
        while start < items.count {
            let batch = Array(items[start..<min(start + batchSize, items.count)])
            start += batch.count
            do {
                let output = try embedder.embedReportingUsage(batch.map(\.text))
                let (usable, failures) = try usable(batch, output)
                try store(batch, output: output, only: usable, summary: &summary)
                failedInARow = usable.isEmpty ? failedInARow + 1 : 0
                if !failures.isEmpty {
                    try recordRefusals(failures)
                    summary.failedBatches += 1
                    summary.failedItems += failures.count
                    summary.failures += failures.map(\.line)
                    summary.failedArtifactIDs.formUnion(failures.map(\.artifactID))
                    failures.forEach { logger.error("\($0.line)") }
                }
            } catch let error as PostgresError where error.kind == .connection {
                throw error  // the database is gone: stop, the next run resumes
            } catch let error as EmbeddingProviderError where error.stopsRun {
                throw error.vecscopeError  // a bad key or unknown model fails every batch the same way: stop now
            } catch {
                // A provider failure loses this batch only; the run goes on and the summary says so.
                summary.failedBatches += 1
                summary.failedItems += batch.count
                summary.failures.append("items \(done + 1)–\(done + batch.count): \(ErrorReport(error).oneLine)")
                summary.failedArtifactIDs.formUnion(batch.map(\.artifactID))
                logger.error("embedding batch failed: \(error)")
                failedInARow += 1
            }
            done += batch.count
            progress?(done, items.count)
            if failedInARow >= max(1, options.maxConsecutiveFailedBatches), start < items.count {
                throw VecscopeError(
                    what: "embedding with \(model.name) stopped: \(failedInARow) batches in a row failed",
                    why: summary.failures.last,
                    fix: "\(summary.embeddedCount) texts embedded before are stored. Check the embedding server, then "
                        + "run `vecscope embed` again to resume (--max-failed-batches sets how many failures stop it).")
            }
        }
        if options.analyze, summary.embeddedCount > 0 {
            try connection.execute("ANALYZE artifact_embeddings, artifact_chunks, chunk_embeddings")
        }
        if options.createIndexes {
            summary.createdIndexes = try ensureIndexes(for: options.contentTypes)
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    // MARK: - Planning

    private func collectWork(
        _ options: Options, syncChunks: Bool, progress: ((Int, Int) -> Void)? = nil
    ) throws -> ([WorkItem], Int) {
        var items: [WorkItem] = []
        var skipped = 0
        let modelName = PostgresParameter(model.name)
        // A stored all-zero vector (written before `VectorCheck`) counts as stale, so it is embedded again.
        let only = options.artifactIDs?.map(String.init)
        let rows = try connection.query(
            """
            SELECT a.id, a.title, a.description, a.content, a.skills,
                   f.content_hash::text AS full_hash, (f.stale OR vector_norm(f.embedding_vector) = 0) AS full_stale,
                   s.content_hash::text AS summary_hash,
                   (s.stale OR vector_norm(s.embedding_vector) = 0) AS summary_stale
            FROM artifacts a
            LEFT JOIN artifact_embeddings f
                   ON f.artifact_id = a.id AND f.model_version = \(modelName) AND f.content_type = 'full'
            LEFT JOIN artifact_embeddings s
                   ON s.artifact_id = a.id AND s.model_version = \(modelName) AND s.content_type = 'summary'
            WHERE \(only)::text[] IS NULL OR a.id = ANY(\(only)::text[]::int8[])
            ORDER BY a.id
            """
        ).rows
        progress?(0, rows.count)
        for (index, row) in rows.enumerated() {
            defer { progress?(index + 1, rows.count) }
            let id: Int = try row.decode("id")
            let title: String = try row.decode("title")
            let description: String = try row.decode("description")
            let content: String = try row.decode("content")
            let full = EmbeddingText.full(
                title: title, description: description, content: content, skills: try row.decode("skills"))
            let summaryText = EmbeddingText.summary(title: title, description: description)
            for (type, text, storedHash, stale) in [
                (
                    ContentType.full, full, try row.decode("full_hash", as: String?.self),
                    try row.decode("full_stale", as: Bool?.self)
                ),
                (
                    ContentType.summary, summaryText, try row.decode("summary_hash", as: String?.self),
                    try row.decode("summary_stale", as: Bool?.self)
                ),
            ] where options.contentTypes.contains(type) {
                let hash = SHA256.hex(text)
                if !options.force, storedHash == hash, stale == false {
                    skipped += 1
                } else {
                    items.append(WorkItem(contentType: type, artifactID: id, chunkID: nil, text: text, hash: hash))
                }
            }
            if options.contentTypes.contains(.chunk) {
                let chunks =
                    syncChunks
                    ? try syncedChunks(artifactID: id, text: full)
                    : chunker.chunks(full).enumerated().map {
                        (UUID(), $0.element, SHA256.hex($0.element), nil as String?)
                    }
                for (chunkID, text, hash, storedHash) in chunks {
                    if !options.force, storedHash == hash {
                        skipped += 1
                    } else {
                        items.append(
                            WorkItem(contentType: .chunk, artifactID: id, chunkID: chunkID, text: text, hash: hash))
                    }
                }
            }
        }
        return (items, skipped)
    }

    /// Makes artifact_chunks match the artifact's current text; returns each chunk with this model's stored hash.
    private func syncedChunks(artifactID: Int, text: String) throws -> [(UUID, String, String, String?)] {
        let wanted = chunker.chunks(text)
        let existing = try connection.query(
            """
            SELECT c.id, c.chunk_index, c.text, c.content_hash::text AS chunk_hash,
                   CASE WHEN vector_norm(e.embedding_vector) > 0 THEN e.content_hash::text END AS embedded_hash
            FROM artifact_chunks c
            LEFT JOIN chunk_embeddings e ON e.artifact_chunk_id = c.id AND e.model_version = \(model.name)
            WHERE c.artifact_id = \(artifactID) ORDER BY c.chunk_index
            """
        ).rows
        let existingTexts = try existing.map { try $0.decode("text", as: String.self) }
        if existingTexts == wanted {
            return try existing.map {
                (
                    try $0.decode("id"), try $0.decode("text"), try $0.decode("chunk_hash"),
                    try $0.decode("embedded_hash")
                )
            }
        }
        // The text changed: replace the chunks (their vectors, for every model, go with them).
        return try connection.transaction { conn in
            try conn.execute("DELETE FROM artifact_chunks WHERE artifact_id = \(artifactID)")
            return try wanted.enumerated().map { index, chunk in
                let hash = SHA256.hex(chunk)
                let id = try conn.query(
                    """
                    INSERT INTO artifact_chunks (artifact_id, chunk_index, text, token_count, content_hash)
                    VALUES (\(artifactID), \(index), \(chunk), \(embedder.countTokens(chunk)), \(hash)) RETURNING id
                    """
                ).scalar(UUID.self)
                guard let id else {
                    throw PostgresError(kind: .protocolViolation, message: "chunk insert returned no id")
                }
                return (id, chunk, hash, nil)
            }
        }
    }

    // MARK: - Storing

    /// The items of a batch whose vectors may be stored, and a failure line for each that may not (a degenerate
    /// vector is never stored: it would count as fresh and rank nothing).
    private func usable(
        _ batch: [WorkItem], _ output: EmbeddingOutput
    ) throws -> (items: [Int], failures: [(artifactID: Int, line: String)]) {
        guard output.vectors.count == batch.count else {
            throw VecscopeError(what: "\(model.name) returned \(output.vectors.count) vectors for \(batch.count) texts")
        }
        var items: [Int] = []
        var failures: [(artifactID: Int, line: String)] = []
        for (index, item) in batch.enumerated() {
            if let problem = VectorCheck.problem(output.vectors[index], dimensions: model.dimensions) {
                failures.append(
                    (
                        item.artifactID,
                        "\(model.name) returned a vector that \(problem) for artifact \(item.artifactID) "
                            + "(\(item.contentType.rawValue)) \(VectorCheck.quoted(item.text)); not stored"
                    ))
            } else {
                items.append(index)
            }
        }
        return (items, failures)
    }

    /// Refused vectors are counted per model for `vecscope stats`.
    private func recordRefusals(_ failures: [(artifactID: Int, line: String)]) throws {
        for failure in failures {
            try connection.execute(
                """
                INSERT INTO refused_vectors (model_version, source, artifact_id, problem)
                VALUES (\(model.name), 'document', \(failure.artifactID), \(failure.line))
                """)
        }
    }

    private func store(
        _ batch: [WorkItem], output: EmbeddingOutput, only usable: [Int], summary: inout Summary
    ) throws {
        // Billed tokens are shared out in proportion to each text's estimated length.
        let estimates = batch.map { Double(embedder.countTokens($0.text)) }
        let estimateTotal = max(estimates.reduce(0, +), 1)
        let billed = Double(output.totalTokens)
        let metadata = try JSONB(["provider": model.provider.rawValue])
        try connection.transaction { conn in
            for index in usable {
                let item = batch[index]
                let vector = Vector(output.vectors[index])
                let cost = billed * estimates[index] / estimateTotal * model.costPerMTok / 1_000_000
                switch item.contentType {
                case .full, .summary:
                    try conn.execute(
                        """
                        INSERT INTO artifact_embeddings (artifact_id, user_id, content_type, model_version,
                            model_dimensions, embedding_vector, content_hash, stale, processing_cost_usd, generated_at,
                            metadata)
                        SELECT a.id, a.user_id, \(item.contentType.rawValue), \(model.name), \(model.dimensions),
                               \(vector), \(item.hash), false, \(cost), now(), \(metadata)
                        FROM artifacts a WHERE a.id = \(item.artifactID)
                        ON CONFLICT (artifact_id, content_type, model_version, user_id) DO UPDATE SET
                            model_dimensions = EXCLUDED.model_dimensions, embedding_vector = EXCLUDED.embedding_vector,
                            content_hash = EXCLUDED.content_hash, stale = false,
                            processing_cost_usd = EXCLUDED.processing_cost_usd, generated_at = now(),
                            metadata = EXCLUDED.metadata
                        """)
                case .chunk:
                    try conn.execute(
                        """
                        INSERT INTO chunk_embeddings (artifact_chunk_id, model_version, model_dimensions,
                            embedding_vector, content_hash, generated_at)
                        VALUES (\(item.chunkID), \(model.name), \(model.dimensions), \(vector), \(item.hash), now())
                        ON CONFLICT (artifact_chunk_id, model_version) DO UPDATE SET
                            model_dimensions = EXCLUDED.model_dimensions, embedding_vector = EXCLUDED.embedding_vector,
                            content_hash = EXCLUDED.content_hash, generated_at = now()
                        """)
                }
            }
        }
        for index in usable { summary.embedded[batch[index].contentType, default: 0] += 1 }
        summary.totalTokens += output.totalTokens
        summary.costUSD += billed * model.costPerMTok / 1_000_000
    }

    /// Creates the model's HNSW cosine indexes (ARCHITECTURE.md §3) on the tables this run filled.
    private func ensureIndexes(for contentTypes: Set<ContentType>) throws -> [String] {
        var tables: [VectorTable] = []
        if contentTypes.contains(.full) || contentTypes.contains(.summary) { tables.append(.artifactEmbeddings) }
        if contentTypes.contains(.chunk) { tables.append(.chunkEmbeddings) }
        var created: [String] = []
        for table in tables {
            let spec = VectorIndexSpec(model: model, table: table)
            try spec.validate()
            let exists =
                try connection.query(
                    """
                    SELECT 1 FROM pg_class WHERE relname = \(spec.name) AND relkind IN ('i', 'I')
                    """
                ).rowCount > 0
            if !exists {
                try connection.executeScript(spec.createSQL())
                try IndexManager(connection: connection).nameChildIndexes(of: spec.name)
                created.append(spec.name)
            }
        }
        return created
    }
}
