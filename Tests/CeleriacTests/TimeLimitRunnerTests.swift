import Foundation
import Synchronization
@testable import Celeriac
import Testing

/// Serialized: two of these tests hold every cooperative thread for a second on purpose, which
/// would delay the others' bodies past their limits.
@Suite(.serialized) struct TimeLimitRunnerTests {
    @Test func returnsTheResultWithinLimits() async {
        let outcome = await TimeLimitRunner.run(soft: 5, hard: 10) { 42 }
        guard case .success(let value) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(value == 42)
    }

    @Test func softLimitCancelsCooperatively() async {
        let outcome = await TimeLimitRunner.run(soft: 0.05, hard: 60) {
            try await Task.sleep(for: .seconds(60))
            return 1
        }
        guard case .failure(let error) = outcome else { Issue.record("expected failure, got \(outcome)"); return }
        #expect(ExceptionInfo(error: error).type == "SoftTimeLimitExceeded")
    }

    @Test func hardLimitFreesTheCallerEvenIfTheTaskIgnoresCancellation() async {
        let outcome = await TimeLimitRunner.run(soft: nil, hard: 0.1) {
            // Busy work that never checks for cancellation.
            let end = ContinuousClock.now + .seconds(1)
            while ContinuousClock.now < end {}
            return 1
        }
        guard case .timeLimitExceeded(let seconds) = outcome else { Issue.record("expected time limit, got \(outcome)"); return }
        #expect(seconds == 0.1)
    }

    /// The limit fires while blocking task code holds every cooperative thread: the body spins
    /// without suspending (as do as many others as there are cores) and notes when it is
    /// cancelled, which the hard limit does. A timer that needed a cooperative thread could
    /// only fire after the spinning ended, and the body would never see the cancellation.
    @Test func hardLimitFiresWhileBlockingCodeHoldsEveryCooperativeThread() async {
        let spin = Duration.seconds(1)
        let cancelledWhileSpinning = Mutex(false)
        let busy = (1..<ProcessInfo.processInfo.activeProcessorCount).map { _ in
            Task.detached {
                let end = ContinuousClock.now + spin
                while ContinuousClock.now < end {}
            }
        }
        let outcome = await TimeLimitRunner.run(soft: nil, hard: 0.1) {
            let end = ContinuousClock.now + spin
            while ContinuousClock.now < end {
                if Task.isCancelled { cancelledWhileSpinning.withLock { $0 = true } }
            }
            return 1
        }
        for task in busy { await task.value }
        guard case .timeLimitExceeded = outcome else { Issue.record("expected time limit, got \(outcome)"); return }
        #expect(cancelledWhileSpinning.withLock { $0 }, "the hard limit did not fire while the pool was busy")
    }

    @Test func deadlineTimerCancelledBeforeItFiresNeverRuns() async throws {
        let fired = Mutex(0)
        let timer = DeadlineTimer(label: "test")
        let scheduled = timer.schedule(after: 0.2) { fired.withLock { $0 += 1 } }
        timer.schedule(after: 0.05) { fired.withLock { $0 += 10 } }
        scheduled.cancel()
        try await Task.sleep(for: .milliseconds(600))
        #expect(fired.withLock { $0 } == 10)
    }
}
