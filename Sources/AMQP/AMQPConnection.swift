public import Logging
import ClientSupport
import Foundation

/// A connection to RabbitMQ over rabbitmq-c, with publisher confirms, consumers and automatic
/// reconnects.
///
/// rabbitmq-c is not thread-safe, so each connection has one dedicated owner thread that makes
/// every C call; the async methods hand it jobs. That thread also services the socket while the
/// application is busy: heartbeats are sent and checked, deliveries and confirms are read.
///
/// When the connection breaks (socket error, missed heartbeats, broker restart) in-flight
/// publishes fail with ``AMQPError/connectionLost(_:)``, unacknowledged deliveries become stale
/// (acking them throws ``AMQPError/staleDelivery``; the broker redelivers them), and the
/// connection reconnects with ``AMQPConfiguration/reconnectBackoff`` until ``close()``:
/// remembered exchanges, queues and bindings are re-declared and every consumer is re-created
/// with the same tag, so its ``AMQPConsumer`` sequence keeps yielding. Operations submitted while
/// disconnected wait for the reconnect, at most ``AMQPConfiguration/reconnectWaitTimeout``.
public final class AMQPConnection: Sendable {
    /// The configuration this connection was created with.
    public let configuration: AMQPConfiguration
    let engine: Engine

    /// A connection that does nothing until ``connect()``.
    public init(configuration: AMQPConfiguration, logger: Logger = Logger(label: "celeriac.amqp")) {
        self.configuration = configuration
        self.engine = Engine(configuration: configuration, logger: logger)
    }

    /// A connection for an `amqp://` URL.
    public convenience init(url: String, logger: Logger = Logger(label: "celeriac.amqp")) throws(AMQPError) {
        self.init(configuration: try AMQPConfiguration(url: url), logger: logger)
    }

    deinit {
        engine.requestStop()
    }

    /// Connects and logs in (once). Throws ``AMQPError/connectionFailed(_:)`` with a clear reason
    /// (refused, unreachable, login refused, unknown vhost); after success the connection
    /// reconnects by itself.
    public func connect() async throws {
        try await engine.run(waitForConnection: false) { engine in try engine.connectFirst() }
    }

    /// Lifecycle events from now on (each access returns a new subscription).
    public var connectionEvents: AsyncStream<AMQPConnectionEvent> {
        engine.events.subscribe()
    }

    // MARK: topology

    /// Declares an exchange; it is re-declared after every reconnect.
    public func declare(_ exchange: ExchangeDeclaration) async throws {
        try await engine.run { engine in try engine.declare(exchange) }
    }

    /// Declares a queue; it is re-declared after every reconnect. A declaration that conflicts
    /// with the existing queue throws ``AMQPError/channelClosed(code:text:)`` with 406.
    @discardableResult
    public func declare(_ queue: QueueDeclaration) async throws -> QueueState {
        try await engine.run { engine in try engine.declare(queue) }
    }

    /// Binds a queue to an exchange; the binding is re-created after every reconnect.
    public func bind(_ binding: QueueBinding) async throws {
        try await engine.run { engine in try engine.bind(binding) }
    }

    /// The queue's depth and consumer count (a passive declare), or `nil` when it does not exist.
    public func queueState(_ name: String) async throws -> QueueState? {
        try await engine.run { engine in try engine.queueState(name) }
    }

    /// Removes every ready message from the queue; returns how many were removed.
    @discardableResult
    public func purgeQueue(_ name: String) async throws -> UInt32 {
        try await engine.run { engine in try engine.purgeQueue(name) }
    }

    /// Deletes the queue (and forgets its declaration and bindings); returns how many messages it held.
    @discardableResult
    public func deleteQueue(_ name: String) async throws -> UInt32 {
        try await engine.run { engine in try engine.deleteQueue(name) }
    }

    // MARK: publishing

    /// Publishes one message and returns once the broker confirmed it.
    ///
    /// Throws ``AMQPError/nacked``, ``AMQPError/unroutable(code:text:exchange:routingKey:)`` (for
    /// a mandatory message no queue took), ``AMQPError/channelClosed(code:text:)`` (for example
    /// 404 for a missing exchange) or ``AMQPError/connectionLost(_:)`` (retry is up to the caller).
    public func publish(_ message: OutgoingMessage) async throws {
        try await publish([message])
    }

    /// Publishes all messages back to back (pipelined), then waits until all are confirmed.
    /// Fails with the first failure; messages before it may have been delivered.
    public func publish(_ batch: [OutgoingMessage]) async throws {
        try await engine.perform(deferred: true) { engine, promise in engine.deferPublish(batch, promise: promise) }
    }

    // MARK: consuming

    /// An executor that runs tasks on this connection's own thread, between its socket work.
    /// A consumer whose tasks prefer it handles a delivery, and queues its ack, without a
    /// thread switch; anything such a task does that blocks instead of suspending stalls the
    /// connection (heartbeats included) meanwhile.
    public var taskExecutor: any TaskExecutor { engine.taskExecutor }

    /// Starts a consumer with manual acknowledgements and its own prefetch (basic.qos, global=false).
    ///
    /// The returned sequence yields deliveries until ``AMQPConsumer/cancel()`` or ``close()``
    /// (then it ends) or until the broker cancels the consumer (then it throws). It keeps
    /// yielding across reconnects.
    public func consume(queue: String, prefetch: UInt16, consumerTag: String? = nil, exclusive: Bool = false,
                        arguments: AMQPTable = [:]) async throws -> AMQPConsumer {
        let tag = consumerTag ?? "celeriac-\(UUID().uuidString.lowercased())"
        let deliveries = AsyncFIFO<AMQPDelivery>()
        let record = Engine.ConsumerRecord(tag: tag, queue: queue, prefetch: prefetch, exclusive: exclusive,
                                           arguments: arguments, deliveries: deliveries)
        do {
            try await engine.run { engine in try engine.consume(record) }
        } catch {
            deliveries.finish()
            throw error
        }
        return AMQPConsumer(tag: tag, queue: queue, deliveries: deliveries, engine: engine)
    }

    /// Acknowledges a delivery (and, with `multiple`, every earlier one on this connection).
    /// Throws ``AMQPError/staleDelivery`` without sending anything when the delivery predates a reconnect.
    ///
    /// Single acks are sent after the connection's current batch of work, together with the
    /// other acks of that batch (as one `multiple` ack when they cover the oldest unacknowledged
    /// deliveries); the call returns once its ack is written.
    public func ack(_ delivery: AMQPDelivery, multiple: Bool = false) async throws {
        let tag = delivery.deliveryTag
        if multiple {
            try await engine.run(waitForConnection: false) { engine in try engine.acknowledge(tag, .ack(multiple: true)) }
        } else {
            try await engine.perform(waitForConnection: false) { engine, promise in engine.queueAck(tag, promise: promise) }
        }
    }

    /// Queues the acknowledgement of a delivery and returns at once. It goes out like
    /// ``ack(_:multiple:)``'s, with the other acks of the connection's current batch. Nothing
    /// waits for it: AMQP has no reply to an ack, and an ack that cannot be sent (the delivery
    /// predates a reconnect, or the connection fails now) needs nothing from the caller, because
    /// the broker redelivers the message either way. Saves the caller a suspension per message.
    public func acknowledge(_ delivery: AMQPDelivery) {
        engine.queueAckNoWait(delivery.deliveryTag)
    }

    /// Negatively acknowledges a delivery; `requeue: false` dead-letters or drops it.
    public func nack(_ delivery: AMQPDelivery, multiple: Bool = false, requeue: Bool) async throws {
        let tag = delivery.deliveryTag
        try await engine.run(waitForConnection: false) { engine in
            try engine.acknowledge(tag, .nack(multiple: multiple, requeue: requeue))
        }
    }

    /// Rejects a delivery; `requeue: false` dead-letters or drops it.
    public func reject(_ delivery: AMQPDelivery, requeue: Bool) async throws {
        let tag = delivery.deliveryTag
        try await engine.run(waitForConnection: false) { engine in try engine.acknowledge(tag, .reject(requeue: requeue)) }
    }

    // MARK: closing

    /// Closes the connection: consumers end, waiting operations fail with ``AMQPError/closed``.
    public func close() async {
        _ = try? await engine.run(waitForConnection: false) { engine in engine.shutdown() }
    }
}
