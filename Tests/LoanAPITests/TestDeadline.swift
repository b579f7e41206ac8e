import Synchronization
import Testing

/// What a step that did not finish in time was doing.
struct StepTimedOut: Error, CustomStringConvertible {
    let description: String
}

/// Runs `step`, but if it has not finished after `seconds` fails the test with `diagnose()`'s
/// account of the situation instead of waiting for the suite's time limit, which says nothing.
/// The step is cancelled and left to end on its own.
func within<T: Sendable>(_ seconds: Double, _ what: String, diagnose: @escaping @Sendable () async -> String,
                         _ step: @escaping @Sendable () async throws -> T) async throws -> T {
    let once = FirstClaim()
    let result: Result<T, any Error> = await withCheckedContinuation { continuation in
        let work = Task {
            let result: Result<T, any Error>
            do { result = .success(try await step()) } catch { result = .failure(error) }
            if once.claim() { continuation.resume(returning: result) }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            guard once.claim() else { return }
            work.cancel()
            let account = await diagnose()
            continuation.resume(returning: .failure(StepTimedOut(description: "\(what): not done after \(seconds) s; \(account)")))
        }
    }
    return try result.get()
}

/// Lets exactly one of two racers act.
private final class FirstClaim: Sendable {
    private let claimed = Atomic<Bool>(false)
    func claim() -> Bool { claimed.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged }
}
