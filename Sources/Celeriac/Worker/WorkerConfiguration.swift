import Foundation

/// How one worker process consumes and runs tasks.
public struct WorkerConfiguration: Sendable {
    /// Node name, as Celery shows it (`celeriac@host` by default; unique per process in events).
    public var hostname: String
    /// Queues to consume; empty means the queues of every registered task.
    public var queues: [String]
    /// Tasks run at the same time in this process.
    public var concurrency: Int
    /// Unacknowledged messages the broker may push per queue consumer (≥ concurrency keeps slots busy).
    public var prefetch: Int
    /// On a graceful shutdown, how long in-flight tasks may take to finish before the worker
    /// exits anyway (their messages are then redelivered to another worker).
    public var drainTimeout: Duration
    /// Publish task events and worker heartbeats on `celeryev`.
    public var sendEvents: Bool
    /// Seconds between worker heartbeats (Celery uses 2).
    public var heartbeatInterval: Double
    /// Store a STARTED state when a task begins (Celery's `task_track_started`).
    public var trackStarted: Bool
    /// Store `name`, `args`, `kwargs`, `worker`, `retries`, `queue` with results (Celery's `result_extended`).
    public var resultExtended: Bool
    /// How long a chord body's run lease outlives the worker holding it. It is renewed every
    /// third of this while the body runs; after a crash, another copy of the body may run once
    /// it lapses. Whole seconds, at least one.
    public var runLeaseLifetime: Duration
    /// Run tasks on the thread that receives deliveries (the broker's ``Broker/consumerExecutor``)
    /// instead of the shared cooperative pool: no thread switch per task, which pays for many
    /// short tasks that suspend (I/O through the clients) rather than block or compute for long.
    /// A task that blocks stalls the worker's consuming, acknowledging and heartbeats meanwhile,
    /// and while the connection reconnects its tasks wait. Tasks with a time limit run on the
    /// pool either way. Off by default.
    public var runsOnConsumerThread: Bool

    public init(hostname: String? = nil, queues: [String] = [], concurrency: Int = 4, prefetch: Int? = nil,
                drainTimeout: Duration = .seconds(30), sendEvents: Bool = true, heartbeatInterval: Double = 2,
                trackStarted: Bool = false, resultExtended: Bool = true, runLeaseLifetime: Duration = .seconds(15),
                runsOnConsumerThread: Bool = false) {
        self.hostname = hostname ?? "celeriac-\(ProcessInfo.processInfo.processIdentifier)@\(ProcessInfo.processInfo.hostName)"
        self.queues = queues
        self.concurrency = max(1, concurrency)
        self.prefetch = max(1, prefetch ?? concurrency * 4)
        self.drainTimeout = drainTimeout
        self.sendEvents = sendEvents
        self.heartbeatInterval = heartbeatInterval
        self.trackStarted = trackStarted
        self.resultExtended = resultExtended
        self.runLeaseLifetime = max(.seconds(1), runLeaseLifetime)
        self.runsOnConsumerThread = runsOnConsumerThread
    }
}
