import ArgumentParser
import Foundation
import VecCore

extension Vecscope.Db {
    /// `vecscope db standby`: a streaming replica of the embedded server, for `--read-from standby|any`.
    struct Standby: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start, stop and inspect a streaming standby of the embedded server (reads with --read-from).",
            subcommands: [Start.self, Stop.self, Status.self])

        static func standby() throws -> StreamingStandby { StreamingStandby(primary: try Vecscope.Db.embeddedServer()) }

        /// The standby's lines for `db status` and `db standby status`.
        static func lines(_ body: StandbyStatusBody, prefix: String = "") -> [(String, String)] {
            var lines: [(String, String)] = [
                (
                    prefix + "state",
                    body.running ? "running (pid \(body.pid ?? 0)), read-only" : "stopped (`vecscope db standby start`)"
                )
            ]
            if let url = body.url { lines.append((prefix + "url", url)) }
            if !body.running { lines.append((prefix + "data", body.dataDirectory)) }
            lines.append((prefix + "replication", replicationLine(body.replication)))
            if body.running { lines.append((prefix + "log", body.logFile)) }
            return lines
        }

        static func replicationLine(_ replication: ReplicationBody) -> String {
            guard let state = replication.state else {
                return "not connected to the primary" + (replication.inRecovery == true ? " (still a standby)" : "")
            }
            var parts = [state]
            if let bytes = replication.lagBytes { parts.append("lag \(bytes) B of WAL") }
            if let ms = replication.replayLagMs { parts.append(String(format: "replay lag %.1f ms", ms)) }
            if let seconds = replication.lastReplaySeconds {
                parts.append(String(format: "last replayed commit %.0f s ago", seconds))
            }
            return parts.joined(separator: ", ")
        }
    }
}

extension Vecscope.Db.Standby {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the standby, making it first with pg_basebackup -R of the primary (started if needed).",
            discussion: """
                Its data directory is $VECSCOPE_HOME/standby/pgdata and its port a free one. It streams from the
                primary without a replication slot; one stopped so long that the primary recycled the WAL it needs is
                made again with --fresh.
                """)
        @Flag(help: "Remove the standby's data directory and copy the primary again.") var fresh = false

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let standby = try Vecscope.Db.Standby.standby()
                let wasRunning = standby.server.status().running
                var bar: ProgressBar?
                let url = try standby.start(fresh: fresh) { event in
                    switch event {
                    case .step(let text):
                        bar?.finish()
                        FileHandle.standardError.write(Data("\(text)\n".utf8))
                        // Timed from the copy's start, so its rate is the copy's.
                        if text.hasPrefix("base backup of") { bar = ProgressBar(label: "base backup", unit: "kB") }
                    case .copied(let done, let total):
                        bar?.update(done: done, total: total)
                    }
                }
                bar?.finish()
                print(wasRunning ? "already running: \(url)" : "started: \(url)")
                print("replication  " + Vecscope.Db.Standby.replicationLine(ReplicationBody(standby.replication())))
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop the standby (its data directory stays; the next start catches up).")

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                print(try Vecscope.Db.Standby.standby().stop() ? "stopped" : "not running")
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say whether the standby runs, where, and how far behind the primary it is.")
        @OptionGroup var output: OutputOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let body = StandbyStatusBody(try Vecscope.Db.Standby.standby())
                if output.json {
                    print(try JSONText.encode(body))
                } else if !body.initialized {
                    print("no standby (`vecscope db standby start` makes one)")
                } else {
                    printAligned(Vecscope.Db.Standby.lines(body))
                }
            }
        }
    }
}
