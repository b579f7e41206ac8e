import AMQP
import Foundation
import TestSupport
import Testing

/// A configuration for the test broker with quick reconnects.
func testConfiguration(heartbeat: Duration = .seconds(10), name: String = "amqp-tests") throws -> AMQPConfiguration {
    var configuration = try AMQPConfiguration(url: TestEnvironment.amqpURL)
    configuration.heartbeat = heartbeat
    configuration.connectionName = name
    configuration.reconnectBackoff = .init(initial: .milliseconds(100), maximum: .seconds(1))
    configuration.reconnectWaitTimeout = .seconds(90)
    return configuration
}

/// A connected connection to the test broker.
func connected(heartbeat: Duration = .seconds(10), name: String = "amqp-tests") async throws -> AMQPConnection {
    let connection = AMQPConnection(configuration: try testConfiguration(heartbeat: heartbeat, name: name))
    try await connection.connect()
    return connection
}

/// Runs `body`, failing if it takes longer than `seconds`.
func withTimeout<T: Sendable>(_ seconds: Double, _ what: String = "operation",
                              _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TimedOut(what: what)
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}

/// Takes `count` deliveries from an iterator (failing after `seconds`).
func take(_ count: Int, from consumer: AMQPConsumer, seconds: Double = 20) async throws -> [AMQPDelivery] {
    try await withTimeout(seconds, "\(count) deliveries from \(consumer.queue)") {
        var result: [AMQPDelivery] = []
        for try await delivery in consumer {
            result.append(delivery)
            if result.count == count { break }
        }
        return result
    }
}

/// Restarts the test broker without blocking a cooperative thread.
func restartBroker() async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        Thread.detachNewThread {
            do {
                try TestStack.restart(.rabbitmq)
                continuation.resume()
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}

/// Collects connection events in the background.
final class EventRecorder: Sendable {
    private let storage = Storage()
    private let task: Task<Void, Never>

    init(_ connection: AMQPConnection) {
        let stream = connection.connectionEvents
        let storage = self.storage
        task = Task { for await event in stream { await storage.append(event) } }
    }

    var events: [AMQPConnectionEvent] { get async { await storage.events } }

    deinit { task.cancel() }

    private actor Storage {
        var events: [AMQPConnectionEvent] = []
        func append(_ event: AMQPConnectionEvent) { events.append(event) }
    }
}

func message(_ id: Int, to queue: String, headers: AMQPTable? = nil) -> OutgoingMessage {
    OutgoingMessage(routingKey: queue, body: Array("message-\(id)".utf8),
                    properties: AMQPProperties(contentType: "text/plain", headers: headers, deliveryMode: .persistent,
                                               messageID: "\(id)"))
}

extension AMQPDelivery {
    var id: Int { Int(properties.messageID ?? "") ?? -1 }
}
