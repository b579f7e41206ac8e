import Foundation
import Hummingbird
import JSONCore

/// `GET /health` (the process serves), `GET /ready` (RabbitMQ, Redis and MongoDB answer; 503
/// naming the ones that do not), `GET /metrics` (Prometheus text), `GET /openapi.json`.
struct OperationsRoutes {
    let services: LoanAPIServices

    func register(in table: RouteTable<BasicRequestContext>) {
        table.add(.get, "/health") { _, _ in JSONValue.object(["status": "ok"]).response() }
        table.add(.get, "/ready") { _, _ in
            let states = await services.readiness.run()
            let down = states.filter { $0.value != nil }
            var checks: [String: JSONValue] = [:]
            for (name, problem) in states { checks[name] = .string(problem ?? "ok") }
            let body: JSONValue = ["status": down.isEmpty ? "ready" : "unavailable", "checks": .object(checks),
                                   "down": .array(down.keys.sorted().map { .string($0) })]
            return body.response(status: down.isEmpty ? .ok : .serviceUnavailable)
        }
        table.add(.get, "/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: services.metrics.text())))
        }
        table.add(.get, "/openapi.json") { _, _ in Response.json(OpenAPIDocument.bytes) }
    }
}
