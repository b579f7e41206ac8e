import AMQP
import Foundation
import TestSupport
import Testing

@Suite struct AMQPPublishConsumeTests {
    @Test func tenThousandPersistentMessagesExactlyOnce() async throws {
        let total = 10_000
        let publishers = 4
        let batchSize = 250
        let connection = try await connected(name: "amqp-tests-10k")
        let queue = TestEnvironment.uniqueName("amqp-10k")
        try await connection.declare(QueueDeclaration(name: queue, durable: true))
        let consumer = try await connection.consume(queue: queue, prefetch: 200)

        // Concurrent publishers, each sending pipelined batches with confirms.
        let publishing = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for publisher in 0..<publishers {
                    group.addTask {
                        let perPublisher = total / publishers
                        let first = publisher * perPublisher
                        for start in stride(from: first, to: first + perPublisher, by: batchSize) {
                            try await connection.publish((start..<start + batchSize).map { message($0, to: queue) })
                        }
                    }
                }
                try await group.waitForAll()
            }
        }

        let received = try await withTimeout(90, "10,000 deliveries") {
            var ids = Set<Int>()
            var duplicates = 0
            for try await delivery in consumer {
                if !ids.insert(delivery.id).inserted { duplicates += 1 }
                #expect(delivery.properties.deliveryMode == .persistent)
                try await connection.ack(delivery)
                if ids.count == total { break }
            }
            return (ids, duplicates)
        }
        try await publishing.value
        #expect(received.0 == Set(0..<total))
        #expect(received.1 == 0)
        try await consumer.cancel()
        try await eventually(10, "queue drained") { try await connection.queueState(queue)?.messageCount == 0 }
        try await connection.deleteQueue(queue)
        await connection.close()
    }

    @Test func nackAndRejectWithRequeueRedeliver() async throws {
        let connection = try await connected()
        let queue = TestEnvironment.uniqueName("amqp-requeue")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true))
        try await connection.publish(message(1, to: queue))
        let consumer = try await connection.consume(queue: queue, prefetch: 1)
        var iterator = consumer.makeAsyncIterator()

        let first = try #require(try await iterator.next())
        #expect(!first.redelivered)
        try await connection.nack(first, requeue: true)
        let second = try #require(try await iterator.next())
        #expect(second.redelivered)
        #expect(second.id == 1)
        try await connection.reject(second, requeue: true)
        let third = try #require(try await iterator.next())
        #expect(third.redelivered)
        try await connection.ack(third)
        try await eventually(5, "queue empty") { try await connection.queueState(queue)?.messageCount == 0 }

        // nack without requeue (and no dead-letter exchange) drops the message.
        try await connection.publish(message(2, to: queue))
        let fourth = try #require(try await iterator.next())
        try await connection.nack(fourth, requeue: false)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await connection.queueState(queue)?.messageCount == 0)
        try await consumer.cancel()
        #expect(try await iterator.next() == nil)
        await connection.close()
    }

    @Test func multipleAckAcknowledgesEarlierDeliveries() async throws {
        let connection = try await connected()
        let queue = TestEnvironment.uniqueName("amqp-multi-ack")
        try await connection.declare(QueueDeclaration(name: queue, durable: false))
        try await connection.publish((0..<10).map { message($0, to: queue) })
        let consumer = try await connection.consume(queue: queue, prefetch: 10)
        let deliveries = try await take(10, from: consumer)
        try await connection.ack(deliveries.last!, multiple: true)
        try await consumer.cancel()
        try await eventually(5, "all acked") {
            let state = try await connection.queueState(queue)
            return state?.messageCount == 0 && state?.consumerCount == 0
        }
        try await connection.deleteQueue(queue)
        await connection.close()
    }

    /// Single acks sent concurrently and out of order are batched into `multiple` acks where they
    /// can be: exactly the acknowledged deliveries are gone, the others come back.
    @Test func concurrentSingleAcksAcknowledgeExactlyThoseDeliveries() async throws {
        try await expectOnlyUnacknowledgedComeBack("batched-acks", count: 40, kept: [0, 7, 8, 21, 39]) { connection, deliveries in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for delivery in deliveries { group.addTask { try await connection.ack(delivery) } }
                try await group.waitForAll()
            }
        }
    }

    /// `acknowledge` returns before the ack is written; the acks still all go out (closing the
    /// connection sends the queued ones first), and only those.
    @Test func acknowledgeWithoutWaitingAcknowledgesExactlyThoseDeliveries() async throws {
        try await expectOnlyUnacknowledgedComeBack("nowait-acks", count: 30, kept: [3, 4, 17, 29]) { connection, deliveries in
            for delivery in deliveries { connection.acknowledge(delivery) }
        }
    }

    /// Consumes `count` messages, acknowledges all but `kept` (in random order) with `acknowledge`,
    /// closes the connection, and expects exactly `kept` to be redelivered to a second one.
    func expectOnlyUnacknowledgedComeBack(_ name: String, count: Int, kept: Set<Int>,
                                          acknowledge: (AMQPConnection, [AMQPDelivery]) async throws -> Void) async throws {
        let queue = TestEnvironment.uniqueName("amqp-\(name)")
        let first = try await connected(name: "amqp-tests-\(name)")
        try await first.declare(QueueDeclaration(name: queue, durable: true))
        try await first.publish((0..<count).map { message($0, to: queue) })
        let consumer = try await first.consume(queue: queue, prefetch: UInt16(count))
        let deliveries = try await take(count, from: consumer)
        try await acknowledge(first, deliveries.shuffled().filter { !kept.contains($0.id) })
        await first.close()  // the unacknowledged deliveries go back to the queue

        let second = try await connected(name: "amqp-tests-\(name)-2")
        let again = try await second.consume(queue: queue, prefetch: UInt16(count))
        let redelivered = try await take(kept.count, from: again)
        #expect(Set(redelivered.map(\.id)) == kept)
        #expect(redelivered.allSatisfy { $0.redelivered })
        try await acknowledge(second, redelivered)
        try await again.cancel()
        try await eventually(5, "nothing else redelivered") { try await second.queueState(queue)?.messageCount == 0 }
        try await second.deleteQueue(queue)
        await second.close()
    }

    @Test func unroutableMandatoryMessageAndMissingExchange() async throws {
        let connection = try await connected()
        let nowhere = TestEnvironment.uniqueName("amqp-nowhere")
        await #expect(throws: AMQPError.self) {
            try await connection.publish(OutgoingMessage(routingKey: nowhere, body: [1], mandatory: true))
        }
        do {
            try await connection.publish(OutgoingMessage(routingKey: nowhere, body: [1], mandatory: true))
            Issue.record("expected unroutable")
        } catch let error as AMQPError {
            guard case .unroutable(let code, _, _, let key) = error else { Issue.record("got \(error)"); return }
            #expect(code == 312)
            #expect(key == nowhere)
        }
        // Not mandatory: confirmed and dropped.
        try await connection.publish(OutgoingMessage(routingKey: nowhere, body: [1]))

        // A missing exchange closes the publish channel with 404; the connection carries on.
        do {
            try await connection.publish(OutgoingMessage(exchange: nowhere, routingKey: "x", body: [1]))
            Issue.record("expected a channel error")
        } catch let error as AMQPError {
            guard case .channelClosed(let code, _) = error else { Issue.record("got \(error)"); return }
            #expect(code == 404)
        }
        let queue = TestEnvironment.uniqueName("amqp-after-404")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true))
        try await connection.publish(message(1, to: queue))
        #expect(try await connection.queueState(queue)?.messageCount == 1)
        try await connection.deleteQueue(queue)
        await connection.close()
    }

    @Test func largeAndEmptyBodies() async throws {
        let connection = try await connected()
        let queue = TestEnvironment.uniqueName("amqp-bodies")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true))
        let large = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }  // many frames
        try await connection.publish([
            OutgoingMessage(routingKey: queue, body: large),
            OutgoingMessage(routingKey: queue, body: []),
        ])
        let consumer = try await connection.consume(queue: queue, prefetch: 2)
        let deliveries = try await take(2, from: consumer)
        #expect(deliveries[0].body == large)
        #expect(deliveries[1].body.isEmpty)
        for delivery in deliveries { try await connection.ack(delivery) }
        await connection.close()
        // After close the sequence ends.
        var iterator = consumer.makeAsyncIterator()
        #expect(try await iterator.next() == nil)
    }
}

/// A task on a connection's own thread (``AMQPConnection/taskExecutor``) publishes, consumes and
/// acknowledges through that connection without a thread switch and without deadlocking on it.
@Suite struct AMQPTaskExecutorTests {
    @Test func aTaskOnTheConnectionsThreadPublishesConsumesAndAcknowledges() async throws {
        let connection = try await connected(name: "amqp-exec")
        let queue = TestEnvironment.uniqueName("amqp-exec")
        try await connection.declare(QueueDeclaration(name: queue, durable: true))
        let consumer = try await connection.consume(queue: queue, prefetch: 64)
        let (ids, threads) = try await withTimeout(30, "publish and consume on the connection's thread") {
            try await Task(executorPreference: connection.taskExecutor) { () -> (Set<Int>, Set<String>) in
                var threads: Set<String> = [currentThreadName()]
                try await connection.publish((0..<300).map { message($0, to: queue) })
                threads.insert(currentThreadName())
                var ids = Set<Int>()
                for try await delivery in consumer {
                    threads.insert(currentThreadName())
                    ids.insert(delivery.id)
                    if delivery.id % 2 == 0 { connection.acknowledge(delivery) } else { try await connection.ack(delivery) }
                    if ids.count == 300 { break }
                }
                return (ids, threads)
            }.value
        }
        #expect(ids == Set(0..<300))
        #expect(threads.count == 1 && threads.first?.hasPrefix("amqp-") == true, "\(threads)")
        try await consumer.cancel()
        await connection.close()
        // Every ack reached the broker: nothing is redelivered once the connection is gone.
        let checker = try await connected(name: "amqp-exec-check")
        try await eventually(10, "acknowledged messages gone") { try await checker.queueState(queue)?.messageCount == 0 }
        try await checker.deleteQueue(queue)
        await checker.close()
    }
}
