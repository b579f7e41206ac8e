import Foundation
import Hummingbird
import HummingbirdTesting
import JSONCore
import LoanAPI
import Testing
import TestSupport

/// Stops Redis: scripts/test.sh runs suites named "Disruptive" alone, after the others.
@Suite("Disruptive LoanAPI readiness", .serialized)
struct DisruptiveReadinessTests {
    @Test func readyTurns503WhileRedisIsDownAndHealthKeepsServing() async throws {
        try await APIHarness.withClient("api-ready") { harness, client in
            #expect(try await client.call(.get, "/ready").status == .ok)
            try TestStack.stop(.redis)
            do {
                let down = try await client.call(.get, "/ready")
                #expect(down.status == .serviceUnavailable, "\(down.json)")
                #expect(down.json["down"] == ["redis"], "\(down.json)")
                #expect(try await client.call(.get, "/health").status == .ok)
            } catch {
                try? TestStack.start(.redis)
                throw error
            }
            try TestStack.start(.redis)
            let deadline = ContinuousClock.now + .seconds(30)
            var status = HTTPResponse.Status.serviceUnavailable
            while status != .ok, ContinuousClock.now < deadline {
                status = try await client.call(.get, "/ready").status
                if status != .ok { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(status == .ok)
        }
    }
}
