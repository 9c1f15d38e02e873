import ArgumentParser
import Foundation
import VecCore

extension ReadPreference: ExpressibleByArgument {}

/// `--read-from` for the commands that only read (search, rank, bench, the TUI): their searches may go to a
/// streaming standby; what they write (judgments, index builds, the set-up) still goes to the primary.
struct ReadOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Where searches read: primary, standby (falls back to the primary with a warning) or any (a standby if one answers).",
            discussion:
                "The embedded server's standby comes from `vecscope db standby start`; with DATABASE_URL list the hosts (postgresql://h1:p1,h2:p2/db)."
        ))
    var readFrom: ReadPreference?

    /// The connection searches read on: the primary (migrated, as every command's) without the flag; with it, the
    /// server libpq picks, a fallback to the primary warned about on stderr.
    func connect(_ database: DatabaseOptions, applicationName: String = "vecscope") throws -> Connection {
        guard let readFrom else { return try database.connect() }
        let read = try database.target().connectForReading(readFrom, applicationName: applicationName)
        if let warning = read.warning { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        return read.connection
    }

    /// Another reading connection like the first (a benchmark's workers); a fallback was already warned about.
    func connectAgain(_ database: DatabaseOptions) throws -> Connection {
        guard let readFrom else { return try database.connect(migrate: false) }
        return try database.target().connectForReading(readFrom).connection
    }
}
