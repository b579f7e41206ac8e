import Foundation
import Hummingbird
import JSONCore
import HummingbirdWebSocket
import LoanStore
import Redis

/// `GET /loans/{id}/events` as a WebSocket: sends the loan at once, then the loan again after
/// every change announced on its Redis channel (re-read from MongoDB, sent when its history
/// grew), and closes once the decision is recorded or the loan is cancelled. A re-read every few
/// seconds covers an announcement lost while the API was disconnected from Redis. A bad token or
/// someone else's loan gets one `{"error", "status"}` message and a close with code 1008.
struct LoanEventsSocket {
    let services: LoanAPIServices
    var resync: Duration = .seconds(5)
    static let fragmentSize = 8192

    func register(in router: Router<BasicWebSocketRequestContext>) {
        // Every upgrade is accepted and checked inside the socket: a refused upgrade can only be
        // an empty 400, while an open socket can say why before it closes (code 1008).
        router.ws("/loans/{id}/events") { inbound, outbound, context in
            let id: String
            do {
                let account = try await services.authenticate(context.request)
                id = try await services.ownLoan(context.requestContext.parameters.get("id"), account: account).id
            } catch let error as APIError {
                let message: JSONValue = ["error": .string(error.message), "status": .int(Int64(error.status.code))]
                try await outbound.write(.text(String(decoding: message.serialized(), as: UTF8.self)))
                try await outbound.close(.policyViolation, reason: error.message)
                return
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Ends when the connection closes; nothing the client sends matters.
                    for try await _ in inbound {}
                }
                group.addTask {
                    try await stream(id) { bytes in
                        // A decided loan carries its whole schedule: fragment it under the frame size limit.
                        try await outbound.withTextMessageWriter { write in
                            for start in stride(from: 0, to: bytes.count, by: Self.fragmentSize) {
                                try await write(ByteBuffer(bytes: bytes[start..<min(start + Self.fragmentSize, bytes.count)]))
                            }
                        }
                    }
                    // Close from this side: the inbound sequence then ends with the client's close
                    // reply, without relying on cancelling it.
                    try await outbound.close(.normalClosure, reason: "loan is final")
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// Sends the loan's states until it is final.
    func stream(_ id: String, send: @escaping @Sendable ([UInt8]) async throws -> Void) async throws {
        let (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        // Subscribe before the first read, so a change in between is not missed.
        let subscription = try await services.subscriber.subscribe([LoanChannels.channel(for: id)])
        let forward = Task {
            for await _ in subscription { wake.yield() }
            wake.finish()
        }
        let ticker = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: resync)
                wake.yield()
            }
        }
        defer {
            forward.cancel()
            ticker.cancel()
            Task { await subscription.unsubscribe() }
        }
        var sentHistory = -1
        func sendIfChanged() async throws -> Bool {
            guard let loan = try await services.loans.loan(id) else { return true }
            if loan.history.count > sentHistory || LoanView.isFinal(loan) {
                sentHistory = loan.history.count
                try await send(try LoanView.json(loan).serialized())
            }
            return LoanView.isFinal(loan)
        }
        if try await sendIfChanged() { return }
        for await _ in wakeups {
            if try await sendIfChanged() { return }
        }
    }
}
