import ArgumentParser
import Foundation
import Logging
import VecCore
import VecTUI

extension Vecscope {
    struct TUI: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tui",
            abstract: "Open the interactive explorer (what `vecscope` with no arguments does).",
            discussion: """
                Type a job description, see ranked artifacts with every score, change ef_search, probes, metric and
                method live, grade results 0–3 and watch nDCG move. Press ? inside for every key. The first run
                loads and embeds Fixtures/ on a progress screen when the database holds no artifacts; when some
                artifacts lack vectors it offers to embed them (Esc skips).
                """)
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var reads: ReadOptions
        @Option(help: "Open with a job from Fixtures/jobs.jsonl as the query, e.g. j01.") var job: String?
        @Option(help: "Open with this text as the query.") var query: String?
        @Flag(help: "Neither load the fixtures into an empty database nor offer to embed missing vectors.")
        var noFixtures = false

        func run() throws {
            let home = VecscopeHome.resolve()
            Self.bootstrapFileLogging(home: home)
            try runReportingErrors {
                // Before the database starts: a terminal that cannot show the TUI is said at once.
                try Terminal.checkUsable()
                let target = database.target()
                if case .embedded(let server) = target.source, !server.status().running {
                    print("starting the embedded PostgreSQL…")
                }
                let connection = try target.connect()
                let fixtures = try? FixturesLocator.folder(explicit: nil)
                let url = try target.connectionString()
                let connectPrimary = { try Connection(url, applicationName: "vecscope-tui") }
                var connectionTarget = ConnectionString.summary(connection.displayTarget)
                var readWarning: String?
                var connectReads = connectPrimary
                if let readFrom = reads.readFrom {
                    // Searches read where --read-from says; grades, index jobs and the set-up write on the primary.
                    let first = try target.connectForReading(readFrom, applicationName: "vecscope-tui")
                    readWarning = first.warning
                    connectionTarget =
                        "\(first.connection.serverRole.rawValue) \(first.connection.serverAddress)"
                    connectReads = {
                        try target.connectForReading(readFrom, applicationName: "vecscope-tui").connection
                    }
                }
                let backend = EngineBackend(connect: connectReads, connectPrimary: connectPrimary, fixtures: fixtures)
                var params = AppState.defaultParams
                try RankingDefaults.stored(in: connection)?.apply(to: &params)
                let tuning = try IndexTuning.stored(in: connection)
                tuning?.apply(to: &params)
                var state = AppState(params: params, connectionTarget: connectionTarget)
                state.indexTuning = tuning
                // Info, not error: a successful search clears errors, and this one stays true while the TUI runs.
                if let readWarning { state.message = StatusMessage(text: "warning: " + readWarning, kind: .info) }
                if !noFixtures {
                    // Loading and embedding happen inside the TUI on its set-up screen, with progress.
                    let model = try EmbeddingModelRegistry(connection: connection).model(
                        named: SearchParams.defaultModel)
                    let plan = try DemoSetup(connection: connection, fixtures: fixtures, model: model).plan()
                    if !plan.isEmpty { state.setup = SetupModel(plan: plan) }
                }
                // The job picker (Ctrl-T) lists the fixture jobs; without a Fixtures folder it just says so.
                let catalog = fixtures.flatMap { try? JobCatalog.load(from: $0) }
                state.jobs = catalog?.jobs.map { JobEntry(id: $0.id, title: $0.title, text: $0.text) } ?? []
                if let job {
                    // Without a catalog, locating and loading again gives the error that says where it looked.
                    let description = try (catalog ?? JobCatalog.load(from: FixturesLocator.folder(explicit: nil))).job(
                        id: job)
                    _ = reduce(
                        &state, .loadJob(JobEntry(id: description.id, title: description.title, text: description.text))
                    )
                } else if let query {
                    _ = reduce(&state, .loadQuery(query))
                }
                let runtime = TUIRuntime(
                    backend: backend, state: state,
                    historyURL: home.root.appendingPathComponent("tui-history.jsonl"),
                    paramsURL: home.root.appendingPathComponent("tui-parameters.json"))
                _ = try runtime.run()
            }
        }

        /// Inside the TUI nothing may print to the screen: logs go to VECSCOPE_HOME/log/vecscope.log.
        static func bootstrapFileLogging(home: VecscopeHome) {
            try? FileManager.default.createDirectory(at: home.logDirectory, withIntermediateDirectories: true)
            let path = home.logDirectory.appendingPathComponent("vecscope.log").path
            if !FileManager.default.fileExists(atPath: path) {
                FileManager.default.createFile(atPath: path, contents: nil)
            }
            let handle = FileHandle(forWritingAtPath: path)
            _ = try? handle?.seekToEnd()
            LoggingSystem.bootstrap { label in
                var handler = FileLogHandler(label: label, handle: handle)
                handler.logLevel = .info
                return handler
            }
        }
    }
}

/// A swift-log handler writing lines to a file (the TUI owns the screen).
struct FileLogHandler: LogHandler {
    let label: String
    let handle: FileHandle?
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        let stamp = ISO8601DateFormatter().string(from: Date())
        handle?.write(Data("\(stamp) \(level) \(label): \(message)\n".utf8))
    }
}
