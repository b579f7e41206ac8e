/// The deliveries of one consumer, as an async sequence.
///
/// Iterate it once. It keeps yielding across reconnects (the consumer is re-created with the same
/// tag); it ends after ``cancel()`` or ``AMQPConnection/close()``, and throws
/// ``AMQPError/consumerCancelled(tag:)`` (or the broker's error) if the broker cancels it.
public final class AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery

    /// The consumer tag (stable across reconnects).
    public let tag: String
    /// The queue consumed from.
    public let queue: String
    private let stream: AsyncThrowingStream<AMQPDelivery, any Error>
    private let engine: Engine

    init(tag: String, queue: String, stream: AsyncThrowingStream<AMQPDelivery, any Error>, engine: Engine) {
        self.tag = tag
        self.queue = queue
        self.stream = stream
        self.engine = engine
    }

    /// Iterates the deliveries.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<AMQPDelivery, any Error>.AsyncIterator
        let engine: Engine

        /// The next delivery, or `nil` once the consumer was cancelled or the connection closed.
        /// Deliveries still buffered from before a reconnect are skipped: they cannot be
        /// acknowledged any more and the broker delivers them again.
        /// `@concurrent`: the stream's own iterator is awaited here, which a caller-isolated
        /// (nonsending) `next` could not hand over without a data-race risk.
        @concurrent public mutating func next() async throws -> AMQPDelivery? {
            while let delivery = try await base.next() {
                if delivery.deliveryTag.generation == engine.currentGeneration.load(ordering: .acquiring) { return delivery }
            }
            return nil
        }
    }

    /// An iterator over the deliveries.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), engine: engine)
    }

    /// Cancels the consumer (basic.cancel) and ends the sequence. Deliveries not yet acknowledged
    /// are still acknowledgeable; ones arriving after the cancel are requeued.
    public func cancel() async throws {
        let tag = self.tag
        try await engine.run(waitForConnection: false) { engine in try engine.cancel(consumerTag: tag) }
    }
}
