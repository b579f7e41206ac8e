import ClientSupport
import Foundation
import Synchronization
import Testing

/// Tasks preferring an ``OwnerThreadExecutor`` run on the owner thread, however they are
/// resumed, and still finish after the owner's loop has ended.
@Suite struct OwnerThreadExecutorTests {
    @Test func preferringTasksRunOnTheOwnerThreadAndOutliveItsLoop() async throws {
        let owner = OwnerThread(name: "test-executor")
        let stop = Atomic<Bool>(false)
        owner.start {
            while !stop.load(ordering: .acquiring) {
                owner.runJobs()
                _ = owner.wait(timeoutMilliseconds: 5000)
            }
            for job in owner.closeQueue() { job() }
        }
        let executor = OwnerThreadExecutor(owner: owner)

        // Many tasks at once, resumed by a timer thread, by yields and by each other's children.
        let checks = try await withThrowingTaskGroup(of: [Bool].self) { group in
            for i in 0..<200 {
                group.addTask(executorPreference: executor) {
                    var seen = [owner.isCurrent]
                    try await Task.sleep(for: .milliseconds(i % 7))
                    seen.append(owner.isCurrent)
                    await Task.yield()
                    seen.append(owner.isCurrent)
                    seen.append(await withTaskGroup(of: Bool.self) { children in
                        children.addTask { owner.isCurrent }
                        return await children.next()!
                    })
                    return seen
                }
            }
            return try await group.reduce(into: [Bool]()) { $0 += $1 }
        }
        #expect(checks.count == 800)
        #expect(checks.allSatisfy { $0 })
        #expect(await Task { owner.isCurrent }.value == false, "a task without the preference stays on the pool")

        stop.store(true, ordering: .releasing)
        owner.wake()
        await owner.joined()
        // The loop is gone: a job for it goes to the global executor instead of being dropped.
        let finished = try await Task(executorPreference: executor) { () -> Bool in
            try await Task.sleep(for: .milliseconds(2))
            return true
        }.value
        #expect(finished)
    }
}
