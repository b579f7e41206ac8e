import AMQP
import ClientSupport
public import Foundation
public import Logging
import Synchronization

/// ``Broker`` over RabbitMQ (rabbitmq-c through the `AMQP` module), in Celery's wire format.
///
/// - Task queues are durable with no arguments, exactly as Celery/kombu declare them, and
///   messages go through the default exchange with the queue name as routing key.
/// - Two connections: one publishes (with publisher confirms), one consumes, so a publisher
///   blocked by a broker alarm never stalls deliveries.
/// - Delays (countdown, ETA, retry backoff) use broker-side delay queues
///   `celeriac.delay.<ms>`: each has a fixed `x-message-ttl` and dead-letters into the default
///   exchange, which routes the message to its target queue by its original routing key. Delays
///   are rounded *down* to two significant digits and a worker that receives a message early
///   parks it again for the rest, so tasks run on time without any unacknowledged message
///   waiting in a worker (Celery #6760).
/// - Dead letters: undecodable and unregistered-task messages are copied to `<queue>.dead` with
///   the reason in `x-celeriac-error`, then acknowledged.
public final class RabbitMQBroker: Broker {
    let producer: AMQPConnection
    let consumerConnection: AMQPConnection
    let logger: Logger
    private let consumers = Mutex<[AMQPConsumer]>([])
    private let delayLeases = Mutex<[Int64: ContinuousClock.Instant]>([:])
    private let declaredQueues = Mutex<Set<String>>([])
    private let controlClock = Atomic<Int>(0)

    public static let eventExchange = "celeryev"
    public static let controlExchange = "celery.pidbox"
    public static let delayPrefix = "celeriac.delay."

    /// Creates the broker from an `amqp://` URL; call ``connect()`` before use.
    public init(url: String, name: String = "celeriac", logger: Logger = Logger(label: "celeriac.broker")) throws {
        var publishing = try AMQPConfiguration(url: url)
        publishing.connectionName = "\(name) publisher"
        var consuming = try AMQPConfiguration(url: url)
        consuming.connectionName = "\(name) consumer"
        producer = AMQPConnection(configuration: publishing, logger: logger)
        consumerConnection = AMQPConnection(configuration: consuming, logger: logger)
        self.logger = logger
    }

    /// Connects both connections and declares the event and control exchanges.
    public func connect() async throws {
        try await producer.connect()
        try await consumerConnection.connect()
        try await producer.declare(ExchangeDeclaration(name: Self.eventExchange, type: .topic, durable: true))
        try await producer.declare(ExchangeDeclaration(name: Self.controlExchange, type: .fanout, durable: false))
    }

    public func declareTaskQueue(_ name: String) async throws {
        if declaredQueues.withLock({ $0.contains(name) }) { return }
        try await producer.declare(QueueDeclaration(name: name, durable: true))
        try await producer.declare(QueueDeclaration(name: "\(name).dead", durable: true))
        declaredQueues.withLock { _ = $0.insert(name) }
    }

    // MARK: publishing

    public func publish(_ message: TaskMessage, to queue: String, delay: Duration?) async throws {
        try await publish(body: message.body, properties: Self.properties(message), queue: queue, delay: delay)
    }

    /// Delayed messages go one by one (each may need its delay queue declared first); the others
    /// leave as one batch for the publisher connection, which writes them back to back.
    public func publish(_ batch: [Publication]) async throws {
        var immediate: [OutgoingMessage] = []
        immediate.reserveCapacity(batch.count)
        // declareTaskQueue once per queue of the batch, not once per message (a batch usually
        // names one queue; each call is a hop and a lock).
        var declared: Set<String> = []
        for publication in batch {
            let message = publication.message
            // Read once: the delay shrinks as the ETA nears.
            if let delay = publication.delay {
                try await publish(message, to: publication.queue, delay: delay)
                continue
            }
            if declared.insert(publication.queue).inserted { try await declareTaskQueue(publication.queue) }
            immediate.append(OutgoingMessage(exchange: "", routingKey: publication.queue, body: message.body,
                                             properties: Self.properties(message)))
        }
        guard !immediate.isEmpty else { return }
        try await producer.publish(immediate)
    }

    /// The AMQP properties of a task message, its protocol v2 headers among them.
    static func properties(_ message: TaskMessage) -> AMQPProperties {
        var headers = AMQPTable(minimumCapacity: message.extraHeaders.count + 20)
        message.forEachHeader { headers[$0] = AMQPFieldValue(json: $1) }
        return AMQPProperties(
            contentType: TaskMessage.contentType, contentEncoding: TaskMessage.contentEncoding,
            headers: headers, deliveryMode: .persistent,
            priority: message.priority ?? 0, correlationID: message.id, replyTo: message.replyTo ?? "")
    }

    private func publish(body: [UInt8], properties: AMQPProperties, queue: String, delay: Duration?) async throws {
        // Like kombu's maybe_declare: a message sent to a queue nobody declared yet would be
        // dropped by the default exchange.
        try await declareTaskQueue(queue)
        if let delay, let bucket = Self.delayBucket(milliseconds: Int64(delay.seconds * 1000)) {
            let exchange = try await ensureDelayQueue(milliseconds: bucket)
            try await producer.publish(OutgoingMessage(exchange: exchange, routingKey: queue, body: body, properties: properties))
        } else {
            try await producer.publish(OutgoingMessage(exchange: "", routingKey: queue, body: body, properties: properties))
        }
    }

    /// The delay queue length for a wait of `milliseconds`: rounded down to two significant
    /// digits (the remainder is waited in a further, shorter hop), nil below 5 ms.
    static func delayBucket(milliseconds: Int64) -> Int64? {
        guard milliseconds >= 5 else { return nil }
        var scale: Int64 = 1
        while milliseconds / scale >= 100 { scale *= 10 }
        return (milliseconds / scale) * scale
    }

    /// Declares (or renews the lease of) the delay exchange + queue for `milliseconds`.
    /// The queue expires after being unused for the TTL plus ten minutes, and is re-declared at
    /// least every five minutes while in use, so a parked message always outlives its delay.
    private func ensureDelayQueue(milliseconds: Int64) async throws -> String {
        let name = "\(Self.delayPrefix)\(milliseconds)"
        let now = ContinuousClock.now
        let fresh = delayLeases.withLock { leases in
            if let last = leases[milliseconds], now - last < .seconds(300) { return true }
            return false
        }
        if fresh { return name }
        try await producer.declare(ExchangeDeclaration(name: name, type: .fanout, durable: true, autoDelete: true))
        try await producer.declare(QueueDeclaration(name: name, durable: true, arguments: [
            "x-message-ttl": .int64(milliseconds),
            "x-dead-letter-exchange": .string(""),
            "x-expires": .int64(milliseconds + 600_000),
        ]))
        try await producer.bind(QueueBinding(queue: name, exchange: name, routingKey: ""))
        delayLeases.withLock { $0[milliseconds] = now }
        return name
    }

    /// Publishes an arbitrary message to `queue` (operations and tests: for example a message
    /// that is deliberately not a task).
    public func publishRaw(body: [UInt8], headers: [String: JSONValue], to queue: String,
                           contentType: String = "application/json") async throws {
        let properties = AMQPProperties(contentType: contentType, contentEncoding: "utf-8",
                                        headers: headers.mapValues(AMQPFieldValue.init(json:)), deliveryMode: .persistent)
        try await declareTaskQueue(queue)
        try await producer.publish(OutgoingMessage(exchange: "", routingKey: queue, body: body, properties: properties))
    }

    // MARK: consuming

    public var consumerExecutor: (any TaskExecutor)? { consumerConnection.taskExecutor }

    public func consume(queues: [String], prefetch: Int) async throws -> any BrokerDeliveries {
        var started: [AMQPConsumer] = []
        for queue in queues {
            started.append(try await consumerConnection.consume(queue: queue, prefetch: UInt16(clamping: prefetch)))
        }
        consumers.withLock { $0.append(contentsOf: started) }
        let sources = zip(started, queues).map { ConsumerDeliveries(consumer: $0, queue: $1, logger: logger) }
        // One queue (the usual worker): the worker's tasks read straight from the consumer,
        // without a pump task and a second buffer (and a thread hop) per delivery.
        if sources.count == 1 { return sources[0] }
        return MergedDeliveries(sources)
    }

    static func brokerDelivery(_ delivery: AMQPDelivery, queue: String) -> BrokerDelivery {
        let headers = (delivery.properties.headers ?? [:]).mapValues(\.json)
        return BrokerDelivery(queue: queue, headers: headers, body: delivery.body,
                              contentType: delivery.properties.contentType,
                              contentEncoding: delivery.properties.contentEncoding,
                              replyTo: delivery.properties.replyTo, priority: delivery.properties.priority,
                              redelivered: delivery.redelivered, token: delivery)
    }

    public func cancelConsumers() async {
        let all = consumers.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for consumer in all {
            do { try await consumer.cancel() } catch {
                logger.warning("consumer cancel failed", metadata: ["error": .string("\(error)")])
            }
        }
    }

    private func amqpDelivery(_ delivery: BrokerDelivery) throws -> AMQPDelivery {
        guard let amqp = delivery.token as? AMQPDelivery else {
            throw ProtocolError("delivery was not received from RabbitMQ")
        }
        return amqp
    }

    /// Returns once the ack is queued to the connection (see `AMQPConnection.acknowledge`): an
    /// ack that cannot be sent any more leaves the message to be redelivered, which retrying
    /// could not change.
    public func ack(_ delivery: BrokerDelivery) async throws {
        consumerConnection.acknowledge(try amqpDelivery(delivery))
    }

    public func requeue(_ delivery: BrokerDelivery) async throws {
        try await consumerConnection.reject(try amqpDelivery(delivery), requeue: true)
    }

    public func deadLetter(_ delivery: BrokerDelivery, reason: String) async throws {
        let original = try amqpDelivery(delivery)
        var properties = original.properties
        var headers = properties.headers ?? [:]
        headers["x-celeriac-error"] = .string(String(reason.prefix(4000)))
        headers["x-celeriac-original-queue"] = .string(delivery.queue)
        headers["x-celeriac-dead-lettered-at"] = .string(CeleryDate.format(Date()))
        properties.headers = headers
        properties.deliveryMode = .persistent
        try await declareTaskQueue(delivery.queue)
        try await producer.publish(OutgoingMessage(exchange: "", routingKey: "\(delivery.queue).dead",
                                                   body: original.body, properties: properties))
        try await consumerConnection.ack(original)
    }

    public func delay(_ delivery: BrokerDelivery, until eta: Date) async throws {
        let original = try amqpDelivery(delivery)
        let wait = max(0, eta.timeIntervalSinceNow)
        try await publish(body: original.body, properties: original.properties, queue: delivery.queue,
                          delay: .seconds(wait))
        try await consumerConnection.ack(original)
    }

    // MARK: events and remote control

    public func publishEvent(_ event: [String: JSONValue], routingKey: String) async throws {
        let properties = AMQPProperties(contentType: "application/json", contentEncoding: "utf-8",
                                        headers: ["hostname": .string(event["hostname"]?.stringValue ?? "")],
                                        deliveryMode: .transient)
        try await producer.publish(OutgoingMessage(exchange: Self.eventExchange, routingKey: routingKey,
                                                   body: JSONValue.object(event).serialized(), properties: properties))
    }

    public func broadcastControl(method: String, arguments: [String: JSONValue]) async throws {
        let clock = controlClock.add(1, ordering: .relaxed).newValue
        let body: JSONValue = ["method": .string(method), "arguments": .object(arguments), "destination": .null,
                               "pattern": .null, "matcher": .null]
        let properties = AMQPProperties(contentType: "application/json", contentEncoding: "utf-8",
                                        headers: ["clock": .int64(Int64(clock)),
                                                  "expires": .double(Date().timeIntervalSince1970 + 10)],
                                        deliveryMode: .transient)
        let message = OutgoingMessage(exchange: Self.controlExchange, routingKey: "", body: body.serialized(),
                                      properties: properties)
        try await Self.againWhileNacked { try await self.producer.publish(message) }
    }

    /// Runs `publish` up to `attempts` times in all while RabbitMQ nacks it, pausing a little
    /// longer each time. A broadcast goes to every worker's control queue, and a queue that ends
    /// abnormally while the message is on its way to it (its worker was killed: the queue is
    /// exclusive to that worker's connection) makes RabbitMQ nack the message for all of them.
    /// The next copy goes to the queues that exist then; a command received twice (revoke) does
    /// what it did once. (A full test run, workers being killed in other tests, failed a revoke
    /// this way.)
    static func againWhileNacked(attempts: Int = 5, pause: Duration = .milliseconds(20),
                                 _ publish: () async throws -> Void) async throws {
        var attempt = 1
        while true {
            do {
                return try await publish()
            } catch AMQPError.nacked where attempt < attempts {
                try await Task.sleep(for: pause * attempt)
                attempt += 1
            }
        }
    }

    public func controlCommands(hostname: String) async throws -> AsyncStream<ControlCommand> {
        let queue = "\(hostname).celery.pidbox"
        try await consumerConnection.declare(QueueDeclaration(name: queue, durable: false, exclusive: true, autoDelete: true,
                                                              arguments: ["x-message-ttl": .int64(300_000)]))
        try await consumerConnection.bind(QueueBinding(queue: queue, exchange: Self.controlExchange, routingKey: ""))
        let consumer = try await consumerConnection.consume(queue: queue, prefetch: 16)
        let (stream, continuation) = AsyncStream<ControlCommand>.makeStream()
        let connection = consumerConnection
        let logger = self.logger
        Task {
            do {
                for try await delivery in consumer {
                    try? await connection.ack(delivery)
                    guard let body = try? JSONValue(parsing: delivery.body), let method = body["method"]?.stringValue else { continue }
                    if let destination = body["destination"]?.arrayValue, !destination.contains(.string(hostname)) { continue }
                    continuation.yield(ControlCommand(method: method, arguments: body["arguments"]?.objectValue ?? [:], reply: nil))
                }
            } catch {
                logger.warning("remote-control consumer ended", metadata: ["error": .string("\(error)")])
            }
            continuation.finish()
        }
        return stream
    }

    /// Celery events (`celeryev`) whose routing keys match `bindingKeys` (`task.#`, `worker.#`),
    /// as decoded JSON, on a private queue that disappears with the connection.
    public func events(bindingKeys: [String]) async throws -> AsyncStream<[String: JSONValue]> {
        let queue = "celeriac.events.\(UUID().uuidString.prefix(8).lowercased())"
        try await consumerConnection.declare(QueueDeclaration(name: queue, durable: false, exclusive: true, autoDelete: true,
                                                              arguments: ["x-message-ttl": .int64(60_000)]))
        for key in bindingKeys {
            try await consumerConnection.bind(QueueBinding(queue: queue, exchange: Self.eventExchange, routingKey: key))
        }
        let consumer = try await consumerConnection.consume(queue: queue, prefetch: 256)
        let (stream, continuation) = AsyncStream<[String: JSONValue]>.makeStream()
        let connection = consumerConnection
        let task = Task {
            do {
                for try await delivery in consumer {
                    try? await connection.ack(delivery)
                    // Celery can batch events into a JSON list; Celeriac sends one object.
                    switch try? JSONValue(parsing: delivery.body) {
                    case .object(let event)?: continuation.yield(event)
                    case .array(let events)?: for case .object(let event) in events { continuation.yield(event) }
                    default: continue
                    }
                }
            } catch {}
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Deletes every ready message of `name`; returns how many were removed.
    public func purge(_ name: String) async throws -> Int {
        Int(try await producer.purgeQueue(name))
    }

    public func queueState(_ name: String) async throws -> (messages: Int, consumers: Int)? {
        guard let state = try await producer.queueState(name) else { return nil }
        return (Int(state.messageCount), Int(state.consumerCount))
    }

    public func close() async {
        await consumerConnection.close()
        await producer.close()
    }
}

/// One consumer's deliveries as ``BrokerDelivery`` values.
private final class ConsumerDeliveries: BrokerDeliveries {
    private let consumer: AMQPConsumer
    private let queue: String
    private let logger: Logger

    init(consumer: AMQPConsumer, queue: String, logger: Logger) {
        self.consumer = consumer
        self.queue = queue
        self.logger = logger
    }

    func next() async -> BrokerDelivery? {
        do {
            guard let delivery = try await consumer.next() else { return nil }
            return RabbitMQBroker.brokerDelivery(delivery, queue: queue)
        } catch {
            logger.error("consumer of \(queue) ended", metadata: ["error": .string("\(error)")])
            return nil
        }
    }
}

/// The deliveries of several consumers, in arrival order: a task per consumer moves them into
/// one queue, which ends when every consumer has.
private final class MergedDeliveries: BrokerDeliveries {
    private let merged = AsyncFIFO<BrokerDelivery>()

    init(_ sources: [ConsumerDeliveries]) {
        let merged = self.merged
        let pumps = sources.map { source in
            Task {
                while let delivery = await source.next() { merged.yield(delivery) }
            }
        }
        Task {
            for pump in pumps { await pump.value }
            merged.finish()
        }
    }

    func next() async -> BrokerDelivery? { try? await merged.next() }
}
