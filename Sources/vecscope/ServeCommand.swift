import ArgumentParser
import Foundation
import Logging
import VecAPI
import VecCore

extension Vecscope {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the HTTP API (similar search, ranking, embeddings) until SIGTERM or Ctrl-C.",
            discussion: """
                Every /api route needs `Authorization: Bearer <token>` (`vecscope users token create USER`). \
                GET /openapi.json describes the routes; /healthz and /metrics (Prometheus) need no token.
                """)
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The address to listen on.") var host = "127.0.0.1"
        @Option(help: "The port to listen on.") var port = 8080
        @Option(
            help: "Database connections, each serving one request at a time; more requests queue (default: 2 per core)."
        )
        var connections = APIConfiguration.defaultConnections
        @Option(help: "Requests that may wait for a connection before 503.") var queue = 64
        @Option(help: "Model each connection is warmed with (one search) before serving.")
        var warmUpModel = SearchParams.defaultModel
        @Option(help: "Largest request body, in bytes.") var maxBody = 1 << 20
        @Option(help: "Seconds a request may wait for a connection, and then run in the database.") var deadline = 30

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
            guard connections >= 1 else { throw ValidationError("--connections must be 1 or more") }
            guard queue >= 0 else { throw ValidationError("--queue must be 0 or more") }
            guard maxBody >= 1024 else { throw ValidationError("--max-body must be at least 1024 bytes") }
            guard deadline >= 1 else { throw ValidationError("--deadline must be at least 1 second") }
        }

        func run() throws {
            Vecscope.bootstrapLogging(defaultLevel: .info)
            try runReportingErrors {
                // Starts the embedded server if that is the target, and brings the schema up to date once.
                let target = database.target()
                let connection = try target.connect()
                let url = try target.connectionString()
                var configuration = APIConfiguration()
                configuration.indexTuning = try IndexTuning.stored(in: connection)
                configuration.host = host
                configuration.port = port
                configuration.connections = connections
                configuration.maxQueuedRequests = queue
                configuration.warmUpModel = warmUpModel
                configuration.maxBodyBytes = maxBody
                configuration.requestDeadline = .seconds(deadline)
                let logger = Logger(label: "vecscope.api")
                try blockOn { [configuration] in
                    try await APIServer.run(configuration: configuration, url: url, logger: logger)
                }
            }
        }
    }
}
