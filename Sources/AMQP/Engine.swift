import CRabbitMQ
import ClientSupport
import Foundation
import Logging
import Synchronization

/// The state behind an ``AMQPConnection``. Everything except `events` and `stopRequested`
/// is touched only on the owner thread, which makes every rabbitmq-c call.
final class Engine: @unchecked Sendable {
    enum State {
        case idle
        case connected
        case reconnecting(attempt: Int, next: ContinuousClock.Instant)
        case closed
    }

    /// An operation waiting for the connection to come back.
    struct ParkedOperation {
        var deadline: ContinuousClock.Instant
        var run: () -> Void
        var fail: (AMQPError) -> Void
    }

    /// A consumer the connection re-creates after every reconnect.
    struct ConsumerRecord {
        var tag: String
        var queue: String
        var prefetch: UInt16
        var exclusive: Bool
        var arguments: AMQPTable
        var deliveries: AsyncFIFO<AMQPDelivery>
    }

    /// Published messages (of one `publish` call) waiting for their confirms.
    final class ConfirmBatch {
        var remaining: Int
        let promise: Promise<Void>
        init(remaining: Int, promise: Promise<Void>) {
            self.remaining = remaining
            self.promise = promise
        }
    }

    struct PendingConfirm {
        var batch: ConfirmBatch
        var mandatory: Bool
        var exchange: String
        var routingKey: String
        var returned: AMQPError?
    }

    /// A delivery or return being assembled from method, header and body frames.
    struct PartialMessage {
        enum Kind {
            case deliver(deliveryTag: UInt64, consumerTag: String, redelivered: Bool, generation: UInt64)
            case `return`(code: UInt16, text: String)
        }
        var kind: Kind
        var exchange: String
        var routingKey: String
        var properties = AMQPProperties()
        var bodySize: Int = -1
        var body: [UInt8] = []
    }

    static let nextConnectionID = Atomic<UInt64>(1)

    let configuration: AMQPConfiguration
    let logger: Logger
    let owner: OwnerThread
    /// Runs tasks on the owner thread (see ``AMQPConnection/taskExecutor``).
    let taskExecutor: OwnerThreadExecutor
    let events = EventHub()
    let connectionID: UInt64
    let stopRequested = Atomic<Bool>(false)

    // MARK: owner-thread state
    var connection: amqp_connection_state_t?
    var state: State = .idle
    var openChannels: Set<UInt16> = []
    /// Bumped whenever delivery tags become meaningless (reconnect, consume channel reset).
    var generation: UInt64 = 1 {
        didSet {
            currentGeneration.store(generation, ordering: .releasing)
            // Delivery tags of the old consume channel mean nothing any more.
            unsettled = []
            failPendingAcks(.staleDelivery)
        }
    }
    /// Delivery tags on the consume channel not yet acked, nacked or rejected, ascending.
    var unsettled: [UInt64] = []
    /// Acks requested since the last ``flushAcks()``; sent together after each batch of jobs.
    var pendingAcks: [(tag: UInt64, promise: Promise<Void>?)] = []
    /// Publishes requested since the last ``flushPublishes()``; written together (see there).
    var deferredPublishes: [(messages: [OutgoingMessage], promise: Promise<Void>)] = []
    /// ``generation`` for other threads: consumers drop deliveries buffered before a reconnect.
    let currentGeneration = Atomic<UInt64>(1)
    var exchanges: [ExchangeDeclaration] = []
    var queues: [QueueDeclaration] = []
    var bindings: [QueueBinding] = []
    var consumers: [String: ConsumerRecord] = [:]
    var consumerOrder: [String] = []
    var publishSequence: UInt64 = 0
    var confirmFloor: UInt64 = 1
    var pendingConfirms: [UInt64: PendingConfirm] = [:]
    var partials: [UInt16: PartialMessage] = [:]
    var parked: [ParkedOperation] = []
    var negotiatedHeartbeat = 0

    init(configuration: AMQPConfiguration, logger: Logger) {
        self.configuration = configuration
        self.connectionID = Self.nextConnectionID.wrappingAdd(1, ordering: .relaxed).oldValue
        var logger = logger
        logger[metadataKey: "amqp.url"] = "\(configuration.redactedURL)"
        if let name = configuration.connectionName { logger[metadataKey: "amqp.connection"] = "\(name)" }
        self.logger = logger
        self.owner = OwnerThread(name: "amqp-\(configuration.connectionName ?? "connection")-\(connectionID)")
        self.taskExecutor = OwnerThreadExecutor(owner: owner)
        owner.start { [self] in runLoop() }
    }

    var isConnected: Bool {
        if case .connected = state { return true }
        return false
    }

    // MARK: submitting work

    /// Runs `body` on the owner thread once the connection is up (waiting up to the reconnect
    /// wait timeout while it is down); `body` resolves the promise, now or later.
    ///
    /// Publishes are deferred to the end of the batch of jobs (`deferred`); every other job first
    /// writes the publishes queued before it, so frames still leave in the order asked for.
    func perform<T: Sendable>(waitForConnection: Bool = true, deferred: Bool = false,
                              _ body: @escaping @Sendable (Engine, Promise<T>) -> Void) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let promise = Promise(continuation)
            submit(orElse: { promise.fail(AMQPError.closed) }) { [self] in
                let run = { [self] in
                    if !deferred { flushPublishes() }
                    body(self, promise)
                }
                guard waitForConnection else { return run() }
                switch state {
                case .connected:
                    run()
                case .reconnecting:
                    parked.append(ParkedOperation(deadline: .now + configuration.reconnectWaitTimeout, run: run,
                                                  fail: { promise.fail($0) }))
                case .idle:
                    promise.fail(AMQPError.notConnected)
                case .closed:
                    promise.fail(AMQPError.closed)
                }
            }
        }
    }

    /// ``perform(waitForConnection:_:)`` for a synchronous body.
    func run<T: Sendable>(waitForConnection: Bool = true,
                          _ body: @escaping @Sendable (Engine) throws -> T) async throws -> T {
        try await perform(waitForConnection: waitForConnection) { engine, promise in
            do { promise.succeed(try body(engine)) } catch { promise.fail(error) }
        }
    }

    /// Queues `job` for the owner thread, or calls `refused` when the loop has already exited.
    /// (One lock: the owner's queue refuses jobs once the loop has closed it.)
    private func submit(orElse refused: () -> Void, _ job: @escaping @Sendable () -> Void) {
        if !owner.submitIfOpen(job) { refused() }
    }

    /// Queues a single ack with nobody waiting for the outcome (see `AMQPConnection.acknowledge`).
    func queueAckNoWait(_ tag: AMQPDeliveryTag) {
        submit(orElse: {}) { [self] in queueAck(tag, promise: nil) }
    }

    /// Asks the loop to shut down (used when the connection object goes away without `close()`).
    func requestStop() {
        submit(orElse: {}) { [self] in shutdown() }
    }

    // MARK: the owner loop

    private var pollMilliseconds: Int32 {
        negotiatedHeartbeat > 0 ? Int32(min(5000, max(50, negotiatedHeartbeat * 250))) : 1000
    }

    private func runLoop() {
        while !stopRequested.load(ordering: .acquiring) {
            owner.runJobs()
            flushPublishes()
            flushAcks()
            if stopRequested.load(ordering: .acquiring) { break }
            switch state {
            case .connected:
                pump(timeoutMicroseconds: 0)
                guard isConnected, let connection else { continue }
                restoreChannelsAfterError()
                if amqp_frames_enqueued(connection) != 0 || amqp_data_in_buffer(connection) != 0 { continue }
                let wake = owner.wait(readable: amqp_get_sockfd(connection), timeoutMilliseconds: pollMilliseconds)
                if wake.readable || wake.timedOut {
                    // A short (not zero) timeout: rabbitmq-c then also notices missed heartbeats.
                    pump(timeoutMicroseconds: 1000)
                }
            case .reconnecting(let attempt, let next):
                expireParked()
                let now = ContinuousClock.now
                if now >= next {
                    reconnect(attempt: attempt)
                } else {
                    var until = next
                    if let earliest = parked.map(\.deadline).min(), earliest < until { until = earliest }
                    let ms = max(1, Int32(min(5.0, (until - now).seconds) * 1000))
                    _ = owner.wait(timeoutMilliseconds: ms)
                }
            case .idle, .closed:
                _ = owner.wait(timeoutMilliseconds: 1000)
            }
        }
        shutdown()
        // Jobs queued before this point run (and fail with `.closed`); later ones are refused.
        for job in owner.closeQueue() { job() }
    }

    private func expireParked() {
        let now = ContinuousClock.now
        guard parked.contains(where: { $0.deadline <= now }) else { return }
        var keep: [ParkedOperation] = []
        for operation in parked {
            if operation.deadline <= now {
                operation.fail(.connectionLost("the connection did not come back within \(configuration.reconnectWaitTimeout)"))
            } else {
                keep.append(operation)
            }
        }
        parked = keep
    }

    /// Reads and handles frames until none is ready (waiting at most `timeoutMicroseconds` for
    /// the first one), at most `limit` of them so queued jobs are not starved.
    func pump(timeoutMicroseconds: Int, limit: Int = 1024) {
        var timeout = timeval(tv_sec: 0, tv_usec: timeoutMicroseconds)
        var handled = 0
        while handled < limit, isConnected, let connection {
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame_noblock(connection, &frame, &timeout)
            if status == statusTimeout { break }
            guard status == statusOK else {
                connectionLost(statusText(status))
                return
            }
            handle(frame)
            handled += 1
            timeout = timeval(tv_sec: 0, tv_usec: 0)
        }
        if isConnected, let connection { amqp_maybe_release_buffers(connection) }
    }

    // MARK: connection lifecycle

    /// First connect, from ``AMQPConnection/connect()``.
    func connectFirst() throws {
        switch state {
        case .connected, .reconnecting: return
        case .closed: throw AMQPError.closed
        case .idle: break
        }
        try establish()
        try restoreTopologyAndConsumers()
        state = .connected
        logger.info("AMQP connected", metadata: ["heartbeat": "\(negotiatedHeartbeat)s"])
        events.emit(.connected)
    }

    /// Tears down a broken connection: in-flight publishes fail, delivery tags go stale, and the
    /// loop starts reconnecting.
    func connectionLost(_ reason: String) {
        guard isConnected else { return }
        logger.warning("AMQP connection lost, reconnecting", metadata: ["reason": "\(reason)"])
        dropConnection()
        failPendingConfirms(.connectionLost(reason))
        state = .reconnecting(attempt: 0, next: .now + configuration.reconnectBackoff.delay(forAttempt: 0))
        events.emit(.disconnected(reason: reason))
    }

    /// Destroys the rabbitmq-c connection (closing the socket) and forgets per-connection state.
    func dropConnection() {
        if let connection { amqp_destroy_connection(connection) }
        connection = nil
        openChannels = []
        partials = [:]
        generation += 1
        negotiatedHeartbeat = 0
    }

    private func reconnect(attempt: Int) {
        do {
            try establish()
            try restoreTopologyAndConsumers()
        } catch {
            dropConnection()
            let next = attempt + 1
            let delay = configuration.reconnectBackoff.delay(forAttempt: next)
            logger.warning("AMQP reconnect attempt failed", metadata: [
                "attempt": "\(next)", "error": "\(error)", "retry_in": "\(delay)",
            ])
            state = .reconnecting(attempt: next, next: .now + delay)
            return
        }
        state = .connected
        logger.info("AMQP reconnected", metadata: ["attempts": "\(attempt + 1)"])
        events.emit(.reconnected(attempts: attempt + 1))
        let waiting = parked
        parked = []
        for operation in waiting {
            if isConnected { operation.run() } else { parked.append(operation) }
        }
    }

    /// Closes everything; called once, on the owner thread.
    func shutdown() {
        if case .closed = state { return }
        flushPublishes()
        flushAcks()
        let wasConnected = isConnected
        state = .closed
        stopRequested.store(true, ordering: .releasing)
        if wasConnected, let connection {
            _ = amqp_connection_close(connection, Int32(AMQP_REPLY_SUCCESS))
        }
        if let connection { amqp_destroy_connection(connection) }
        connection = nil
        failPendingConfirms(.closed)
        failPendingAcks(.closed)
        for operation in parked { operation.fail(.closed) }
        parked = []
        for tag in consumerOrder { consumers[tag]?.deliveries.finish() }
        consumers = [:]
        consumerOrder = []
        logger.info("AMQP connection closed")
        events.emit(.closed)
        events.finish()
    }

    func failPendingConfirms(_ error: AMQPError) {
        let pending = pendingConfirms
        pendingConfirms = [:]
        confirmFloor = publishSequence + 1
        for (_, confirm) in pending { confirm.batch.promise.fail(error) }
    }
}

/// Broadcasts connection events to every ``AMQPConnection/connectionEvents`` stream.
final class EventHub: Sendable {
    private let subscribers = Mutex<(next: Int, streams: [Int: AsyncStream<AMQPConnectionEvent>.Continuation], finished: Bool)>(
        (0, [:], false))

    func subscribe() -> AsyncStream<AMQPConnectionEvent> {
        let (stream, continuation) = AsyncStream<AMQPConnectionEvent>.makeStream()
        let id: Int? = subscribers.withLock { state in
            if state.finished { return nil }
            let id = state.next
            state.next += 1
            state.streams[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.streams.removeValue(forKey: id) }
        }
        return stream
    }

    func emit(_ event: AMQPConnectionEvent) {
        let streams = subscribers.withLock { Array($0.streams.values) }
        for stream in streams { stream.yield(event) }
    }

    func finish() {
        let streams = subscribers.withLock { state in
            state.finished = true
            let all = Array(state.streams.values)
            state.streams = [:]
            return all
        }
        for stream in streams { stream.finish() }
    }
}
