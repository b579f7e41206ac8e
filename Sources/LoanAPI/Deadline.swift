import Synchronization

/// Runs `operation` but gives up after `timeout`: the answer is nil then. The operation is
/// cancelled and left to finish on its own, so a client stuck reconnecting cannot hold the caller.
func withDeadline<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async -> Result<T, any Error>? {
    let once = OnceFlag()
    return await withCheckedContinuation { continuation in
        let work = Task {
            let result: Result<T, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            if once.claim() { continuation.resume(returning: result) }
        }
        Task {
            try? await Task.sleep(for: timeout)
            if once.claim() {
                work.cancel()
                continuation.resume(returning: nil)
            }
        }
    }
}

/// Lets exactly one of several racers act.
final class OnceFlag: Sendable {
    private let claimed = Atomic<Bool>(false)
    func claim() -> Bool { claimed.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged }
}
