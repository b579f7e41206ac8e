public import Prometheus
import Foundation

/// The API's Prometheus metrics, served as text by `GET /metrics`:
/// `http_requests_total{method,route,status}`, `http_request_duration_seconds{method,route}` and
/// `celeriac_api_tasks_submitted_total{task,outcome}` (loan evaluations and operator submissions).
/// Pass the same registry to `PrometheusMetricsFactory` to also export swift-metrics from the
/// libraries (the executable does).
public struct APIMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    static let buckets: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                      .seconds(2.5), .seconds(5), .seconds(10)]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    func request(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "http_requests", unitName: "total",
                                                              helpText: "HTTP requests answered, by method, route and status."),
                             labels: [("method", method), ("route", route), ("status", String(status))])
            .increment()
        registry.makeDurationHistogram(descriptor: MetricNameDescriptor(metricName: "http_request_duration", unitName: "seconds",
                                                                        helpText: "Time to answer an HTTP request, by method and route."),
                                       labels: [("method", method), ("route", route)], buckets: Self.buckets)
            .record(duration)
    }

    func taskSubmitted(_ task: String, ok: Bool) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "celeriac", subsystem: "api", metricName: "tasks_submitted",
                                                              unitName: "total", helpText: "Tasks the API sent to the broker, by task and outcome."),
                             labels: [("task", task), ("outcome", ok ? "sent" : "failed")])
            .increment()
    }

    /// The Prometheus text exposition.
    public func text() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
