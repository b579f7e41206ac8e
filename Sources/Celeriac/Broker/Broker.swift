public import Foundation

/// What Celeriac needs from a message broker, in task terms. ``RabbitMQBroker`` implements it
/// over the `AMQP` client; the protocol keeps the worker and producer independent of the transport.
public protocol Broker: Sendable {
    /// Declares a task queue exactly as Celery does (durable, no arguments), so Python and Swift
    /// peers can declare it too without an argument mismatch.
    func declareTaskQueue(_ name: String) async throws

    /// Publishes a task message to `queue` and returns once the broker has confirmed it.
    /// With a `delay`, the message waits in a broker-side delay queue and reaches `queue` only
    /// when the delay has passed — it is never held unacknowledged by a worker.
    func publish(_ message: TaskMessage, to queue: String, delay: Duration?) async throws

    /// Publishes several task messages at once, in order, and returns once the broker has
    /// confirmed all of them: one hand-off to the transport instead of one per message, and
    /// the messages pipelined. Throws the first failure; messages before it may have been
    /// published (as with one call per message: none is taken back).
    func publish(_ batch: [Publication]) async throws

    /// Starts consuming `queues`; deliveries of every queue are read from the one value returned.
    /// `prefetch` bounds the unacknowledged deliveries per queue consumer.
    func consume(queues: [String], prefetch: Int) async throws -> any BrokerDeliveries

    /// Stops the consumers started by ``consume(queues:prefetch:)``; their deliveries end.
    func cancelConsumers() async

    /// Acknowledges a delivery: the broker forgets the message.
    func ack(_ delivery: BrokerDelivery) async throws

    /// Returns a delivery to its queue for another worker.
    func requeue(_ delivery: BrokerDelivery) async throws

    /// Moves a delivery to the dead-letter queue `<queue>.dead` with the reason in its headers,
    /// then acknowledges the original. Nothing is lost: the copy is confirmed before the ack.
    func deadLetter(_ delivery: BrokerDelivery, reason: String) async throws

    /// Re-publishes a delivery unchanged into the delay queues until `eta`, then acknowledges it.
    func delay(_ delivery: BrokerDelivery, until eta: Date) async throws

    /// Publishes an event to Celery's `celeryev` topic exchange (fire and forget, not persistent).
    func publishEvent(_ event: [String: JSONValue], routingKey: String) async throws

    /// Broadcasts a remote-control command (`revoke`, `ping`, ...) to every worker, as Celery's
    /// `app.control` does over the `celery.pidbox` fanout exchange.
    func broadcastControl(method: String, arguments: [String: JSONValue]) async throws

    /// Remote-control commands addressed to `hostname` (or to every worker).
    func controlCommands(hostname: String) async throws -> AsyncStream<ControlCommand>

    /// Messages waiting and consumers attached, or nil when the queue does not exist.
    func queueState(_ name: String) async throws -> (messages: Int, consumers: Int)?

    /// Closes the broker connections.
    func close() async

    /// An executor on the thread that receives deliveries, for workers that run their tasks
    /// there (``WorkerConfiguration/runsOnConsumerThread``); nil when the transport has none.
    var consumerExecutor: (any TaskExecutor)? { get }
}

extension Broker {
    public var consumerExecutor: (any TaskExecutor)? { nil }

    /// One ``publish(_:to:delay:)`` after the other, for transports with nothing better.
    public func publish(_ batch: [Publication]) async throws {
        for publication in batch { try await publish(publication.message, to: publication.queue, delay: publication.delay) }
    }
}

/// The deliveries of a worker's consumers, read by its tasks.
///
/// Not an `AsyncSequence`: a worker reads a delivery per task, and a plain method that returns
/// a buffered delivery at once costs no executor switch (see `AsyncFIFO`).
public protocol BrokerDeliveries: Sendable {
    /// The next delivery, waiting for one if none is buffered; `nil` once the consumers were
    /// cancelled or their connection closed for good. Several tasks may call it at once: each
    /// delivery goes to one of them.
    func next() async -> BrokerDelivery?
}

/// A message as received from a task queue, not yet decoded.
public struct BrokerDelivery: Sendable {
    public var queue: String
    public var headers: [String: JSONValue]
    public var body: [UInt8]
    public var contentType: String?
    public var contentEncoding: String?
    public var replyTo: String?
    public var priority: UInt8?
    /// The broker delivered this message before (to this or another consumer).
    public var redelivered: Bool
    /// The transport's handle for acknowledging this delivery.
    public var token: any Sendable
    /// What the worker has done with this delivery so far (shared by copies of it).
    let ledger = DeliveryLedger()

    public init(queue: String, headers: [String: JSONValue], body: [UInt8], contentType: String?,
                contentEncoding: String?, replyTo: String?, priority: UInt8?, redelivered: Bool, token: any Sendable) {
        self.queue = queue
        self.headers = headers
        self.body = body
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.replyTo = replyTo
        self.priority = priority
        self.redelivered = redelivered
        self.token = token
    }

    /// Decodes the delivery as a Celery protocol v2 task message.
    public func taskMessage() throws(ProtocolError) -> TaskMessage {
        try TaskMessage(headers: headers, body: body, contentType: contentType, contentEncoding: contentEncoding,
                        replyTo: replyTo, priority: priority)
    }
}

/// A Celery remote-control command (`{"method": ..., "arguments": {...}, "destination": ...}`).
public struct ControlCommand: Sendable {
    public var method: String
    public var arguments: [String: JSONValue]
    /// Where to send a reply, when the sender wants one.
    public var reply: (exchange: String, routingKey: String, ticket: String)?

    public init(method: String, arguments: [String: JSONValue], reply: (exchange: String, routingKey: String, ticket: String)?) {
        self.method = method
        self.arguments = arguments
        self.reply = reply
    }
}
