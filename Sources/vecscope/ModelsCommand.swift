import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    struct Models: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List embedding models with their fresh, stale and missing embeddings.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let statuses = try ModelStatus.all(connection: try database.connect())
                if output.json {
                    print(try JSONText.encode(statuses.map(ModelStatusBody.init)))
                    return
                }
                print(
                    "model                            provider   dims  storage   $/MTok   fresh  stale  missing  chunks   spent"
                )
                for s in statuses {
                    print(
                        String(
                            format: "%-32@ %-9@ %5d  %-8@ %6.3f  %6d %6d %8d %7d  $%.6f",
                            s.model.name as NSString, s.model.provider.rawValue as NSString, s.model.dimensions,
                            s.model.storage.rawValue as NSString, s.model.costPerMTok, s.fresh, s.stale, s.missing,
                            s.chunkVectors, s.costUSD))
                }
            }
        }
    }
}
