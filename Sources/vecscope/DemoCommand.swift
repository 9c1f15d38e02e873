import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the database, load the shipped fixtures and show what is there (what `make demo` runs).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The folder with artifacts.jsonl (default: Fixtures/ of this checkout).") var fixtures: String?

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let target = database.target()
                if case .embedded(let server) = target.source, !server.status().running {
                    print("starting the embedded PostgreSQL (first run initialises \(server.dataDirectory.path))…")
                }
                let connection = try target.connect()
                let inventory = Inventory(connection: connection)
                let address = ConnectionString.summary(connection.displayTarget)
                let pgvector = try inventory.pgvectorVersion() ?? "?"
                let postgres = connection.serverVersion / 10_000
                print("connected to \(address) — PostgreSQL \(postgres), pgvector \(pgvector)")
                let folder = try FixturesLocator.folder(explicit: fixtures)
                _ = try loadArtifacts(
                    folder.appendingPathComponent("artifacts.jsonl"), connection: connection, strict: false)
                let counts = try inventory.artifactCountsByType()
                print("artifacts by type: " + counts.map { "\($0.type) \($0.count)" }.joined(separator: ", "))
                // The recruiter's grades for the fixture jobs, so nDCG and P@k show from the first search.
                if let imported = try JudgmentStore(connection: connection).importFixtureGradesIfNone(from: folder) {
                    print(
                        "judgments: \(imported.grades) grades for the fixture jobs (vecscope judgments export prints them)"
                    )
                }
            }
        }
    }
}

/// Finds the shipped Fixtures/ folder: the flag, else next to the working directory or the executable's checkout.
enum FixturesLocator {
    static func folder(explicit: String?, needs file: String = "artifacts.jsonl") throws -> URL {
        var candidates: [URL] = []
        if let explicit { candidates.append(URL(fileURLWithPath: explicit)) }
        candidates.append(
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Fixtures"))
        // .build/<config>/vecscope → the checkout is three levels up.
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(
            executable.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures"))
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent(file).path) {
            return candidate
        }
        throw VecscopeError(
            what: "cannot find the fixtures (\(file))",
            why: "looked in " + candidates.map(\.path).joined(separator: ", "),
            fix: "Run from the vecscope checkout, or pass --fixtures DIR.")
    }
}
