import ArgumentParser
import VecCore

@main
struct Vecscope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vecscope",
        abstract: "Explore and tune similarity search on PostgreSQL + pgvector.",
        subcommands: [])
}
