import Foundation

/// A fixed set of OS threads for blocking C calls (libmongoc, DNS, file I/O), so that they
/// never occupy Swift concurrency's cooperative thread pool.
public final class BlockingThreadPool: @unchecked Sendable {
    public typealias Job = @Sendable () -> Void

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var stopping = false
    private let group = DispatchGroup()

    /// Starts `threads` worker threads named `name-N`.
    public init(name: String, threads: Int) {
        precondition(threads > 0, "a thread pool needs at least one thread")
        for index in 0..<threads {
            group.enter()
            let thread = Thread { [self] in
                runWorker()
                group.leave()
            }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    private func runWorker() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    /// Queues a job; it runs on one of the pool's threads.
    public func submit(_ job: @escaping Job) {
        condition.lock()
        precondition(!stopping, "job submitted to a thread pool that was shut down")
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on a pool thread and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    /// Lets queued jobs finish, then stops the threads and waits for them.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        group.wait()
    }
}
