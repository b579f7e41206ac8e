import Logging
import Synchronization

/// Keeps alive the run leases of the chord bodies a worker is running (see
/// `Worker.runChordBody`): one loop renews every held lease each third of its lifetime.
///
/// A renewal task of each body's own (a task, a timer and a cancellation on the shared pool for
/// every chord) cost a worker running chords a tenth of its CPU: 259 against 229 µs per chord
/// in four rounds of `scripts/bench.sh ab`.
final class RunLeaseRenewer: Sendable {
    private struct Lease {
        let taskID: String
        let logger: Logger
    }

    private let backend: any ResultBackend
    private let lifetime: Duration
    /// Held leases by owner (unique per run of a body).
    private let leases = Mutex<[String: Lease]>([:])

    init(backend: any ResultBackend, lifetime: Duration) {
        self.backend = backend
        self.lifetime = lifetime
    }

    /// Renews `owner`'s lease on `taskID` from the next tick (at most a third of the lifetime
    /// away) until ``release(owner:)``.
    func hold(taskID: String, owner: String, logger: Logger) {
        leases.withLock { $0[owner] = Lease(taskID: taskID, logger: logger) }
    }

    /// Stops renewing `owner`'s lease.
    func release(owner: String) {
        _ = leases.withLock { $0.removeValue(forKey: owner) }
    }

    /// Renews the held leases every third of their lifetime until the task is cancelled.
    func run() async {
        let seconds = Int(lifetime.components.seconds)
        while (try? await Task.sleep(for: lifetime / 3)) != nil {
            for (owner, lease) in leases.withLock({ $0 }) {
                // A failed renewal (a Redis blip) is tried again at the next tick; a refused one
                // is final, unless the body finished meanwhile and released the lease itself.
                guard (try? await backend.renewRunLease(taskID: lease.taskID, owner: owner, seconds: seconds)) == false else { continue }
                if leases.withLock({ $0.removeValue(forKey: owner) }) != nil {
                    lease.logger.warning("run lease lost while the chord body runs; another copy may start")
                }
            }
        }
    }
}
