import AMQP

/// AMQP: persistent messages published with confirms (pipelined batches) and consumed with
/// manual acks, through the real broker.
struct AMQPBench {
    let url: String
    let total = 50_000
    let batchSize = 1_000

    func run() async throws -> [BenchResult] {
        var publisherConfiguration = try AMQPConfiguration(url: url)
        publisherConfiguration.connectionName = "bench publisher"
        var consumerConfiguration = try AMQPConfiguration(url: url)
        consumerConfiguration.connectionName = "bench consumer"
        let publisher = AMQPConnection(configuration: publisherConfiguration)
        let consumer = AMQPConnection(configuration: consumerConfiguration)
        try await publisher.connect()
        try await consumer.connect()
        let queue = "bench.amqp"
        try await publisher.declare(QueueDeclaration(name: queue, durable: true))
        _ = try await publisher.purgeQueue(queue)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 256)
        let properties = AMQPProperties(contentType: "application/json", deliveryMode: .persistent)
        let batch = (0..<batchSize).map { _ in OutgoingMessage(routingKey: queue, body: body, properties: properties) }
        var results: [BenchResult] = []

        let publishSeconds = try await measure {
            for _ in 0..<(total / batchSize) { try await publisher.publish(batch) }
        }
        results.append(BenchResult(name: "amqp publish, confirmed batches of 1,000", operations: total, seconds: publishSeconds))

        let consumeSeconds = try await measure { try await consumeAll(consumer, queue: queue, count: total) }
        results.append(BenchResult(name: "amqp consume + ack (prefetch 1,000)", operations: total, seconds: consumeSeconds))

        // Both at once: what a task pipeline sees.
        let together = try await measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await consumeAll(consumer, queue: queue, count: total) }
                group.addTask { for _ in 0..<(total / batchSize) { try await publisher.publish(batch) } }
                try await group.waitForAll()
            }
        }
        results.append(BenchResult(name: "amqp publish+consume concurrently", operations: total, seconds: together))
        try await publisher.deleteQueue(queue)
        await consumer.close()
        await publisher.close()
        return results
    }

    private func consumeAll(_ connection: AMQPConnection, queue: String, count: Int) async throws {
        let deliveries = try await connection.consume(queue: queue, prefetch: 1_000)
        var received = 0
        for try await delivery in deliveries {
            received += 1
            // Acknowledge in groups: `multiple` acks cover everything up to this tag.
            if received % 100 == 0 || received == count { try await connection.ack(delivery, multiple: true) }
            if received == count { break }
        }
        try await deliveries.cancel()
    }
}
