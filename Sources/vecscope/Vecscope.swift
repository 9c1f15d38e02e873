import ArgumentParser
import Foundation
import Logging
import VecCore

@main
struct Vecscope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vecscope",
        abstract: "Explore and tune similarity search on PostgreSQL + pgvector.",
        discussion: """
            Without DATABASE_URL every command uses the embedded PostgreSQL under VECSCOPE_HOME, starting it on demand.
            """,
        subcommands: [
            TUI.self, Db.self, Migrate.self, Load.self, Embed.self, EmbedText.self, Search.self, Rank.self, Models.self,
            Bench.self, Index.self, Gen.self, BenchSuite.self, Judgments.self, Eval.self, Tune.self, Demo.self,
            Serve.self, Users.self, Worker.self, Stats.self, Partition.self,
        ],
        defaultSubcommand: TUI.self)

    /// Logs go to stderr, at VECSCOPE_LOG_LEVEL (default: warning; `serve` logs each request at info), so stdout
    /// stays clean for --json.
    static func bootstrapLogging(defaultLevel: Logger.Level = .warning) {
        let level =
            ProcessInfo.processInfo.environment["VECSCOPE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            ?? defaultLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// Where to connect: `--database-url` overrides `DATABASE_URL`; neither means the embedded server.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: "libpq URI or conninfo (default: $DATABASE_URL, else the embedded server).")
    var databaseURL: String?

    func target() -> DatabaseTarget { DatabaseTarget.resolve(explicitURL: databaseURL) }

    func connect(migrate: Bool = true) throws -> Connection { try target().connect(migrate: migrate) }
}

/// How long an embedding API may make a command wait; each flag overrides its environment variable.
struct TimeLimitOptions: ParsableArguments {
    @Option(help: "Seconds to connect to the embedding server (default: $VECSCOPE_HTTP_CONNECT_TIMEOUT, else 10).")
    var connectTimeout: Double?
    @Option(help: "Seconds for one HTTP request to the embedding server (default: $VECSCOPE_HTTP_TIMEOUT, else 60).")
    var requestTimeout: Double?
    @Option(
        help: """
            Seconds one batch (embed) or one query embedding (search, rank) may take, retries included \
            (default: $VECSCOPE_EMBED_DEADLINE, else 120; $VECSCOPE_QUERY_DEADLINE, else 30).
            """)
    var deadline: Double?

    func validate() throws {
        for (flag, value) in [
            ("connect-timeout", connectTimeout), ("request-timeout", requestTimeout), ("deadline", deadline),
        ] {
            if let value, !(value > 0 && value <= 86_400) {
                throw ValidationError("--\(flag) must be a number of seconds above 0 and at most 86400")
            }
        }
    }

    /// The process environment with the flags given written over their variables, for `EmbedderFactory`.
    func environment(for purpose: EmbeddingPurpose) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        let deadlineLimit: OpenAIEmbedder.TimeLimit = purpose == .query ? .queryDeadline : .batchDeadline
        for (limit, value) in [(.connect, connectTimeout), (.request, requestTimeout), (deadlineLimit, deadline)]
            as [(OpenAIEmbedder.TimeLimit, Double?)]
        {
            if let value { environment[limit.rawValue] = String(value) }
        }
        return environment
    }
}

/// Shared output flags.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false
}

/// Prints any error the way a user should read it (`ErrorReport`: what and why, SQLSTATE, detail, hint, → fix),
/// one `error: ` line each, and exits 1 instead of a Swift dump. ArgumentParser's own errors and exit requests
/// pass through to it, so usage errors and `ExitCode(2)` keep their behaviour.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error where error is ExitCode || error is CleanExit || error is ValidationError {
        throw error
    } catch {
        let text = ErrorReport(error).lines.map { "error: \($0)\n" }.joined()
        FileHandle.standardError.write(Data(text.utf8))
        throw ExitCode(1)
    }
}

/// Runs async work from a synchronous command and returns its result: the root command is synchronous (the TUI owns
/// the main thread), so `serve` and the pooled benchmark wait here for their task.
func blockOn<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = BlockedOutcome<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { outcome.result = .success(try await work()) } catch { outcome.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try outcome.result.get()
}

/// `blockOn`'s result, written by the task before it signals and read after the wait.
private final class BlockedOutcome<T>: @unchecked Sendable {
    var result: Result<T, any Error> = .failure(CancellationError())
}
