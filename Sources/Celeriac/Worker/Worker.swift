import ClientSupport
import Foundation
public import Logging
import Synchronization

/// A worker process's task consumer: takes task messages from its queues and runs up to
/// `concurrency` of them at once with Celery's semantics (acks late, retries, time limits,
/// expiry, revocation, ETA, events).
///
/// ```swift
/// let worker = Worker(registry: registry, broker: broker, backend: backend,
///                     configuration: WorkerConfiguration(queues: ["demo"], concurrency: 8))
/// try await worker.run()          // returns after shutdown() and the drain
/// ```
public final class Worker: Sendable {
    public let configuration: WorkerConfiguration
    let registry: TaskRegistry
    let broker: any Broker
    let backend: any ResultBackend
    let logger: Logger
    let events: EventEmitter
    let revoked = RevokedSet()
    let rateLimiter = RateLimiter()
    let metrics = WorkerMetrics()
    let leaseRenewer: RunLeaseRenewer
    let counters = Mutex<(active: Int, processed: Int, stopping: Bool)>((0, 0, false))
    let drainSignal = Mutex<AsyncStream<Void>.Continuation?>(nil)
    let readiness = Mutex<(ready: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    /// How long storing a result or acknowledging keeps being retried across a server outage
    /// before the message is left to be redelivered.
    let settleBudget: Duration

    public init(registry: TaskRegistry, broker: any Broker, backend: any ResultBackend,
                configuration: WorkerConfiguration = WorkerConfiguration(),
                logger: Logger = Logger(label: "celeriac.worker"), settleBudget: Duration = .seconds(300)) {
        self.registry = registry
        self.broker = broker
        self.backend = backend
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "worker"] = .string(configuration.hostname)
        self.logger = logger
        self.events = EventEmitter(broker: broker, hostname: configuration.hostname,
                                   enabled: configuration.sendEvents, logger: logger)
        self.settleBudget = settleBudget
        self.leaseRenewer = RunLeaseRenewer(backend: backend, lifetime: configuration.runLeaseLifetime)
    }

    /// The queues this worker consumes.
    public var queues: [String] { configuration.queues.isEmpty ? registry.queues : configuration.queues }

    /// Tasks running right now and tasks finished since start.
    public var activity: (active: Int, processed: Int) {
        counters.withLock { ($0.active, $0.processed) }
    }

    /// Consumes and runs tasks until ``shutdown()`` is called, then lets in-flight tasks finish
    /// (up to `drainTimeout`) and returns. Messages not finished by then stay unacknowledged
    /// and are redelivered to another worker.
    public func run() async throws {
        // Whoever waits for readiness is released even when the worker cannot start.
        defer { markReady() }
        let queues = self.queues
        guard !queues.isEmpty else { throw WorkerError("no queues to consume: register tasks or configure queues") }
        for queue in queues { try await broker.declareTaskQueue(queue) }
        let deliveries = try await broker.consume(queues: queues, prefetch: configuration.prefetch)
        // A shutdown requested before the consumers existed had nothing to cancel (a worker sent
        // SIGTERM while starting would otherwise consume on and never stop): stopping is set
        // before shutdown() cancels, so checking after consume() covers either order.
        if isStopping { await broker.cancelConsumers() }
        logger.info("worker ready", metadata: [
            "queues": .string(queues.joined(separator: ",")), "concurrency": .stringConvertible(configuration.concurrency),
            "tasks": .string(registry.names.joined(separator: ",")),
        ])
        let control = try await broker.controlCommands(hostname: configuration.hostname)
        await events.send("worker-online", workerFields())
        let background = [startHeartbeats(), startControl(control), Task { await leaseRenewer.run() }]
        markReady()

        let executor = configuration.runsOnConsumerThread ? broker.consumerExecutor : nil
        let processing = Task(executorPreference: executor) {
            // One long-lived task per unit of concurrency (a lane), each taking the next delivery
            // once it is done with one, instead of a child task per delivery with its creation,
            // executor preference and removal from the group (see deliveriesBetweenYields).
            await withDiscardingTaskGroup { group in
                for _ in 0..<self.configuration.concurrency {
                    group.addTask(executorPreference: executor) { await self.runLane(deliveries) }
                }
            }
        }
        // Returns once consumers are cancelled and in-flight work has drained, or when the drain
        // timeout started by shutdown() passes first.
        let finished = AsyncStream<Void>.makeStream()
        drainSignal.withLock { $0 = finished.continuation }
        Task { await processing.value; finished.continuation.yield() }
        for await _ in finished.stream { break }
        if activity.active > 0 {
            logger.warning("drain timeout: leaving unfinished tasks to be redelivered",
                           metadata: ["active": .stringConvertible(activity.active)])
        }
        for task in background { task.cancel() }
        await events.send("worker-offline", workerFields())
        logger.info("worker stopped", metadata: ["processed": .stringConvertible(activity.processed)])
    }

    /// Starts a graceful shutdown: consuming stops now, in-flight tasks may finish within
    /// `drainTimeout`; after that ``run()`` returns regardless.
    public func shutdown() async {
        let first = counters.withLock { state -> Bool in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        logger.info("graceful shutdown: no new tasks; waiting for in-flight ones",
                    metadata: ["active": .stringConvertible(activity.active)])
        await broker.cancelConsumers()
        let timeout = configuration.drainTimeout
        Task {
            try? await Task.sleep(for: timeout)
            _ = self.drainSignal.withLock { $0?.yield() }
        }
    }

    var isStopping: Bool { counters.withLock { $0.stopping } }

    /// How many deliveries a lane processes before it yields. Yielding after every one cost more
    /// than the task per delivery it replaced (19,627 against 20,014 tasks/s with results
    /// ignored, four alternations); after every 8, 21,125 against 19,926, the broker's CPU per
    /// task 56 → 52 µs (a consumer thread's acks go out in larger batches). Every 8 against
    /// every one directly: 22,674 against 21,697 ignored, chords 3,146 against 3,202 (within
    /// their swing).
    static let deliveriesBetweenYields = 8

    /// One unit of concurrency: processes deliveries one after the other until they end.
    private func runLane(_ deliveries: any BrokerDeliveries) async {
        var processed = 0
        while let delivery = await deliveries.next() {
            if isStopping {
                // Prefetched but not started: hand it back rather than start new work.
                try? await broker.requeue(delivery)
                continue
            }
            await process(delivery)
            // A delivery processed without suspending is followed at once by the next buffered
            // one: yielding now and then lets the other lanes, the worker's other tasks and, on
            // the consumer thread, its socket work (sending the acks, reading deliveries) run.
            processed &+= 1
            if processed % Self.deliveriesBetweenYields == 0 { await Task.yield() }
        }
    }

    func workerFields() -> [String: JSONValue] {
        let (active, processed) = activity
        return events.workerFields(active: active, processed: processed, frequency: configuration.heartbeatInterval)
    }

    private func startHeartbeats() -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(configuration.heartbeatInterval))
                if Task.isCancelled { return }
                await events.send("worker-heartbeat", workerFields())
            }
        }
    }

    private func startControl(_ commands: AsyncStream<ControlCommand>) -> Task<Void, Never> {
        Task {
            for await command in commands { handle(command) }
        }
    }

    /// Runs the worker in a new task and returns that task once the worker is ready: for a
    /// worker embedded in another process (beside an API, in tests). The task ends when
    /// ``run()`` does, after ``shutdown()`` or on a failure to start; its value tells which.
    public func start() async -> Task<Void, any Error> {
        let task = Task { try await run() }
        await waitUntilReady()
        return task
    }

    /// Returns once the worker consumes its queues and listens for remote control, or once
    /// ``run()`` has ended without getting there.
    public func waitUntilReady() async {
        await withCheckedContinuation { continuation in
            let ready = readiness.withLock { state -> Bool in
                if state.ready { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func markReady() {
        let waiters = readiness.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.ready = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func handle(_ command: ControlCommand) {
        switch command.method {
        case "revoke":
            let ids: [String]
            switch command.arguments["task_id"] {
            case .string(let id)?: ids = [id]
            case .array(let list)?: ids = list.compactMap(\.stringValue)
            default: ids = []
            }
            for id in ids { revoked.insert(id) }
            logger.info("tasks revoked", metadata: ["task_ids": .string(ids.joined(separator: ","))])
        default:
            logger.debug("control command ignored", metadata: ["method": .string(command.method)])
        }
    }
}

/// A worker that cannot start or run.
public struct WorkerError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
