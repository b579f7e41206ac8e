import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A dedicated OS thread that is the single owner of a handle that is not thread-safe
/// (a rabbitmq-c connection, a hiredis context).
///
/// Other threads never touch the handle: they hand closures to ``submit(_:)`` and the owner
/// runs them in order on its own loop. The loop sleeps in ``wait(readable:timeoutMilliseconds:)``,
/// which wakes up for either new jobs or activity on the handle's socket, so the owner can keep
/// servicing the socket (heartbeats, incoming frames) while callers elsewhere are busy.
public final class OwnerThread: @unchecked Sendable {
    public typealias Job = @Sendable () -> Void

    /// What woke ``wait(readable:timeoutMilliseconds:)``.
    public struct Wakeup: Sendable, Equatable {
        /// New jobs were submitted (or ``wake()`` was called).
        public var jobs: Bool
        /// The watched file descriptor is readable (or hung up / in error).
        public var readable: Bool
        /// Nothing happened before the timeout.
        public var timedOut: Bool { !jobs && !readable }
    }

    public let name: String
    /// How many times ``wait(readable:timeoutMilliseconds:)`` looks for jobs and socket data,
    /// yielding the CPU in between, before it sleeps in poll(2).
    public let spinsBeforeSleep: Int
    /// 100 checks take about 50 µs when the core has nothing else to run. Under load the next
    /// frame or job nearly always arrives within them, so the owner is no longer put to sleep
    /// and woken for every few messages. On the 2-core benchmark machine (issue 9) 30 checks
    /// instead of none lifted `demo.add` with results from 8,222 to 10,441 tasks/s (means of 14
    /// alternated runs), 100 instead of 30 chords by about 5 % (three alternations), 300
    /// nothing more. Yielding, not busy-looping, leaves the CPU to whoever has work; an idle
    /// connection pays the checks once per wake-up.
    public static let defaultSpinsBeforeSleep = 100
    /// Queued jobs, and whether the owner is (about to be) asleep in poll(2): only then does a
    /// submitter pay for a wake-up write. Under load the owner is mostly awake and a job costs
    /// no system call at all.
    private let queue = Mutex<(jobs: [Job], sleeping: Bool, closed: Bool)>(([], false, false))
    // A self-pipe: writing a byte wakes the owner from poll(2).
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let threadID = Mutex<pthread_t?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    public init(name: String, spinsBeforeSleep: Int = OwnerThread.defaultSpinsBeforeSleep) {
        self.name = name
        self.spinsBeforeSleep = max(0, spinsBeforeSleep)
        var fds: [Int32] = [0, 0]
        let rc = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) }
        precondition(rc == 0, "pipe() failed: \(errno)")
        for fd in fds {
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Starts the thread; `body` is the owner's loop and runs until it returns.
    public func start(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            // A write to a socket the server closed raises SIGPIPE, which kills the process by
            // default; blocked on this thread, it leaves the write failing with EPIPE instead.
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
            threadID.withLock { $0 = pthread_self() }
            Self.nameKernelThread(name)
            body()
            finished.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Gives the calling thread `name` (its first 15 bytes) where `top -H`, `perf` and
    /// `/proc/<pid>/task/*/comm` show it. Foundation's `Thread.name` does not reach the kernel
    /// on Linux, and `pthread_setname_np` is not visible to Swift there.
    private static func nameKernelThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #endif
    }

    /// Blocks until the loop passed to ``start(_:)`` has returned.
    public func join() {
        finished.wait()
        finished.signal()
    }

    /// Waits until the loop has returned, without blocking a cooperative thread.
    public func joined() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { [self] in
                join()
                continuation.resume()
            }
        }
    }

    /// True when called on the owner thread itself.
    public var isCurrent: Bool {
        threadID.withLock { id in id.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    /// Queues a job for the owner and wakes it if it sleeps.
    public func submit(_ job: @escaping Job) {
        _ = submitIfOpen(job)
    }

    /// Queues a job unless ``closeQueue()`` was called; false when refused.
    public func submitIfOpen(_ job: @escaping Job) -> Bool {
        let (accepted, sleeping) = queue.withLock { state -> (Bool, Bool) in
            if state.closed { return (false, false) }
            state.jobs.append(job)
            defer { state.sleeping = false }
            return (true, state.sleeping)
        }
        if sleeping { wake() }
        return accepted
    }

    /// Refuses jobs from now on and returns those still queued (the owner runs them or fails them).
    public func closeQueue() -> [Job] {
        queue.withLock { state in
            state.closed = true
            defer { state.jobs = [] }
            return state.jobs
        }
    }

    /// Wakes the owner without a job (for example to make it re-check a stop flag).
    public func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Removes and returns every queued job, oldest first. Called by the owner.
    public func takeJobs() -> [Job] {
        queue.withLock { state in
            let taken = state.jobs
            state.jobs.removeAll(keepingCapacity: true)
            return taken
        }
    }

    /// Runs every queued job. Returns how many ran.
    @discardableResult
    public func runJobs() -> Int {
        let jobs = takeJobs()
        for job in jobs { job() }
        return jobs.count
    }

    /// Sleeps until jobs arrive, `readable` becomes readable, or the timeout passes
    /// (a negative timeout waits forever), after first checking for either
    /// ``spinsBeforeSleep`` times. Called by the owner.
    public func wait(readable fd: Int32? = nil, timeoutMilliseconds: Int32) -> Wakeup {
        for _ in 0..<spinsBeforeSleep {
            if queue.withLock({ !$0.jobs.isEmpty }) { return Wakeup(jobs: true, readable: false) }
            if let fd, Self.isReadable(fd) { return Wakeup(jobs: false, readable: true) }
            sched_yield()
        }
        // Announce the sleep under the same lock submitters take: a job queued after this check
        // sees `sleeping` and writes the wake-up byte, so poll(2) cannot miss it.
        let hasJobs = queue.withLock { state -> Bool in
            if !state.jobs.isEmpty { return true }
            state.sleeping = true
            return false
        }
        if hasJobs { return Wakeup(jobs: true, readable: false) }
        var fds = (pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: fd ?? -1, events: Int16(POLLIN), revents: 0))
        let n = withUnsafeMutableBytes(of: &fds) { raw in
            poll(raw.baseAddress!.assumingMemoryBound(to: pollfd.self), fd == nil ? 1 : 2, timeoutMilliseconds)
        }
        let jobs = queue.withLock { state -> Bool in
            state.sleeping = false
            return !state.jobs.isEmpty
        }
        if n <= 0 { return Wakeup(jobs: jobs, readable: false) }
        let woke = fds.0.revents != 0
        if woke { drainWakeups() }
        return Wakeup(jobs: jobs || woke, readable: fd != nil && fds.1.revents != 0)
    }

    /// Checks `fd` up to ``spinsBeforeSleep`` times, yielding the CPU in between, and returns
    /// whether it became readable: called by the owner before a blocking read of a reply that is
    /// usually microseconds away, so that it does not sleep and wait to be woken for it (chords,
    /// with their sequential Redis round trips, went about a tenth faster in three alternations).
    @discardableResult
    public func spin(untilReadable fd: Int32) -> Bool {
        for _ in 0..<spinsBeforeSleep {
            if Self.isReadable(fd) { return true }
            sched_yield()
        }
        return false
    }

    private static func isReadable(_ fd: Int32) -> Bool {
        var check = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&check, 1, 0) > 0
    }

    private func drainWakeups() {
        var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        while withUnsafeMutableBytes(of: &buffer, { read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
    }

    /// Runs `body` on the owner thread and returns its result to the caller.
    public func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
        }
    }
}
