import Synchronization

/// A counting semaphore for async code: at most `limit` holders at once.
///
/// A lock rather than an actor: taking a free slot and giving one back never suspend or hop
/// executors (they run twice per task); only a full pool makes `acquire` wait.
final class Slots: Sendable {
    private struct State {
        var inUse = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0  // waiters before this index have been resumed
    }
    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = limit }

    func acquire() async {
        let free = state.withLock { state -> Bool in
            guard state.inUse < limit else { return false }
            state.inUse += 1
            return true
        }
        if free { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                // A slot may have been released since the check above.
                if state.inUse < limit {
                    state.inUse += 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiters.count else {
                state.inUse -= 1
                return nil
            }
            // The slot passes straight to the next waiter.
            let waiter = state.waiters[state.head]
            state.head += 1
            if state.head == state.waiters.count {
                state.waiters.removeAll(keepingCapacity: true)
                state.head = 0
            }
            return waiter
        }
        next?.resume()
    }

    var active: Int { state.withLock { $0.inUse } }
}
