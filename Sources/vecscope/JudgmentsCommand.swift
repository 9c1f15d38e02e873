import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    struct Judgments: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export or import graded relevance judgments as TSV (job_id<TAB>artifact_id<TAB>grade).",
            subcommands: [Export.self, Import.self])
    }
}

extension Vecscope.Judgments {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every judgment (from the TUI or an import) as TSV.",
            discussion: """
                Fixture jobs' grades are listed under their ids; grades of free-text queries typed in the TUI under
                q-<hash>, each defined by a `#query<TAB>id<TAB>text` line that `judgments import` and
                `eval --judgments` read (and other readers skip as a comment).
                """)
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Folder with jobs.jsonl (default: Fixtures/).") var fixtures: String?
        @Option(name: .shortAndLong, help: "Write to this file instead of stdout.") var output: String?

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let jobs = try JobCatalog.load(
                    from: try FixturesLocator.folder(explicit: fixtures, needs: "jobs.jsonl"))
                let tsv = try JudgmentStore(connection: try database.connect()).exportTSV(jobs: jobs)
                if let output {
                    do {
                        try tsv.write(toFile: output, atomically: true, encoding: .utf8)
                    } catch {
                        throw VecscopeError(what: "cannot write \(output)", why: error.localizedDescription)
                    }
                    FileHandle.standardError.write(
                        Data("wrote \(tsv.split(separator: "\n").count) judgments to \(output)\n".utf8))
                } else {
                    print(tsv, terminator: "")
                }
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store judgments from a TSV file (all or nothing; a bad line is named).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Folder with jobs.jsonl (default: Fixtures/).") var fixtures: String?
        @Option(help: "Who made these judgments.") var judge = "import"
        @Argument(help: "The TSV file.") var file: String

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw VecscopeError(what: "cannot read \(file)", fix: "Check the path; the file must be UTF-8 TSV.")
                }
                let jobs = try JobCatalog.load(
                    from: try FixturesLocator.folder(explicit: fixtures, needs: "jobs.jsonl"))
                let count = try JudgmentStore(connection: try database.connect()).importTSV(
                    text, jobs: jobs, judge: judge)
                print("imported \(count) judgments from \(file)")
            }
        }
    }
}
