import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    /// `vecscope partition --by user --partitions N` and `--undo` (issue 18, item 3).
    struct Partition: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hash-partition the artifact vectors by user, one vector index per partition (or --undo).",
            discussion: """
                Copies artifact_embeddings into N hash partitions by user_id in one transaction (writes wait; \
                searches go on during the copy and wait from the swap to the commit), then rebuilds each vector \
                index on the partitioned table: PostgreSQL builds one per partition, not concurrently. A \
                user-scoped search then reads that user's partition and its index alone. Without --partitions or \
                --undo, says how the table is laid out.
                """)

        enum Key: String, ExpressibleByArgument, CaseIterable { case user }

        @OptionGroup var database: DatabaseOptions
        @Option(help: "What to partition by.") var by = Key.user
        @Option(help: "Hash partitions (1…\(EmbeddingPartitions.partitionLimit)).") var partitions: Int?
        @Flag(help: "Put the vectors back in one table, with one index each.") var undo = false
        @Option(help: "maintenance_work_mem for the index builds.") var maintenanceWorkMem = "1GB"

        func validate() throws {
            guard !(undo && partitions != nil) else {
                throw ValidationError("--partitions and --undo exclude each other: pick one")
            }
        }

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let layout = EmbeddingPartitions(connection: try database.connect())
                guard undo || partitions != nil else {
                    let count = try layout.partitions()
                    print(
                        count == 0
                            ? "artifact_embeddings is one table (partition it with --by user --partitions N)"
                            : "artifact_embeddings is hash-partitioned by user into \(count) partitions")
                    return
                }
                let progress = PartitionProgress()
                let summary =
                    try undo
                    ? layout.undo(maintenanceWorkMem: maintenanceWorkMem) { progress.update($0) }
                    : layout.partition(into: partitions ?? 0, maintenanceWorkMem: maintenanceWorkMem) {
                        progress.update($0)
                    }
                progress.finish()
                print(PartitionProgress.report(summary))
            }
        }
    }
}

/// A bar while rows are copied, a line per index built.
final class PartitionProgress {
    private let enabled: Bool
    private var bar: ProgressBar?

    init(enabled: Bool = true) {
        self.enabled = enabled
        bar = ProgressBar(label: "copying", unit: "rows", enabled: enabled)
    }

    func update(_ step: EmbeddingPartitions.Step) {
        switch step {
        case .copying(let done, let total):
            bar?.update(done: done, total: total)
        case .building(let index, let number, let count):
            finish()
            guard enabled else { return }
            FileHandle.standardError.write(Data("building \(index) (\(number)/\(count))…\n".utf8))
        }
    }

    func finish() {
        bar?.finish()
        bar = nil
    }

    static func report(_ summary: EmbeddingPartitions.Summary) -> String {
        let layout =
            summary.partitions == 0
            ? "artifact_embeddings is one table again"
            : "artifact_embeddings is hash-partitioned by user into \(summary.partitions) partitions"
        var lines = [String(format: "%@: %d rows copied in %.1fs", layout, summary.rows, summary.copySeconds)]
        for index in summary.indexes {
            let each = summary.partitions > 0 ? " (one per partition)" : ""
            lines.append(String(format: "rebuilt %@%@ in %.1fs", index.name, each, index.seconds))
        }
        return lines.joined(separator: "\n")
    }
}
