import Foundation
import Hummingbird
import Prometheus

/// Request counts and latency histograms per route, into an explicit
/// Prometheus registry (no global metrics system, so tests stay independent).
public struct HTTPMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    func record(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(
            name: "creneau_http_requests_total",
            labels: [("method", method), ("route", route), ("status", String(status))],
            help: "HTTP requests answered, by route template and status."
        ).increment()
        registry.makeDurationHistogram(
            name: "creneau_http_request_duration_seconds",
            labels: [("method", method), ("route", route)],
            buckets: Self.buckets,
            help: "Time to answer an HTTP request, by route template."
        ).record(duration)
    }
}

public struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HTTPMetrics

    public init(metrics: HTTPMetrics) { self.metrics = metrics }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await next(request, context)
        // The route template ("/api/v1/practitioners/{id}"), never the raw path:
        // raw paths would carry ids and explode the number of series.
        let route = context.endpointPath ?? "unmatched"
        metrics.record(method: request.method.rawValue, route: route, status: response.status.code, duration: clock.now - start)
        return response
    }
}
