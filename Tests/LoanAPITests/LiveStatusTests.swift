import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import HummingbirdWSClient
import Celeriac
import JSONCore
import LoanAPI
import Synchronization
import Testing
import TestSupport

/// The socket steps run under `within`, which fails with what the socket and the stored loan
/// show if a step stalls; the suite's time limit is only the last resort.
@Suite("LoanAPI live status", .timeLimit(.minutes(3)))
struct LiveStatusTests {
    /// The acceptance path through HTTP and the WebSocket, with real loan workers.
    @Test func signUpSubmitAndWatchToApproved() async throws {
        try await APIHarness.withClient("api-live", .live) { harness, client in
            let workers = Mutex<(Worker, Task<Void, any Error>)?>(nil)
            do {
                // The workers start once the socket has sent the first state: started before,
                // they can decide the loan before the socket opens, and there is nothing live to see.
                try await watchToApproved(client) {
                    let started = await harness.startWorker()
                    workers.withLock { $0 = started }
                }
            } catch {
                if let (worker, _) = workers.withLock({ $0 }) { await worker.shutdown() }
                throw error
            }
            if let (worker, run) = workers.withLock({ $0 }) {
                await worker.shutdown()
                _ = try? await run.value
            }
        }
    }

    func watchToApproved(_ client: any TestClientProtocol, startWorkers: @escaping @Sendable () async -> Void) async throws {
        do {
            let (token, _) = try await client.newAccount()
            let (otherToken, _) = try await client.newAccount()
            let created = try await client.call(.post, "/loans", token: token, json: Samples.approvable)
            #expect(created.status == .accepted)
            let id = try #require(created.json["id"]?.stringValue)

            let messages = Mutex<[JSONValue]>([])
            let socketEvents = Mutex<[String]>([])
            let started = ContinuousClock.now
            @Sendable func note(_ event: String) { socketEvents.withLock { $0.append("\(ContinuousClock.now - started): \(event)") } }
            try await within(60, "watching the loan to its decision", diagnose: {
                let stored = try? await client.call(.get, "/loans/\(id)", token: token)
                return "socket: \(socketEvents.withLock { $0 }); loan now: \(stored.map { "\($0.status) \($0.json["status"] ?? .null) history \($0.json["history"] ?? .null)" } ?? "unreadable")"
            }) {
                note("connecting")
                let close = try await client.ws("/loans/\(id)/events?token=\(token)") { inbound, _, _ in
                    note("open")
                    for try await message in inbound.messages(maxSize: 1 << 22) {
                        if case .text(let text) = message, let value = try? JSONValue(parsing: text) {
                            let first = messages.withLock { $0.append(value); return $0.count == 1 }
                            note("message \(value["status"] ?? .null)")
                            if first { await startWorkers(); note("workers started") }
                        }
                    }
                    note("inbound ended")
                }
                note("closed \(String(describing: close?.closeCode))")
            }
            let seen = messages.withLock { $0 }
            #expect(seen.first?["status"] == "Pending" && seen.count >= 2, "\(seen.map { $0["status"] })")
            #expect(seen.first?["id"] == .string(id))
            let last = try #require(seen.last)
            #expect(last["status"] == "Approved", "\(last)")
            #expect((last["decision"]?["schedule"]?.arrayValue?.count ?? 0) == 240, "the decision carries the repayment schedule")
            let lengths = seen.compactMap { $0["history"]?.arrayValue?.count }
            #expect(lengths == lengths.sorted() && Set(lengths).count == lengths.count, "each message shows a change: \(lengths)")

            // A finished loan: the socket sends it once and closes normally.
            let port = try #require(client.port)
            let again = try await RawWebSocket.exchange(port: port, path: "/loans/\(id)/events?token=\(token)")
            #expect(again.texts.count == 1 && again.closeCode == 1000 && again.serverClosed, "\(again)")

            // Another user cannot read it, over HTTP or the WebSocket.
            let stolen = try await client.call(.get, "/loans/\(id)", token: otherToken)
            #expect(stolen.status == .notFound)
            let stolenEvents = try await client.call(.get, "/loans/\(id)/events", token: otherToken)
            #expect(stolenEvents.status == .notFound)
            let anonymous = try await client.call(.get, "/loans/\(id)/events")
            #expect(anonymous.status == .unauthorized)
            let plainHTTP = try await client.call(.get, "/loans/\(id)/events", token: token)
            #expect(plainHTTP.status == .upgradeRequired)
            // Over the WebSocket: one error message, then a policy-violation close (1008), then
            // the server ends the connection once the close is answered.
            for (path, status) in [("/loans/\(id)/events?token=\(otherToken)", 404), ("/loans/\(id)/events?token=expired", 401),
                                   ("/loans/\(id)/events", 401), ("/loans/nope/events?token=\(token)", 404)] {
                let exchange = try await RawWebSocket.exchange(port: port, path: path)
                #expect(exchange.status == 101, "\(path)")
                let messages = exchange.texts.compactMap { try? JSONValue(parsing: $0) }
                #expect(messages.count == 1 && messages.first?["status"] == .int(Int64(status)) && messages.first?["error"] != nil,
                        "\(path): \(exchange.texts)")
                #expect(exchange.closeCode == 1008 && exchange.serverClosed, "\(path): \(exchange)")
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
