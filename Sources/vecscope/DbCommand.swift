import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    struct Db: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "db",
            abstract: "Start, stop and inspect the embedded PostgreSQL.",
            subcommands: [Start.self, Stop.self, Status.self, URL.self, Standby.self])

        static func embeddedServer() throws -> EmbeddedPostgres {
            if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
                FileHandle.standardError.write(
                    Data("note: DATABASE_URL is set; `vecscope db` manages only the embedded server.\n".utf8))
            }
            return EmbeddedPostgres(home: VecscopeHome.resolve())
        }
    }
}

extension Vecscope.Db {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the embedded server (initialising it the first time) and print its URL.")

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let server = try Vecscope.Db.embeddedServer()
                let wasRunning = server.status().running
                let url = try server.start()
                let connection = try Connection(url)
                try DatabaseTarget.checkPgvector(on: connection)
                try Migrator(connection: connection).migrate()
                print(wasRunning ? "already running: \(url)" : "started: \(url)")
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded server.")

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                print(try Vecscope.Db.embeddedServer().stop() ? "stopped" : "not running")
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say whether the embedded server runs, where, and as whom.")
        @OptionGroup var output: OutputOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let server = try Vecscope.Db.embeddedServer()
                let status = server.status()
                let standby = StreamingStandby(primary: server)
                let standbyBody = standby.server.status().initialized ? StandbyStatusBody(standby) : nil
                if output.json {
                    var body = ServerStatusBody(status)
                    body.standby = standbyBody
                    print(try JSONText.encode(body))
                    return
                }
                var lines: [(String, String)] = [
                    (
                        "state",
                        status.running
                            ? "running (pid \(status.pid ?? 0))"
                            : status.staleLockFile
                                ? "stopped (stale postmaster.pid from a crash; the next start recovers)"
                                : status.initialized
                                    ? "stopped" : "not initialised (the first `vecscope db start` creates it)"
                    )
                ]
                if let url = status.url { lines.append(("url", url)) }
                lines.append(("data", status.dataDirectory))
                lines.append(("binaries", status.installDirectory))
                lines.append(("socket dir", status.socketDirectory))
                lines.append(("log", status.logFile))
                if let user = status.runsAs { lines.append(("runs as", "\(user) (PostgreSQL refuses to run as root)")) }
                if let standbyBody { lines += Vecscope.Db.Standby.lines(standbyBody, prefix: "standby ") }
                printAligned(lines)
            }
        }
    }

    struct URL: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the connection URL, starting the server if needed.")

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                print(try Vecscope.Db.embeddedServer().start())
            }
        }
    }
}

/// `key  value` lines with the keys padded to one width.
func printAligned(_ lines: [(String, String)]) {
    let width = lines.map(\.0.count).max() ?? 0
    for (key, value) in lines {
        print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
    }
}
