import AMQP
import TestSupport
import Testing

/// Tests that restart the broker; they run on their own, after the others.
@Suite(.serialized, .timeLimit(.minutes(3))) struct DisruptiveAMQPTests {
    @Test func persistentMessagesSurviveABrokerRestart() async throws {
        let connection = try await connected(name: "amqp-tests-durable")
        let recorder = EventRecorder(connection)
        let queue = TestEnvironment.uniqueName("amqp-durable")
        try await connection.declare(QueueDeclaration(name: queue, durable: true))
        try await connection.publish((0..<50).map { message($0, to: queue) })

        try await restartBroker()

        // The same connection reconnects by itself; the queue and its messages are still there.
        let state = try await withTimeout(60, "queue state after restart") { try await connection.queueState(queue) }
        #expect(state?.messageCount == 50)
        let events = await recorder.events
        #expect(events.contains { if case .disconnected = $0 { true } else { false } })
        #expect(events.contains { if case .reconnected = $0 { true } else { false } })

        let consumer = try await connection.consume(queue: queue, prefetch: 50)
        let deliveries = try await take(50, from: consumer)
        #expect(Set(deliveries.map(\.id)) == Set(0..<50))
        for delivery in deliveries { try await connection.ack(delivery) }
        try await consumer.cancel()
        try await connection.deleteQueue(queue)
        await connection.close()
    }

    @Test func consumerResumesByItselfAfterABrokerRestart() async throws {
        let consuming = try await connected(name: "amqp-tests-consumer")
        let publishing = try await connected(name: "amqp-tests-publisher")
        let queue = TestEnvironment.uniqueName("amqp-resume")
        try await consuming.declare(QueueDeclaration(name: queue, durable: true))
        let consumer = try await consuming.consume(queue: queue, prefetch: 10)
        var iterator = consumer.makeAsyncIterator()

        try await publishing.publish((0..<50).map { message($0, to: queue) })
        var seen = Set<Int>()
        for _ in 0..<25 {
            let delivery = try #require(try await iterator.next())
            seen.insert(delivery.id)
            try await consuming.ack(delivery)
        }
        // One delivery stays unacknowledged across the restart.
        let held = try #require(try await iterator.next())
        seen.insert(held.id)

        try await restartBroker()

        // Publishing with the same connection waits for its reconnect.
        try await withTimeout(60, "publishing after restart") {
            try await publishing.publish((50..<100).map { message($0, to: queue) })
        }
        // The held delivery is stale: acking it sends nothing and throws.
        await #expect(throws: AMQPError.staleDelivery) { try await consuming.ack(held) }

        // The same sequence receives everything else (redeliveries of unacked ones included).
        // (The suite's time limit bounds the wait.)
        var rest = Set<Int>()
        while !Set(0..<100).subtracting(seen).subtracting(rest).isEmpty {
            let delivery = try #require(try await iterator.next())
            rest.insert(delivery.id)
            try await consuming.ack(delivery)
        }
        #expect(seen.union(rest) == Set(0..<100))
        try await eventually(10, "queue drained") { try await consuming.queueState(queue)?.messageCount == 0 }
        try await consumer.cancel()
        try await consuming.deleteQueue(queue)
        await publishing.close()
        await consuming.close()
    }
}
