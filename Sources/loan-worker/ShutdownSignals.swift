import Dispatch
import Foundation
import Synchronization

/// SIGTERM/SIGINT handling for a worker: the first signal starts a graceful shutdown, a second
/// one exits immediately (unacknowledged tasks are then redelivered by the broker).
final class ShutdownSignals {
    private let sources: [any DispatchSourceSignal]

    private final class Count: Sendable {
        let value = Atomic<Int>(0)
        func increment() -> Int { value.add(1, ordering: .relaxed).newValue }
    }

    init(onFirst: @escaping @Sendable () async -> Void) {
        let count = Count()
        sources = [SIGTERM, SIGINT].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                if count.increment() == 1 {
                    Task { await onFirst() }
                } else {
                    FileHandle.standardError.write(Data("second signal: exiting now; unfinished tasks will be redelivered\n".utf8))
                    exit(1)
                }
            }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}

/// A shutdown that may be requested before the thing to shut down exists.
actor ShutdownRequest {
    private var requested = false
    private var action: (@Sendable () async -> Void)?

    func request() async {
        requested = true
        await action?()
    }

    /// Runs `action` on request, or at once if a request already came in.
    func onRequest(_ action: @escaping @Sendable () async -> Void) async {
        self.action = action
        if requested { Task { await action() } }
    }
}
