import ClientSupport

/// The deliveries of one consumer: read them with ``next()`` or iterate the sequence.
///
/// Several tasks may read it at once; each delivery goes to one of them. It keeps delivering
/// across reconnects (the consumer is re-created with the same tag); it ends after ``cancel()``
/// or ``AMQPConnection/close()``, and throws ``AMQPError/consumerCancelled(tag:)`` (or the
/// broker's error) if the broker cancels it.
public final class AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery

    /// The consumer tag (stable across reconnects).
    public let tag: String
    /// The queue consumed from.
    public let queue: String
    private let deliveries: AsyncFIFO<AMQPDelivery>
    private let engine: Engine

    init(tag: String, queue: String, deliveries: AsyncFIFO<AMQPDelivery>, engine: Engine) {
        self.tag = tag
        self.queue = queue
        self.deliveries = deliveries
        self.engine = engine
    }

    /// The next delivery, or `nil` once the consumer was cancelled or the connection closed.
    /// Returns at once when a delivery is already buffered. Deliveries still buffered from
    /// before a reconnect are skipped: they cannot be acknowledged any more and the broker
    /// delivers them again.
    public func next() async throws -> AMQPDelivery? {
        while let delivery = try await deliveries.next() {
            if delivery.deliveryTag.generation == engine.currentGeneration.load(ordering: .acquiring) { return delivery }
        }
        return nil
    }

    /// Iterates the deliveries (through ``next()``).
    public struct AsyncIterator: AsyncIteratorProtocol {
        let consumer: AMQPConsumer

        public mutating func next() async throws -> AMQPDelivery? { try await consumer.next() }
    }

    /// An iterator over the deliveries.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(consumer: self) }

    /// Cancels the consumer (basic.cancel) and ends the sequence. Deliveries not yet acknowledged
    /// are still acknowledgeable; ones arriving after the cancel are requeued.
    public func cancel() async throws {
        let tag = self.tag
        try await engine.run(waitForConnection: false) { engine in try engine.cancel(consumerTag: tag) }
    }
}
