import Synchronization

/// Runs a task body under Celery's soft and hard time limits.
///
/// The body runs in its own unstructured task. At the soft limit it is cancelled (cooperative:
/// it sees `CancellationError`/`Task.isCancelled`). At the hard limit the runner stops waiting
/// and reports ``Outcome/timeLimitExceeded`` so the worker frees the slot at once; a body that
/// ignores cancellation may keep running in the background until it next suspends, but its
/// result is discarded. Both deadlines fire on a ``DeadlineTimer`` thread, so they are on time
/// even while blocking task code holds every thread of the cooperative pool.
enum TimeLimitRunner {
    enum Outcome: Sendable {
        case success(JSONValue)
        case failure(any Error)
        case timeLimitExceeded(Double)
    }

    /// Runs `body` under the limits given. With neither, ``unlimited(_:)`` runs it directly,
    /// without a task of its own.
    static func run(soft: Double?, hard: Double?, timer: DeadlineTimer = .shared,
                    _ body: @escaping @Sendable () async throws -> JSONValue) async -> Outcome {
        let gate = OutcomeGate()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            gate.set(continuation)
            let work = Task {
                do { gate.resolve(.success(try await body())) } catch { gate.resolve(.failure(error)) }
            }
            // The deadlines fire on their own queue, not the cooperative pool: see DeadlineTimer.
            var timers: [DeadlineTimer.Scheduled] = []
            if let soft, soft > 0, hard.map({ soft < $0 }) ?? true {
                timers.append(timer.schedule(after: soft) { work.cancel() })
            }
            if let hard {
                timers.append(timer.schedule(after: hard) {
                    // Resolve before cancelling: the cancelled body would otherwise race to
                    // resolve first with its CancellationError (reported as a soft limit).
                    gate.resolve(.timeLimitExceeded(hard))
                    work.cancel()
                })
            }
            gate.onResolve { [timers] in timers.forEach { $0.cancel() } }
        }
    }

    /// Runs `body` with no limit. It does not escape, so a caller's closure captures its values
    /// by reference: an escaping one copied the task's message into its context twice per task.
    static func unlimited(_ body: () async throws -> JSONValue) async -> Outcome {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}

/// Resolves a continuation exactly once, whoever comes first (the body or the timer).
private final class OutcomeGate: Sendable {
    private struct State {
        var continuation: CheckedContinuation<TimeLimitRunner.Outcome, Never>?
        var resolved: TimeLimitRunner.Outcome?
        var cleanup: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    func set(_ continuation: CheckedContinuation<TimeLimitRunner.Outcome, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    func onResolve(_ cleanup: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.resolved != nil { return true }
            state.cleanup = cleanup
            return false
        }
        if runNow { cleanup() }
    }

    func resolve(_ outcome: TimeLimitRunner.Outcome) {
        let (continuation, cleanup) = state.withLock { state -> (CheckedContinuation<TimeLimitRunner.Outcome, Never>?, (@Sendable () -> Void)?) in
            guard state.resolved == nil else { return (nil, nil) }
            state.resolved = outcome
            defer { state.continuation = nil; state.cleanup = nil }
            return (state.continuation, state.cleanup)
        }
        continuation?.resume(returning: outcome)
        cleanup?()
    }
}
