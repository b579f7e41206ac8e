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
        let outcome = await TimeLimitRunner.run(soft: nil, hard: 0.1) {
            // Busy work that never checks for cancellation. (Known limit, stop 12 note: the
            // runner's timer needs a free cooperative thread; when blocking work holds all of
            // them the hard limit fires late.)
            let end = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < end {}
            return 1
        }
        guard case .timeLimitExceeded(let seconds) = outcome else { Issue.record("expected time limit, got \(outcome)"); return }
        #expect(seconds == 0.1)
    }
}
