import ArgumentParser
import VecCore

extension Vecscope {
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring the database schema up to date (other commands do this too).")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let connection = try database.target().connect(migrate: false, verify: false)
                let applied = try DatabaseTarget.migrate(connection)
                if applied.isEmpty {
                    print("schema is up to date")
                } else {
                    for migration in applied { print("applied \(migration.version): \(migration.name)") }
                }
            }
        }
    }
}
