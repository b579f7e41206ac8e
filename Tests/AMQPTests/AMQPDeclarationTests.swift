import AMQP
import TestSupport
import Testing

@Suite struct AMQPDeclarationTests {
    @Test func deadLetteringPriorityAndTTLArguments() async throws {
        let connection = try await connected()
        let dlx = TestEnvironment.uniqueName("amqp-dlx")
        let deadQueue = TestEnvironment.uniqueName("amqp-dead")
        let workQueue = TestEnvironment.uniqueName("amqp-work")
        try await connection.declare(ExchangeDeclaration(name: dlx, type: .direct, durable: true, autoDelete: false))
        try await connection.declare(QueueDeclaration(name: deadQueue, durable: true))
        try await connection.bind(QueueBinding(queue: deadQueue, exchange: dlx, routingKey: "dead"))
        var work = QueueDeclaration(name: workQueue, durable: true)
        work.deadLetterExchange = dlx
        work.deadLetterRoutingKey = "dead"
        work.maxPriority = 10
        work.messageTTL = .seconds(60)
        work.expires = .seconds(300)
        let declared = try await connection.declare(work)
        #expect(declared.name == workQueue)
        #expect(declared.messageCount == 0)
        // Re-declaring with the same arguments is fine.
        try await connection.declare(work)

        // Priorities: a higher priority message published later is delivered first.
        var low = message(1, to: workQueue)
        low.properties.priority = 1
        var high = message(2, to: workQueue)
        high.properties.priority = 9
        try await connection.publish([low, high])
        #expect(try await connection.queueState(workQueue)?.messageCount == 2)

        let consumer = try await connection.consume(queue: workQueue, prefetch: 1)
        var iterator = consumer.makeAsyncIterator()
        let first = try #require(try await iterator.next())
        #expect(first.id == 2)
        try await connection.reject(first, requeue: false)
        let second = try #require(try await iterator.next())
        #expect(second.id == 1)
        try await connection.ack(second)
        try await consumer.cancel()

        // The rejected message was dead-lettered with an x-death header.
        let deadConsumer = try await connection.consume(queue: deadQueue, prefetch: 1)
        let dead = try #require(try await take(1, from: deadConsumer).first)
        #expect(dead.id == 2)
        #expect(dead.routingKey == "dead")
        guard case .array(let deaths)? = dead.properties.headers?["x-death"], case .table(let death)? = deaths.first else {
            Issue.record("missing x-death header: \(String(describing: dead.properties.headers))")
            return
        }
        #expect(death["reason"] == .string("rejected"))
        #expect(death["queue"] == .string(workQueue))
        try await connection.ack(dead)
        try await deadConsumer.cancel()

        try await connection.deleteQueue(workQueue)
        try await connection.deleteQueue(deadQueue)
        await connection.close()
    }

    @Test func exclusiveAutoDeleteAndPassiveDeclare() async throws {
        let connection = try await connected()
        let exclusive = TestEnvironment.uniqueName("amqp-exclusive")
        let state = try await connection.declare(QueueDeclaration(name: exclusive, durable: false, exclusive: true, autoDelete: true))
        #expect(state == QueueState(name: exclusive, messageCount: 0, consumerCount: 0))

        // Another connection may not use an exclusive queue: 405 RESOURCE_LOCKED on its control channel.
        let other = try await connected(name: "amqp-tests-other")
        await #expect(throws: AMQPError.channelClosed(code: 405, text: "")) {
            do { _ = try await other.queueState(exclusive) } catch AMQPError.channelClosed(let code, _) {
                throw AMQPError.channelClosed(code: code, text: "")
            }
        }
        await other.close()

        try await connection.publish((0..<3).map { message($0, to: exclusive) })
        #expect(try await connection.queueState(exclusive) == QueueState(name: exclusive, messageCount: 3, consumerCount: 0))
        let consumer = try await connection.consume(queue: exclusive, prefetch: 3)
        try await eventually(5, "consumer counted") {
            try await connection.queueState(exclusive)?.consumerCount == 1
        }
        #expect(try await connection.queueState(TestEnvironment.uniqueName("amqp-missing")) == nil)
        // The passive 404 did not disturb the consumer.
        let deliveries = try await take(3, from: consumer)
        for delivery in deliveries { try await connection.ack(delivery) }
        #expect(Set(deliveries.map(\.id)) == [0, 1, 2])
        #expect(try await connection.purgeQueue(exclusive) == 0)
        await connection.close()
    }

    @Test func conflictingRedeclareFailsWith406AndConnectionStaysUsable() async throws {
        let connection = try await connected()
        let queue = TestEnvironment.uniqueName("amqp-conflict")
        try await connection.declare(QueueDeclaration(name: queue, durable: true))
        let consumer = try await connection.consume(queue: queue, prefetch: 5)
        do {
            try await connection.declare(QueueDeclaration(name: queue, durable: false))
            Issue.record("expected 406")
        } catch let error as AMQPError {
            guard case .channelClosed(let code, let text) = error else { Issue.record("got \(error)"); return }
            #expect(code == 406)
            #expect(text.contains("PRECONDITION_FAILED"))
        }
        // Conflicting arguments too.
        var withTTL = QueueDeclaration(name: queue, durable: true)
        withTTL.messageTTL = .seconds(5)
        await #expect(throws: AMQPError.self) { try await connection.declare(withTTL) }

        // Still usable: the consumer keeps receiving, declarations and publishes work.
        try await connection.publish((0..<5).map { message($0, to: queue) })
        let deliveries = try await take(5, from: consumer)
        for delivery in deliveries { try await connection.ack(delivery) }
        #expect(try await connection.queueState(queue)?.consumerCount == 1)
        try await consumer.cancel()
        #expect(try await connection.purgeQueue(queue) == 0)
        try await connection.deleteQueue(queue)
        #expect(try await connection.queueState(queue) == nil)
        await connection.close()
    }
}
