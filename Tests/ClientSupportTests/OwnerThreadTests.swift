import ClientSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The owner loop's wait: whatever the number of checks before sleeping, it returns for a job,
/// for a readable descriptor, and for the timeout, and says which.
@Suite struct OwnerThreadTests {
    @Test(arguments: [0, OwnerThread.defaultSpinsBeforeSleep, 1000])
    func runsJobsInOrderOnItsOwnThread(spins: Int) async throws {
        let owner = OwnerThread(name: "test-owner", spinsBeforeSleep: spins)
        let stop = Atomic<Bool>(false)
        owner.start {
            while !stop.load(ordering: .acquiring) {
                owner.runJobs()
                _ = owner.wait(timeoutMilliseconds: 5000)
            }
        }
        var results: [Int] = []
        for i in 0..<200 {
            // Some jobs land while the owner is still checking, some after it went to sleep.
            if i % 50 == 0 { try await Task.sleep(for: .milliseconds(20)) }
            results.append(try await owner.perform { precondition(owner.isCurrent); return i })
        }
        #expect(results == Array(0..<200))
        let order = Mutex<[Int]>([])
        for i in 0..<100 { owner.submit { order.withLock { $0.append(i) } } }
        _ = try await owner.perform { () }
        #expect(order.withLock { $0 } == Array(0..<100))
        #expect(!owner.isCurrent)
        stop.store(true, ordering: .releasing)
        owner.wake()
        await owner.joined()
    }

    @Test(arguments: [0, OwnerThread.defaultSpinsBeforeSleep])
    func waitTellsReadableFromTimeoutAndJobs(spins: Int) throws {
        let owner = OwnerThread(name: "test-wait", spinsBeforeSleep: spins)
        var fds: [Int32] = [0, 0]
        #expect(fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress!) } == 0)
        defer { close(fds[0]); close(fds[1]) }

        let quiet = owner.wait(readable: fds[0], timeoutMilliseconds: 30)
        #expect(quiet.timedOut)
        #expect(!owner.spin(untilReadable: fds[0]))

        var byte: UInt8 = 7
        #expect(write(fds[1], &byte, 1) == 1)
        // Checking before a blocking read finds the data unless there are no checks at all.
        #expect(owner.spin(untilReadable: fds[0]) == (spins > 0))
        let readable = owner.wait(readable: fds[0], timeoutMilliseconds: 5000)
        #expect(readable.readable && !readable.jobs)
        #expect(read(fds[0], &byte, 1) == 1)

        owner.submit {}
        let jobs = owner.wait(readable: fds[0], timeoutMilliseconds: 5000)
        #expect(jobs.jobs && !jobs.readable)
        #expect(owner.takeJobs().count == 1)

        // A job submitted from another thread while the caller waits ends the wait.
        let submitter = Thread { Thread.sleep(forTimeInterval: 0.05); owner.submit {} }
        submitter.start()
        let woken = owner.wait(readable: fds[0], timeoutMilliseconds: 10_000)
        #expect(woken.jobs)
        #expect(owner.takeJobs().count == 1)
    }
}
