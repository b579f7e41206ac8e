import Foundation
import Hummingbird
import HummingbirdTesting
import JSONCore
import LoanAPI
import Testing
import TestSupport

@Suite("LoanAPI operations")
struct OperationsTests {
    @Test func healthReadyAndMetrics() async throws {
        try await APIHarness.withClient("api-ops") { harness, client in
            let health = try await client.call(.get, "/health")
            #expect(health.status == .ok && health.json["status"] == "ok")
            let ready = try await client.call(.get, "/ready")
            #expect(ready.status == .ok, "\(ready.json)")
            #expect(ready.json["checks"]?["redis"] == "ok" && ready.json["checks"]?["rabbitmq"] == "ok"
                    && ready.json["checks"]?["mongodb"] == "ok")
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: metrics.body)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(text.contains(#"http_requests_total{method="GET",route="/ready",status="200"} 1"#), "\(text)")
        }
    }

    @Test func errorsAreJSON() async throws {
        try await APIHarness.withClient("api-errors") { harness, client in
            let unknown = try await client.call(.get, "/no/such/route")
            #expect(unknown.status == .notFound && unknown.json["error"]?.stringValue?.contains("no route") == true)
            let huge = try await client.call(.post, "/accounts", json: String(repeating: " ", count: 20_000) + "{}")
            #expect(huge.status == .contentTooLarge && huge.json["error"] != nil, "\(huge.json)")
        }
    }

    @Test func corsAnswersAllowedOriginsOnly() async throws {
        try await APIHarness.withClient("api-cors", configure: { $0.corsOrigins = ["https://app.example"] }) { harness, client in
            let preflight = try await client.call(.options, "/loans", headers: [.origin: "https://app.example",
                                                                               .accessControlRequestMethod: "POST"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://app.example")
            let other = try await client.call(.get, "/health", headers: [.origin: "https://evil.example"])
            #expect(other.status == .ok && other.headers[.accessControlAllowOrigin] == nil)
        }
    }
}
