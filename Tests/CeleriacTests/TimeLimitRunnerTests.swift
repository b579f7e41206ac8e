import Foundation
import Synchronization
@testable import Celeriac
import Testing

@Suite struct TimeLimitRunnerTests {
    @Test func returnsTheResultWithinLimits() async {
        let outcome = await TimeLimitRunner.run(soft: 5, hard: 10) { 42 }
        guard case .success(let value) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(value == 42)
    }

    @Test func softLimitCancelsCooperatively() async {
        let outcome = await TimeLimitRunner.run(soft: 0.05, hard: 5) {
            try await Task.sleep(for: .seconds(5))
            return 1
        }
        guard case .failure(let error) = outcome else { Issue.record("expected failure, got \(outcome)"); return }
        #expect(ExceptionInfo(error: error).type == "SoftTimeLimitExceeded")
    }

    @Test func hardLimitFreesTheCallerEvenIfTheTaskIgnoresCancellation() async {
        let clock = ContinuousClock()
        let start = clock.now
        let released = Atomic<Bool>(false)
        let outcome = await TimeLimitRunner.run(soft: nil, hard: 0.1) {
            // Work that never checks for cancellation: it runs until the test releases it (or
            // 30 s pass), so a runner that waited for it would be caught however slow the machine.
            let end = ContinuousClock.now + .seconds(30)
            while !released.load(ordering: .relaxed) && ContinuousClock.now < end { usleep(1000) }
            return 1
        }
        let elapsed = clock.now - start
        released.store(true, ordering: .relaxed)
        guard case .timeLimitExceeded(let seconds) = outcome else { Issue.record("expected time limit, got \(outcome)"); return }
        #expect(seconds == 0.1)
        #expect(elapsed < .seconds(20), "the caller was freed long before the task would have ended")
    }
}
