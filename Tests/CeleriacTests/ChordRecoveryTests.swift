import Celeriac
import DemoTasks
import Foundation
import Redis
import Synchronization
import Testing
import TestSupport

/// A worker dying at the two delicate moments of a chord, replayed exactly: after claiming the
/// callback dispatch (before publishing the body), and while running the body.
@Suite struct ChordRecoveryTests {
    /// True once `queue` holds no message and `worker` runs nothing (within 10 s).
    func queueDrains(_ harness: CeleriacHarness, _ queue: String, _ worker: Worker) async throws -> Bool {
        for _ in 0..<100 {
            if try await harness.broker.queueState(queue)?.messages == 0, worker.activity.active == 0 { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Part 1 of `chord([add, add], sum)` completed the chord and claimed the dispatch, then its
    /// worker died before publishing the body; the broker hands part 1's message to another
    /// worker. That copy must publish the body once the dead claim lapses, not acknowledge
    /// and leave the chord unfinished for good.
    @Test func aCopyOfThePartWhoseWorkerDiedAfterClaimingPublishesTheBody() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("c-claimant")
        try await harness.broker.declareTaskQueue(queue)
        let group = UUID().uuidString.lowercased()
        let partIDs = [UUID().uuidString.lowercased(), UUID().uuidString.lowercased()]
        try await harness.backend.setChordSize(groupID: group, size: 2)
        _ = try await harness.backend.chordPartReturned(groupID: group, member: ChordMember(taskID: partIDs[0], state: .success, result: 3),
                                                        groupIndex: 0, claimToken: "part-0")
        var stored = ResultMeta(taskID: partIDs[1], status: .success, result: 4, dateDone: Date())
        stored.groupID = group
        let dead = try await harness.backend.storeChordPart(stored, groupID: group,
                                                            member: ChordMember(taskID: partIDs[1], state: .success, result: 4),
                                                            groupIndex: 1, claimToken: "dead-worker")
        #expect(dead.claimed)

        var body = Signature(task: "demo.sum", options: ["queue": .string(queue)])
        body.taskID = UUID().uuidString.lowercased()
        var part = TaskMessage(id: partIDs[1], task: "demo.add", args: [2, 2])
        part.group = group
        part.groupIndex = 1
        part.chord = body
        try await harness.broker.publish(part, to: queue, delay: nil)
        let (worker, running) = await harness.startReadyWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])

        let started = ContinuousClock.now
        let result = try await harness.backend.waitForReady(try #require(body.taskID), timeout: .seconds(30))
        #expect(result.status == .success)
        #expect(result.result == 7)
        // Published only after the dead claim lapsed, and the chord is marked done.
        #expect(ContinuousClock.now - started < harness.backend.chordClaimLifetime + .seconds(10))
        // The chord is marked done right after the body is published, so the body, run by
        // another lane of the same worker, can store its result first.
        let redis = harness.backend.redis
        try await eventually(10, "the chord marked done") {
            try await redis.send("GET", RedisArgument("celery-taskset-meta-\(group).c")).string == "done"
        }
        #expect(try await queueDrains(harness, queue, worker))
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    /// The dispatch claim as each token sees it: held, someone else's, taken over after it
    /// lapsed, finished.
    @Test func dispatchClaimIsHeldTakenOverWhenLapsedAndFinished() async throws {
        let harness = try await CeleriacHarness.connect()
        let backend = harness.backend
        let group = UUID().uuidString.lowercased()
        try await backend.setChordSize(groupID: group, size: 1)
        let status = try await backend.chordPartReturned(groupID: group, member: ChordMember(taskID: "t0", state: .success, result: 1),
                                                         groupIndex: 0, claimToken: "first")
        #expect(status.claimed)
        // Checked within the claim's first 6 s; then the holder shortens it to 1 s and lets it lapse.
        #expect(try await backend.holdChordClaim(groupID: group, token: "second", seconds: 30) == .heldByAnother)
        #expect(try await backend.holdChordClaim(groupID: group, token: "first", seconds: 1) == .held)
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(try await backend.holdChordClaim(groupID: group, token: "second", seconds: 30) == .held)
        #expect(try await backend.holdChordClaim(groupID: group, token: "first", seconds: 30) == .heldByAnother)
        #expect(try await backend.cleanUpChord(groupID: group, token: "second"))
        #expect(try await backend.holdChordClaim(groupID: group, token: "first", seconds: 30) == .finished)
        // A chord whose data expired (or never existed) is finished too, not claimable.
        #expect(try await backend.holdChordClaim(groupID: UUID().uuidString, token: "x", seconds: 30) == .finished)
        await harness.close()
    }

    /// A chord body running longer than its lease keeps it (renewed while it runs), so a second
    /// copy waits and is then acknowledged without running; a lease left by a dead worker
    /// lapses and the body runs.
    @Test func runLeaseIsRenewedWhileTheBodyRunsAndLapsesWhenItsHolderIsGone() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("c-lease")
        try await harness.broker.declareTaskQueue(queue)
        let executions = Mutex<[String: Int]>([:])
        let registry = CeleriacHarness.demoRegistry(queue: queue) { registry in
            registry.register(name: "test.slow_body", options: TaskOptions(queue: queue)) { args, _, context in
                executions.withLock { $0[context.id, default: 0] += 1 }
                try await Task.sleep(for: .seconds(args.first?.doubleValue ?? 0))
                return "done"
            }
        }
        let (worker, running) = harness.startWorker(registry, queues: [queue], concurrency: 2, runLeaseLifetime: .seconds(3))
        await worker.waitUntilReady()
        func body(_ id: String, seconds: Double) -> TaskMessage {
            // A chord body: a group id, no index, no chord of its own.
            var message = TaskMessage(id: id, task: "test.slow_body", args: [.double(seconds)])
            message.group = UUID().uuidString.lowercased()
            return message
        }

        // Two copies of a body that runs 7 s, more than twice its 3 s lease (renewed every second).
        let slow = UUID().uuidString.lowercased()
        try await harness.broker.publish(body(slow, seconds: 7), to: queue, delay: nil)
        try await Task.sleep(for: .milliseconds(300))
        try await harness.broker.publish(body(slow, seconds: 7), to: queue, delay: nil)
        #expect(try await harness.backend.waitForReady(slow, timeout: .seconds(30)).result == "done")
        // The copy comes back every 2 s: it finds the result and is acknowledged without running.
        try await Task.sleep(for: .seconds(2.5))
        #expect(try await queueDrains(harness, queue, worker))
        #expect(executions.withLock { $0[slow] } == 1)
        #expect(try await harness.backend.redis.send("EXISTS", RedisArgument("celeriac-run-lease-\(slow)")).int == 0)

        // A lease left by a worker that died: the body runs once it lapses.
        let orphan = UUID().uuidString.lowercased()
        #expect(try await harness.backend.acquireRunLease(taskID: orphan, owner: "dead-worker", seconds: 2))
        try await harness.broker.publish(body(orphan, seconds: 0), to: queue, delay: nil)
        #expect(try await harness.backend.waitForReady(orphan, timeout: .seconds(20)).result == "done")
        #expect(executions.withLock { $0[orphan] } == 1)

        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func runLeaseRenewsOnlyForItsOwner() async throws {
        let harness = try await CeleriacHarness.connect()
        let backend = harness.backend
        let id = UUID().uuidString
        let key = RedisArgument("celeriac-run-lease-\(id)")
        #expect(try await backend.acquireRunLease(taskID: id, owner: "w1", seconds: 10))
        #expect(try await !backend.renewRunLease(taskID: id, owner: "w2", seconds: 300))
        #expect(try await backend.redis.send("TTL", key).int ?? 0 <= 10)
        #expect(try await backend.renewRunLease(taskID: id, owner: "w1", seconds: 300))
        #expect(try await backend.redis.send("TTL", key).int ?? 0 > 10)
        #expect(try await !backend.acquireRunLease(taskID: id, owner: "w2", seconds: 30))
        try await backend.releaseRunLease(taskID: id, owner: "w1")
        #expect(try await !backend.renewRunLease(taskID: id, owner: "w1", seconds: 30))
        await harness.close()
    }
}
