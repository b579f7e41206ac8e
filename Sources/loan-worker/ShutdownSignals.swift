import Foundation
import Synchronization

/// SIGTERM/SIGINT handling for a worker: the first signal starts a graceful shutdown, a second
/// one exits immediately (unacknowledged tasks are then redelivered by the broker).
///
/// The handlers are installed with `sigaction` before `init` returns, and only write the signal
/// number to a pipe that a thread of this class reads. A dispatch signal source was used before,
/// which needs the signal ignored (`SIG_IGN`) and reads it through a signalfd that only one
/// thread blocks for: a SIGTERM taken by another thread, or sent before the source was live,
/// is discarded. A CI run hung on a pool worker that was sent SIGTERM and never logged the
/// start of its shutdown; with a handler of our own no delivered signal can be dropped.
final class ShutdownSignals: Sendable {
    private static let signals = [SIGTERM, SIGINT]

    init(onFirst: @escaping @Sendable () async -> Void) {
        let fd = SignalPipe.shared.read
        for signalNumber in Self.signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in SignalPipe.shared.post(number) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signalNumber, &action, nil)
        }
        Thread.detachNewThread {
            var received = 0
            var byte: UInt8 = 0
            while true {
                let count = read(fd, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                guard count == 1 else { return }
                received += 1
                if received == 1 {
                    Task { await onFirst() }
                } else {
                    FileHandle.standardError.write(Data("second signal: exiting now; unfinished tasks will be redelivered\n".utf8))
                    exit(1)
                }
            }
        }
    }

    /// Gives SIGTERM and SIGINT their default action back.
    func cancel() {
        for signalNumber in Self.signals { signal(signalNumber, SIG_DFL) }
    }
}

/// The self-pipe the signal handler writes to: `write(2)` is async-signal-safe, and the pipe is
/// created before any handler is installed (a handler must not run a lazy initialiser).
private struct SignalPipe: Sendable {
    static let shared = SignalPipe()
    let read: Int32
    let write: Int32

    private init() {
        var fds: [Int32] = [0, 0]
        precondition(fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) } == 0, "pipe() failed: \(errno)")
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        read = fds[0]
        write = fds[1]
    }

    func post(_ signalNumber: Int32) {
        var byte = UInt8(truncatingIfNeeded: signalNumber)
        _ = Glibc.write(write, &byte, 1)
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
