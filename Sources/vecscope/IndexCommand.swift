import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    /// `vecscope index`: list, create (with live build progress), drop and rebuild vector indexes.
    struct Index: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "index",
            abstract: "List, create, drop and rebuild the HNSW / IVFFlat indexes of each model.",
            subcommands: [List.self, Create.self, Drop.self, Reindex.self],
            defaultSubcommand: List.self)
    }
}

extension Vecscope.Index {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each vector index: model, type, parameters, size, rows, scans, validity.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let indexes = try IndexManager(connection: try database.connect()).list()
                print(output.json ? try IndexReport.json(indexes) : IndexReport.table(indexes))
            }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Build a partial index for one model's vectors, showing progress from pg_stat_progress_create_index.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Embedding model (see `vecscope models`).") var model: String
        @Option(help: "Index algorithm.") var type = VectorIndexType.hnsw
        @Option(help: "Distance metric (ip = inner_product); a bit index is Hamming, re-ranked by the search's metric.")
        var metric = DistanceMetric.cosine
        @Option(
            help:
                "What the index stores: none (the vectors as stored), halfvec (half precision) or bit (binary_quantize, searched with --plan NAME --rerank N)."
        ) var quantization = VectorQuantization.none
        @Option(help: "HNSW: neighbours per node.") var m: Int = 16
        @Option(help: "HNSW: candidate list size while building.") var efConstruction: Int = 64
        @Option(help: "IVFFlat: number of lists (default: rows/1000, or sqrt(rows) above 1M rows).") var lists: Int?
        @Option(help: "Which vectors: the artifacts' or their chunks'.") var table = IndexedVectors.artifacts
        @Option(help: "maintenance_work_mem for the build (the HNSW graph should fit in it).") var maintenanceWorkMem =
            "1GB"
        @Flag(help: "CREATE INDEX CONCURRENTLY: slower, but writes go on meanwhile.") var concurrently = false
        @OptionGroup var output: OutputOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let connection = try database.connect()
                let monitor = try database.connect(migrate: false)
                let registry = EmbeddingModelRegistry(connection: connection)
                let manager = IndexManager(connection: connection)
                var spec = VectorIndexSpec(
                    model: try registry.model(named: model), table: table.table, type: type,
                    metric: metric, quantization: quantization, m: m, efConstruction: efConstruction)
                let rows = try manager.rows(for: spec)
                spec.lists = lists ?? IndexAdvice.recommendedLists(rows: rows)
                try spec.validate()
                if let advice = IndexAdvice.advice(
                    type: type, m: spec.m, efConstruction: spec.efConstruction,
                    lists: spec.lists, rows: rows)
                {
                    FileHandle.standardError.write(Data("advice: \(advice)\n".utf8))
                }
                let bar = PhaseProgress(enabled: !output.json)
                let summary = try manager.create(
                    spec, concurrently: concurrently, maintenanceWorkMem: maintenanceWorkMem,
                    monitor: monitor
                ) { bar.update($0) }
                bar.finish()
                if output.json {
                    print(try JSONText.encode(IndexCreationBody(summary, rows: rows)))
                } else if summary.alreadyExisted {
                    print(
                        "\(summary.name) exists already (drop it first to rebuild with other parameters, or `vecscope index reindex`)."
                    )
                } else {
                    print(String(format: "created %@ over %d rows in %.1fs", summary.name, rows, summary.seconds))
                }
            }
        }
    }

    struct Drop: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop a vector index listed by `vecscope index list`.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Index name, as `vecscope index list` shows it.") var name: String
        @Flag(help: "DROP INDEX CONCURRENTLY.") var concurrently = false

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                try IndexManager(connection: try database.connect()).drop(named: name, concurrently: concurrently)
                print("dropped \(name)")
            }
        }
    }

    struct Reindex: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild a vector index listed by `vecscope index list`.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Index name, as `vecscope index list` shows it.") var name: String
        @Flag(help: "REINDEX CONCURRENTLY.") var concurrently = false
        @Option(help: "maintenance_work_mem for the rebuild.") var maintenanceWorkMem = "1GB"

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let monitor = try database.connect(migrate: false)
                let bar = PhaseProgress(enabled: true)
                let seconds = try IndexManager(connection: try database.connect())
                    .reindex(
                        named: name, concurrently: concurrently, maintenanceWorkMem: maintenanceWorkMem,
                        monitor: monitor
                    ) {
                        bar.update($0)
                    }
                bar.finish()
                print(String(format: "rebuilt %@ in %.1fs", name, seconds))
            }
        }
    }
}

/// One progress bar per build phase (pgvector's phases count tuples or blocks, each with its own total).
final class PhaseProgress {
    private let enabled: Bool
    private var phase: String?
    private var bar: ProgressBar?

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ progress: IndexBuildProgress) {
        guard enabled else { return }
        let (done, total, unit) = progress.counts
        if progress.phase != phase {
            bar?.finish()
            bar = nil
            phase = progress.phase
            if unit.isEmpty { FileHandle.standardError.write(Data("\(progress.phase)…\n".utf8)) }
        }
        guard !unit.isEmpty else { return }
        // A phase's counts may appear a moment after the phase itself.
        if bar == nil { bar = ProgressBar(label: progress.phase, unit: unit) }
        bar?.update(done: done, total: total)
    }

    func finish() { bar?.finish() }
}

/// `vecscope index list` as a table or JSON.
enum IndexReport {
    static func table(_ indexes: [VectorIndexInfo]) -> String {
        guard !indexes.isEmpty else { return "no vector indexes (create one with `vecscope index create --model M`)" }
        let header = [
            "name", "table", "model", "type", "variant", "opclass", "parameters", "size", "build", "rows", "scans",
            "valid",
        ]
        let rows = indexes.map { info in
            [
                info.name, info.table, info.model ?? "-", info.type, info.quantization.rawValue, info.opclass,
                info.parameterSummary, info.readableSize, info.buildSeconds.map { String(format: "%.1fs", $0) } ?? "-",
                String(info.rows), String(info.scans), info.valid ? "yes" : "NO",
            ]
        }
        return TextTable.render(header: header, rows: rows)
    }

    static func json(_ indexes: [VectorIndexInfo]) throws -> String {
        try JSONText.encode(indexes.map(VectorIndexBody.init))
    }
}
