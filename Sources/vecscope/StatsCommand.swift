import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Embedding health: coverage, refusals, similarity drift, query cache, indexes, worker queue.",
            discussion: """
                Per model: coverage (artifacts whose full text has a current vector), stale, missing and failed
                (the worker's last attempt failed); vectors refused as degenerate; the nearest-neighbour cosine
                similarity of the newest vectors against older ones (a moved median is flagged); the job-embedding
                cache's hits and misses and its most used entries; the worker's queue; vectors written lately. Then
                every vector index (size, bytes per vector, scans) and the vector tables (dead tuples, last vacuum
                and analyze). Coverage below 95 % and a cache hit rate below 80 % show as warn.
                """)
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this model (default: every model with vectors, cached queries or a worker).")
        var model: String?

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let body = try EmbeddingHealth(connection: try database.connect()).report(model: model)
                if output.json {
                    print(try JSONText.encode(body))
                    return
                }
                print(StatsText.render(body), terminator: "")
            }
        }
    }
}

/// The text form of `vecscope stats`.
enum StatsText {
    static func render(_ body: StatsBody) -> String {
        var out = ""
        func line(_ text: String = "") { out += text + "\n" }
        if body.models.isEmpty {
            line("no model has vectors, cached queries or a worker yet (`vecscope embed` makes some)")
        }
        for model in body.models {
            line("\(model.model)")
            line(
                "  coverage     \(percent(model.coverage)) [\(model.coverageStatus.rawValue)]  "
                    + "\(model.fresh) fresh, \(model.stale) stale, \(model.missing) missing, \(model.failed) failed "
                    + "of \(model.artifacts) artifacts (threshold \(percent(body.thresholds.coverage)))")
            line(
                "  refused      \(model.refusedDocuments) document and \(model.refusedQueries) query vectors "
                    + "(degenerate: wrong length, NaN/∞ or all zero)")
            let similarity = model.similarity
            line(
                "  NN cosine    recent \(distribution(similarity.recent))  older \(distribution(similarity.older))"
                    + (similarity.shifted ? "  [warn: shifted]" : ""))
            if let note = similarity.note { line("               \(note)") }
            let cache = model.cache
            line(
                "  query cache  hit rate \(percent(cache.hitRate)) [\(cache.status.rawValue)]  \(cache.hits) hits, "
                    + "\(cache.misses) misses, \(cache.entries) entries (threshold "
                    + "\(percent(body.thresholds.cacheHitRate)))")
            for job in cache.top {
                line(
                    "               \(job.hash.prefix(12))…  \(job.accessCount) lookups, \(job.misses) misses, "
                        + "last \(job.lastAccessedAt)")
            }
            let queue = model.queue
            line(
                "  worker queue \(queue.followed ? "followed" : "not followed (no `vecscope worker` yet)"): "
                    + "\(queue.pending) queued, \(queue.failed) failed"
                    + (queue.oldestSeconds.map { String(format: ", oldest %.0f s", $0) } ?? "")
                    + (queue.lastError.map { "; last error: \($0)" } ?? ""))
            let growth = model.growth
            line(
                "  storage      \(growth.vectors) vectors, about \(bytes(growth.estimatedBytes))"
                    + (growth.bytesPerRow.map { String(format: " (%.0f B a row)", $0) } ?? "")
                    + "; written in the last 24 h: \(growth.writtenLastDay), 7 days: \(growth.writtenLastWeek)")
            line()
        }
        out +=
            TextTable.render(
                header: ["index", "type", "size", "vectors", "B/vector", "idx_scan", "valid"],
                rows: body.indexes.map { index in
                    [
                        index.name, index.type, bytes(index.sizeBytes), String(index.vectors),
                        index.bytesPerVector.map { String(format: "%.0f", $0) } ?? "—", String(index.scans),
                        index.valid ? "yes" : "NO",
                    ]
                }) + "\n\n"
        out +=
            TextTable.render(
                header: ["table", "size", "live", "dead", "last vacuum", "last analyze"],
                rows: body.tables.map { table in
                    [
                        table.table, bytes(table.sizeBytes), String(table.liveTuples), String(table.deadTuples),
                        table.lastVacuum ?? "never", table.lastAnalyze ?? "never",
                    ]
                }) + "\n"
        return out
    }

    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f %%", $0 * 100) } ?? "n/a"
    }

    static func distribution(_ value: StatsBody.SimilarityDistribution?) -> String {
        guard let value else { return "—" }
        return String(format: "p10 %.3f p50 %.3f p90 %.3f (n %d)", value.p10, value.p50, value.p90, value.count)
    }

    static func bytes(_ count: Int) -> String { ByteSize.readable(count) }
}
