import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    /// `vecscope gen`: synthetic users, artifacts and clustered unit vectors at scale, for tuning.
    struct Gen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate synthetic scale data (model synthetic-<dims>) by binary COPY.",
            discussion: """
                Users get Zipf-skewed collection sizes; each artifact's vector is one of ~1,000 random directions plus \
                Gaussian noise, normalised — clustered like text embeddings. The same --seed gives the same data.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Users to create.") var users = 10_000
        @Option(help: "Artifacts (one 'full' embedding each).") var artifacts = 100_000
        @Option(help: "Vector dimensions; the model is synthetic-<dims> (halfvec indexing above 2,000).") var dims =
            1_536
        @Option(help: "Random seed.") var seed: UInt64 = 42
        @Option(help: "Cluster directions in the mixture.") var clusters = 1_000
        @Option(help: "Artifacts per COPY batch (one transaction each).") var batchSize = 2_000
        @Flag(help: "Delete synthetic data loaded before, then generate.") var replace = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard users >= 1 else { throw ValidationError("--users must be at least 1") }
            guard artifacts >= 0 else { throw ValidationError("--artifacts must not be negative") }
            guard (1...16_000).contains(dims) else { throw ValidationError("--dims must be 1…16000") }
            guard clusters >= 1 else { throw ValidationError("--clusters must be at least 1") }
            guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        }

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let connection = try database.connect()
                let data = SyntheticData(
                    users: users, artifacts: artifacts, dimensions: dims, seed: seed, clusters: clusters,
                    batchSize: batchSize)
                let bar = ProgressBar(label: "gen", unit: "artifacts", enabled: !output.json)
                let summary = try SyntheticDataLoader(connection: connection).load(data, replace: replace) {
                    bar.update(done: $0, total: $1)
                }
                bar.finish()
                if output.json {
                    print(try JSONText.encode(SyntheticDataBody(summary, dimensions: dims)))
                } else {
                    print(
                        String(
                            format:
                                "generated %d users, %d artifacts × %d dims (model %@) in %.1fs — %.0f vectors/s by binary COPY",
                            summary.users, summary.artifacts, dims, summary.model, summary.seconds,
                            summary.vectorsPerSecond))
                    print("next: vecscope index create --model \(summary.model) --type hnsw")
                }
            }
        }
    }
}
