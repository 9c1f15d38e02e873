import Foundation
import Hummingbird
import Prometheus
import VecCore

/// What `GET /metrics` reports, in the Prometheus text format: requests by route and status, request latency by
/// route, search latency by method. One registry per server, so tests and several servers never share counts.
public final class APIMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    public init() {}

    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "vecscope", metricName: "http_requests", unitName: "total",
                helpText: "HTTP requests by route, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "vecscope", metricName: "http_request_duration", unitName: "seconds",
                helpText: "HTTP request latency by route."),
            labels: [("route", route), ("method", method)], buckets: Self.buckets
        ).record(duration)
    }

    func recordSearch(method: RankingMethod, milliseconds: Double) {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "vecscope", metricName: "search_duration", unitName: "seconds",
                helpText: "Search and rank latency in VecCore (embedding included), by ranking method."),
            labels: [("method", method.rawValue)], buckets: Self.buckets
        ).record(.nanoseconds(Int64(milliseconds * 1_000_000)))
    }

    var text: String { registry.emitToString() }
}

/// Counts and times every request, after errors have become responses (so a 404 is counted as one).
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let metrics: APIMetrics

    func handle(
        _ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response
    )
        async throws -> Response
    {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        // The route's pattern, never the raw path: ids in paths would make a series per artifact.
        metrics.recordRequest(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
            duration: ContinuousClock.now - started)
        return response
    }
}
