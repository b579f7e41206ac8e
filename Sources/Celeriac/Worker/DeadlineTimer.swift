import Dispatch

/// Fires time-limit deadlines on a dispatch queue of its own, outside Swift's cooperative pool.
///
/// The cooperative pool has one thread per core. Task code that blocks or spins without
/// suspending holds one of them; when every thread is held, a timer that sleeps on the pool
/// (`Task.sleep`) cannot fire until one is released, so a hard time limit would only take effect
/// when the runaway code ends — exactly when it is no longer needed. A private serial queue
/// targets libdispatch's overcommitting root queue, which gets a thread whatever the pool does.
final class DeadlineTimer: Sendable {
    /// The process-wide timer every worker shares: one queue, one thread at most at a time.
    static let shared = DeadlineTimer(label: "celeriac.time-limits")

    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// A scheduled deadline; ``cancel()`` stops it if it has not fired yet and releases its
    /// action at once (a cancelled work item would hold it until its deadline, which for an
    /// hour-long limit at thousands of tasks a second adds up).
    struct Scheduled: Sendable {
        fileprivate let source: TimerSource
        func cancel() { source.timer.cancel() }
    }

    /// Runs `action` on the timer's queue after `seconds` (negative counts as zero), once.
    @discardableResult
    func schedule(after seconds: Double, _ action: @escaping @Sendable () -> Void) -> Scheduled {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let nanoseconds = Int(max(0, seconds) * 1_000_000_000)
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), leeway: .milliseconds(1))
        let source = TimerSource(timer: timer)
        // The handler holds its source until it cancels it, here or in Scheduled.cancel: a
        // cancelled source releases its handler, which ends the cycle.
        timer.setEventHandler {
            source.timer.cancel()
            action()
        }
        timer.activate()
        return Scheduled(source: source)
    }
}

/// Dispatch sources are thread-safe (cancel may be called from any thread); the Linux overlay
/// just does not declare them `Sendable`.
private final class TimerSource: @unchecked Sendable {
    let timer: any DispatchSourceTimer
    init(timer: any DispatchSourceTimer) { self.timer = timer }
}
