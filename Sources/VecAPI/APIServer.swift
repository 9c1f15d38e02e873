import Foundation
import Hummingbird
import Logging
import VecCore

/// `vecscope serve`: the HTTP API over VecCore, on Hummingbird.
public enum APIServer {
    /// The application for `configuration`, its requests served by `pool`. Tests drive it with HummingbirdTesting.
    public static func application(
        configuration: APIConfiguration, pool: DatabasePool, metrics: APIMetrics = APIMetrics(),
        logger: Logger = Logger(label: "vecscope.api")
    ) -> some ApplicationProtocol {
        let router = Router(context: APIContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        // Method and path only: headers (the bearer token) are never logged.
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: ErrorMiddleware())
        Routes(pool: pool, metrics: metrics, configuration: configuration).register(on: router)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "vecscope"),
            logger: logger)
    }

    /// The pool for `configuration` on the database at `url`; each connection has the request deadline as its
    /// statement_timeout.
    public static func pool(configuration: APIConfiguration, url: String) -> DatabasePool {
        let timeout = configuration.requestDeadline
        return DatabasePool(configuration: configuration) {
            let connection = try Connection(url, applicationName: "vecscope-api")
            try connection.setStatementTimeout(timeout)
            return connection
        }
    }

    /// Serves until SIGTERM or SIGINT; requests in flight finish first, then the pool's threads stop.
    public static func run(configuration: APIConfiguration, url: String, logger: Logger) async throws {
        let pool = pool(configuration: configuration, url: url)
        // Every connection opened and warmed before the first request, so no caller pays for it.
        if let model = configuration.warmUpModel {
            let started = ContinuousClock.now
            let warmed = await pool.warmUp(model: model, logger: logger)
            logger.info(
                "pool ready: \(warmed) of \(configuration.connections) connections warmed with \(model) in \(ContinuousClock.now - started)"
            )
        }
        let app = application(configuration: configuration, pool: pool, logger: logger)
        do {
            try await app.runService()
        } catch {
            try? await pool.shutdown()
            throw error
        }
        try await pool.shutdown()
    }
}
