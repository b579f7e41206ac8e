// The end-to-end smoke program run by scripts/demo.sh: exercises RabbitMQ, Redis and MongoDB
// through the project's clients, then runs demo tasks and a chord through Celeriac.
// Exits non-zero on the first failure.
import AMQP
import Celeriac
import DemoTasks
import Foundation
import Logging
import Mongo
import Redis

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}

func step(_ name: String, _ body: () async throws -> String) async {
    let start = ContinuousClock.now
    do {
        let detail = try await body()
        let elapsed = ContinuousClock.now - start
        print("✔ \(name): \(detail) (\(elapsed.formatted(.units(allowed: [.milliseconds]))))")
    } catch {
        print("✘ \(name): \(error)")
        exit(1)
    }
}

let environment = ProcessInfo.processInfo.environment
guard let amqpURL = environment["AMQP_URL"], let redisURL = environment["REDIS_URL"], let mongoURL = environment["MONGO_URL"] else {
    print("celeriac-smoke: AMQP_URL, REDIS_URL and MONGO_URL must be set (scripts/stack.sh env prints them)")
    exit(2)
}

await step("RabbitMQ: 1,000 persistent messages published with confirms and consumed with acks") {
    let connection = AMQPConnection(configuration: try AMQPConfiguration(url: amqpURL))
    try await connection.connect()
    let queue = "smoke.\(UUID().uuidString.prefix(8))"
    try await connection.declare(QueueDeclaration(name: queue, durable: true, autoDelete: true))
    let message = OutgoingMessage(routingKey: queue, body: Array("hello".utf8),
                                  properties: AMQPProperties(deliveryMode: .persistent))
    try await connection.publish(Array(repeating: message, count: 1_000))
    let consumer = try await connection.consume(queue: queue, prefetch: 200)
    var received = 0
    for try await delivery in consumer {
        try await connection.ack(delivery)
        received += 1
        if received == 1_000 { break }
    }
    try await consumer.cancel()
    await connection.close()
    return "\(received) received"
}

await step("Redis: MULTI/EXEC SETEX + PUBLISH seen by a subscriber") {
    let configuration = try RedisConfiguration(url: redisURL)
    let redis = RedisConnection(configuration: configuration)
    let subscriber = RedisSubscriber(configuration: configuration)
    let key = "smoke:\(UUID().uuidString.prefix(8))"
    let subscription = try await subscriber.subscribe([key])
    _ = try await redis.transaction([["SETEX", RedisArgument(key), "60", "ok"], ["PUBLISH", RedisArgument(key), "ok"]])
    var iterator = subscription.makeAsyncIterator()
    let heard = await iterator.next().map { String(decoding: $0.payload, as: UTF8.self) } ?? "nothing"
    let stored = try await redis.send("GET", RedisArgument(key)).string ?? "nothing"
    await subscriber.close()
    await redis.close()
    return "stored \(stored), heard \(heard)"
}

await step("MongoDB: insert, conditional update, read back") {
    struct Note: Codable, Sendable { var _id: BSONObjectID; var text: String; var views: Int; var at: Date }
    let client = try MongoClient(uri: mongoURL)
    let notes = (client.defaultDatabase ?? client.database("celeriac")).collection("smoke")
    let id = BSONObjectID()
    try await notes.insertOne(Note(_id: id, text: "hello", views: 0, at: Date()))
    let updated = try await notes.findOneAndUpdate(filter: ["_id": .objectID(id), "views": 0], update: ["$inc": ["views": 1]],
                                                   as: Note.self)
    _ = try await notes.deleteOne(["_id": .objectID(id)])
    return "views \(updated?.views ?? -1)"
}

await step("Celeriac: demo.add and a chord through an in-process worker") {
    let broker = try RabbitMQBroker(url: amqpURL, name: "smoke")
    let backend = try RedisResultBackend(url: redisURL)
    try await broker.connect()
    try await backend.connect()
    var registry = TaskRegistry()
    DemoTasks.register(in: &registry)
    let queue = "smoke.demo.\(UUID().uuidString.prefix(8))"
    let worker = Worker(registry: registry, broker: broker, backend: backend,
                        configuration: WorkerConfiguration(queues: [queue], concurrency: 4, sendEvents: false))
    let running = Task { try await worker.run() }
    let client = CeleriacClient(broker: broker, backend: backend)
    let sum = try await client.apply(DemoTasks.add, .init(x: 2, y: 3), options: SendOptions(queue: queue)).get()
    let header = (1...3).map { Signature(task: "demo.add", args: [.int(Int64($0)), .int(Int64($0))], options: ["queue": .string(queue)]) }
    let chord = try await client.apply(.chord(header, body: Signature(task: "demo.sum", options: ["queue": .string(queue)])))
    let total = try await chord.result.get()
    await worker.shutdown()
    try await running.value
    await broker.close()
    await backend.close()
    return "demo.add(2, 3) = \(sum); chord(add(1,1), add(2,2), add(3,3)) → sum = \(total)"
}
print("smoke: all checks passed")
