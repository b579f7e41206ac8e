import AMQP
import TestSupport
import Testing

@Suite struct AMQPConnectionTests {
    @Test func wrongPasswordIsAClearLoginError() async throws {
        var configuration = try testConfiguration()
        configuration.password = "definitely-wrong"
        let connection = AMQPConnection(configuration: configuration)
        do {
            try await connection.connect()
            Issue.record("expected a login failure")
        } catch let error as AMQPError {
            guard case .connectionFailed(let text) = error else { Issue.record("got \(error)"); return }
            #expect(text.contains("login was refused"))
            #expect(text.contains("ACCESS_REFUSED"))
            #expect(!text.contains("definitely-wrong"))
        }
        // Nothing works before a successful connect.
        await #expect(throws: AMQPError.notConnected) {
            try await connection.declare(QueueDeclaration(name: "never"))
        }
        await connection.close()
    }

    @Test func unreachableBrokerAndUnknownVhost() async throws {
        var configuration = try testConfiguration()
        configuration.port = 1  // nothing listens there
        await #expect {
            try await AMQPConnection(configuration: configuration).connect()
        } throws: { error in
            guard case .connectionFailed(let text) = error as? AMQPError else { return false }
            return text.contains("cannot connect")
        }
        configuration = try testConfiguration()
        configuration.vhost = "no-such-vhost"
        await #expect {
            try await AMQPConnection(configuration: configuration).connect()
        } throws: { error in
            guard case .connectionFailed(let text) = error as? AMQPError else { return false }
            return text.contains("no-such-vhost")
        }
    }

    @Test func heartbeatsKeepAnIdleConnectionAlive() async throws {
        let connection = try await connected(heartbeat: .seconds(1), name: "amqp-tests-heartbeat")
        let recorder = EventRecorder(connection)
        let queue = TestEnvironment.uniqueName("amqp-heartbeat")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true))
        let consumer = try await connection.consume(queue: queue, prefetch: 1)

        try await Task.sleep(for: .seconds(5))  // the application does nothing with the connection

        let idleEvents = await recorder.events
        #expect(idleEvents.isEmpty, "events: \(idleEvents)")
        try await connection.publish(message(1, to: queue))
        let delivery = try #require(try await take(1, from: consumer).first)
        #expect(delivery.id == 1)
        try await connection.ack(delivery)
        let events = await recorder.events
        #expect(events.isEmpty)
        await connection.close()
    }

    @Test func closeEndsEverything() async throws {
        let connection = try await connected()
        let recorder = EventRecorder(connection)
        await connection.close()
        await #expect(throws: AMQPError.closed) { try await connection.publish(message(1, to: "x")) }
        try await eventually(5, "closed event") { await recorder.events.contains(.closed) }
    }
}
