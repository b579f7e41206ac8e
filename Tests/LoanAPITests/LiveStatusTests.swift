import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import HummingbirdWSClient
import JSONCore
import LoanAPI
import Synchronization
import Testing
import TestSupport

/// Runs in the serial phase ("Disruptive" in the name): in the full parallel run this test has
/// hung until its time limit once in two runs (an open bug in the socket's close under load,
/// see the closing note of stop 12); alone it passes. The time limit turns a hang into a failure.
@Suite("LoanAPI live status", .timeLimit(.minutes(3)))
struct DisruptiveLiveStatusTests {
    /// The acceptance path through HTTP and the WebSocket, with real loan workers.
    @Test func signUpSubmitAndWatchToApproved() async throws {
        try await APIHarness.withClient("api-live", .live) { harness, client in
            let (worker, run) = await harness.startWorker()
            do {
                try await watchToApproved(client)
            } catch {
                await worker.shutdown()
                throw error
            }
            await worker.shutdown()
            _ = try? await run.value
        }
    }

    func watchToApproved(_ client: any TestClientProtocol) async throws {
        do {
            let (token, _) = try await client.newAccount()
            let (otherToken, _) = try await client.newAccount()
            let created = try await client.call(.post, "/loans", token: token, json: Samples.approvable)
            #expect(created.status == .accepted)
            let id = try #require(created.json["id"]?.stringValue)

            let messages = Mutex<[JSONValue]>([])
            try await client.ws("/loans/\(id)/events?token=\(token)") { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 22) {
                    if case .text(let text) = message, let value = try? JSONValue(parsing: text) {
                        messages.withLock { $0.append(value) }
                    }
                }
            }
            let seen = messages.withLock { $0 }
            #expect(seen.count >= 2, "\(seen.map { $0["status"] })")
            #expect(seen.first?["id"] == .string(id))
            let last = try #require(seen.last)
            #expect(last["status"] == "Approved", "\(last)")
            #expect((last["decision"]?["schedule"]?.arrayValue?.count ?? 0) == 240, "the decision carries the repayment schedule")
            let lengths = seen.compactMap { $0["history"]?.arrayValue?.count }
            #expect(lengths == lengths.sorted() && Set(lengths).count == lengths.count, "each message shows a change: \(lengths)")

            // A finished loan: the socket sends it once and closes.
            let again = Mutex<Int>(0)
            try await client.ws("/loans/\(id)/events?token=\(token)") { inbound, _, _ in
                for try await _ in inbound.messages(maxSize: 1 << 22) { again.withLock { $0 += 1 } }
            }
            #expect(again.withLock { $0 } == 1)

            // Another user cannot read it, over HTTP or the WebSocket.
            let stolen = try await client.call(.get, "/loans/\(id)", token: otherToken)
            #expect(stolen.status == .notFound)
            let stolenEvents = try await client.call(.get, "/loans/\(id)/events", token: otherToken)
            #expect(stolenEvents.status == .notFound)
            let anonymous = try await client.call(.get, "/loans/\(id)/events")
            #expect(anonymous.status == .unauthorized)
            let plainHTTP = try await client.call(.get, "/loans/\(id)/events", token: token)
            #expect(plainHTTP.status == .upgradeRequired)
            // Over the WebSocket: one error message, then a policy-violation close.
            for (path, status) in [("/loans/\(id)/events?token=\(otherToken)", 404), ("/loans/\(id)/events?token=expired", 401),
                                   ("/loans/\(id)/events", 401), ("/loans/nope/events?token=\(token)", 404)] {
                let received = Mutex<[JSONValue]>([])
                let close = try await client.ws(path) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        if case .text(let text) = message, let value = try? JSONValue(parsing: text) { received.withLock { $0.append(value) } }
                    }
                }
                let messages = received.withLock { $0 }
                #expect(messages.count == 1 && messages.first?["status"] == .int(Int64(status)) && messages.first?["error"] != nil,
                        "\(path): \(messages)")
                #expect(close?.closeCode == .policyViolation, "\(path)")
            }
        }
    }

    @Test func cancellationIsStreamedAndEndsTheSocket() async throws {
        try await APIHarness.withClient("api-live-cancel", .live) { harness, client in  // no workers: stays Pending until cancelled
            let (token, _) = try await client.newAccount()
            let created = try await client.call(.post, "/loans", token: token, json: Samples.approvable)
            let id = try #require(created.json["id"]?.stringValue)
            let statuses = Mutex<[String]>([])
            // The token in the Authorization header this time (the other test uses ?token=).
            try await client.ws("/loans/\(id)/events", configuration: WebSocketClientConfiguration(
                additionalHeaders: [.authorization: "Bearer \(token)"])) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 22) {
                    guard case .text(let text) = message, let status = try? JSONValue(parsing: text)["status"]?.stringValue else { continue }
                    let first = statuses.withLock { $0.append(status); return $0.count == 1 }
                    if first {
                        let cancelled = try await client.call(.post, "/loans/\(id)/cancel", token: token)
                        #expect(cancelled.status == .ok)
                    }
                }
            }
            #expect(statuses.withLock { $0 } == ["Pending", "Cancelled"])
        }
    }
}
