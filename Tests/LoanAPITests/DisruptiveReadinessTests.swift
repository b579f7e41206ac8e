import Foundation
import Hummingbird
import HummingbirdTesting
import JSONCore
import LoanAPI
import Testing
import TestSupport

/// Stops Redis, MongoDB and RabbitMQ: scripts/test.sh runs suites named "Disruptive" alone, after the others.
@Suite("Disruptive LoanAPI readiness", .serialized)
struct DisruptiveReadinessTests {
    @Test(arguments: [(TestStack.Service.redis, "redis"), (.mongo, "mongodb")])
    func readyTurns503WhileADependencyIsDownAndHealthKeepsServing(_ service: TestStack.Service, _ name: String) async throws {
        try await APIHarness.withClient("api-ready") { _, client in
            #expect(try await client.call(.get, "/ready").status == .ok)
            try TestStack.stop(service)
            do {
                let down = try await client.call(.get, "/ready")
                #expect(down.status == .serviceUnavailable, "\(down.json)")
                #expect(down.json["down"] == [.string(name)], "\(down.json)")
                #expect(try await client.call(.get, "/health").status == .ok)
            } catch {
                try? TestStack.start(service)
                throw error
            }
            try TestStack.start(service)
            let deadline = ContinuousClock.now + .seconds(60)
            var status = HTTPResponse.Status.serviceUnavailable
            while status != .ok, ContinuousClock.now < deadline {
                status = try await client.call(.get, "/ready").status
                if status != .ok { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(status == .ok)
        }
    }

    /// A loan whose evaluation cannot be published is not left Pending: the API answers 503 and
    /// the applicant finds it Cancelled with the error.
    @Test func submissionWhileRabbitMQIsDownCancelsTheLoan() async throws {
        try await APIHarness.withClient("api-nobroker") { _, client in
            let (token, _) = try await client.newAccount()
            try TestStack.stop(.rabbitmq)
            let started = ContinuousClock.now
            let response: (status: HTTPResponse.Status, json: JSONValue, headers: HTTPFields)
            do {
                response = try await client.call(.post, "/loans", token: token, json: Samples.approvable)
            } catch {
                try? TestStack.start(.rabbitmq)
                throw error
            }
            let ready = try? await client.call(.get, "/ready")
            try TestStack.start(.rabbitmq)
            #expect(response.status == .serviceUnavailable, "\(response.json)")
            #expect(response.headers[.retryAfter] != nil)
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(ready?.status == .serviceUnavailable && ready?.json["down"] == ["rabbitmq"], "\(String(describing: ready?.json))")
            let mine = try await client.call(.get, "/loans", token: token)
            let loan = try #require(mine.json["loans"]?.arrayValue?.first)
            #expect(loan["status"] == "Cancelled" && loan["error"]?.stringValue?.contains("could not start the evaluation") == true, "\(loan)")
        }
    }
}
