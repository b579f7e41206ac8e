/// How a task runs: routing, reliability and limits. Set per task; some can be overridden per call.
public struct TaskOptions: Sendable, Hashable {
    /// The queue the task is published to (default `celery`, as in Celery).
    public var queue: String
    /// Retries for failures: how many, and how long to wait between them.
    public var retry: RetryPolicy
    /// After this many seconds the task is asked to stop (cooperative cancellation; the task
    /// sees `Task.isCancelled` / `CancellationError` and fails with `SoftTimeLimitExceeded`).
    public var softTimeLimit: Double?
    /// After this many seconds the task is failed with `TimeLimitExceeded` and its slot is freed.
    public var timeLimit: Double?
    /// Acknowledge the message only after the result is stored (default), so a worker that dies
    /// mid-task gets the task redelivered to another worker.
    public var acksLate: Bool
    /// Do not store the result (states are still published as events).
    public var ignoreResult: Bool
    /// Maximum tasks of this type started per second by one worker process.
    public var rateLimit: Double?
    /// Default priority (0-255; needs a queue declared with `x-max-priority`).
    public var priority: UInt8?

    public init(queue: String = "celery", retry: RetryPolicy = .none, softTimeLimit: Double? = nil,
                timeLimit: Double? = nil, acksLate: Bool = true, ignoreResult: Bool = false,
                rateLimit: Double? = nil, priority: UInt8? = nil) {
        self.queue = queue
        self.retry = retry
        self.softTimeLimit = softTimeLimit
        self.timeLimit = timeLimit
        self.acksLate = acksLate
        self.ignoreResult = ignoreResult
        self.rateLimit = rateLimit
        self.priority = priority
    }
}

/// When and how a failed task is retried.
///
/// A retry republishes the task with the **same id**, `retries + 1` and an `eta` computed with
/// exponential backoff and full jitter (Celery's `retry_backoff`/`retry_jitter`), capped at
/// ``maximumDelay``. The task waits for its eta in a broker-side delay queue, never in worker memory.
public struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first attempt; 0 disables automatic retries.
    public var maxRetries: Int
    /// Delay before the first retry; doubled for each further one.
    public var initialDelay: Double
    /// Upper bound of the delay in seconds.
    public var maximumDelay: Double
    /// Full jitter: the delay is uniform in `[0, computed delay]`.
    public var jitter: Bool
    /// Retry on any error (`true`) or only when the task throws ``RetryRequest`` (`false`).
    public var retryOnAnyError: Bool

    public init(maxRetries: Int, initialDelay: Double = 1, maximumDelay: Double = 600, jitter: Bool = true,
                retryOnAnyError: Bool = true) {
        self.maxRetries = maxRetries
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.jitter = jitter
        self.retryOnAnyError = retryOnAnyError
    }

    /// No automatic retries (explicit ``RetryRequest``s are still honoured up to 3 retries, as in Celery).
    public static let none = RetryPolicy(maxRetries: 3, retryOnAnyError: false)

    /// The delay before retry number `retries + 1`.
    public func delay(afterRetries retries: Int) -> Double {
        let exponent = Double(max(0, min(retries, 60)))
        let ceiling = min(maximumDelay, initialDelay * pow2(exponent))
        return jitter ? Double.random(in: 0...max(ceiling, 0)) : ceiling
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) { value *= 2 }
        return value
    }
}

/// Thrown by a task to ask for a retry (Celery's `self.retry()`), optionally after a fixed delay.
public struct RetryRequest: Error, Sendable, CustomStringConvertible {
    /// Seconds to wait; nil uses the task's ``RetryPolicy``.
    public var countdown: Double?
    /// What went wrong, stored with the RETRY state and, when retries run out, as the failure.
    public var reason: String

    public init(countdown: Double? = nil, reason: String = "retry requested") {
        self.countdown = countdown
        self.reason = reason
    }

    public var description: String { reason }
}
