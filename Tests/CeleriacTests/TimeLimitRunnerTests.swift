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
        let released = Atomic<Bool>(false)
        let outcome = await TimeLimitRunner.run(soft: nil, hard: 0.1) {
            // Work that never checks for cancellation, for at most 2 s (it holds one of the
            // cooperative threads, of which a 2-core machine has two): a runner that waited for it
            // would return its success instead of the time limit.
            let end = ContinuousClock.now + .seconds(2)
            while !released.load(ordering: .relaxed) && ContinuousClock.now < end { usleep(1000) }
            return 1
        }
        released.store(true, ordering: .relaxed)
        guard case .timeLimitExceeded(let seconds) = outcome else { Issue.record("expected time limit, got \(outcome)"); return }
        #expect(seconds == 0.1)
    }
}
