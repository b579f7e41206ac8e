import Celeriac
import DemoTasks
import Foundation
import Redis
import Synchronization
import Testing
import TestSupport

/// Crash and shutdown behaviour of real worker processes.
@Suite(.serialized) struct WorkerProcessTests {
    func successCounter(_ harness: CeleriacHarness, ids: [String]) async throws -> (SuccessCounter, RedisSubscriber) {
        let subscriber = RedisSubscriber(configuration: try RedisConfiguration(url: TestEnvironment.redisURL))
        try await subscriber.connect()
        let subscription = try await subscriber.psubscribe([harness.backend.keys.taskPattern])
        return (SuccessCounter(subscription: subscription, keys: harness.backend.keys, ids: Set(ids)), subscriber)
    }

    /// The workers' extra environment: tasks on the cooperative pool, or on the consumer
    /// connection's thread (both tests below run both ways).
    func mode(onConsumerThread: Bool) -> [String: String] {
        onConsumerThread ? ["WORKER_CONSUMER_THREAD": "1"] : [:]
    }

    @Test(arguments: [false, true])
    func killedWorkersTasksAreFinishedByAnotherWorkerAndStoredOnce(onConsumerThread: Bool) async throws {
        let mode = mode(onConsumerThread: onConsumerThread)
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("p-kill")
        try await harness.broker.declareTaskQueue(queue)
        let ids = (0..<500).map { _ in UUID().uuidString.lowercased() }
        let (counter, subscriber) = try await successCounter(harness, ids: ids)
        for id in ids {
            _ = try await harness.client.apply(DemoTasks.sleep, .init(seconds: 0.2), options: SendOptions(taskID: id, queue: queue))
        }
        let first = try WorkerProcess(queues: [queue], concurrency: 50, prefetch: 500, name: "\(queue)-a", environment: mode)
        // Wait until it is mid-way: some results stored, most still in flight.
        for _ in 0..<200 where counter.snapshot.count < 60 { try await Task.sleep(for: .milliseconds(50)) }
        first.signal(SIGKILL)
        _ = await first.waitForExit(timeout: 10)
        let doneByFirst = counter.snapshot.count
        #expect(doneByFirst > 0 && doneByFirst < 500, "the kill should land mid-run (\(doneByFirst) done)")
        let second = try WorkerProcess(queues: [queue], concurrency: 50, prefetch: 100, name: "\(queue)-b", environment: mode)
        for _ in 0..<600 where counter.snapshot.count < 500 { try await Task.sleep(for: .milliseconds(100)) }
        await second.stop()
        let counts = counter.snapshot
        #expect(counts.count == 500, "second worker log:\n\(second.output)")
        #expect(counts.values.allSatisfy { $0 == 1 }, "a result was stored twice")
        for id in ids { #expect(try await harness.backend.result(for: id)?.status == .success) }
        await subscriber.close()
        await harness.close()
    }

    @Test(arguments: [false, true])
    func sigtermLetsInFlightTasksFinishAndLosesNothing(onConsumerThread: Bool) async throws {
        let mode = mode(onConsumerThread: onConsumerThread)
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("p-term")
        try await harness.broker.declareTaskQueue(queue)
        let ids = (0..<200).map { _ in UUID().uuidString.lowercased() }
        let (counter, subscriber) = try await successCounter(harness, ids: ids)
        for id in ids {
            _ = try await harness.client.apply(DemoTasks.sleep, .init(seconds: 0.3), options: SendOptions(taskID: id, queue: queue))
        }
        let first = try WorkerProcess(queues: [queue], concurrency: 20, prefetch: 40, name: "\(queue)-a", environment: mode)
        for _ in 0..<200 where counter.snapshot.count < 20 { try await Task.sleep(for: .milliseconds(50)) }
        first.signal(SIGTERM)
        let status = await first.waitForExit(timeout: 30)
        #expect(status == 0, "graceful shutdown should exit 0; log:\n\(first.output)")
        let doneByFirst = counter.snapshot.count
        #expect(doneByFirst < 200)
        let second = try WorkerProcess(queues: [queue], concurrency: 50, name: "\(queue)-b", environment: mode)
        for _ in 0..<300 where counter.snapshot.count < 200 { try await Task.sleep(for: .milliseconds(100)) }
        await second.stop()
        let counts = counter.snapshot
        #expect(counts.count == 200)
        #expect(counts.values.allSatisfy { $0 == 1 })
        // The first worker finished what it had started: nothing it ran was left half done.
        var byFirst = 0
        for id in ids where try await harness.backend.result(for: id)?.worker == first.hostname { byFirst += 1 }
        #expect(byFirst == doneByFirst)
        await subscriber.close()
        await harness.close()
    }
}

/// Counts SUCCESS announcements per task id on the result channels.
final class SuccessCounter: Sendable {
    let counts = Counts()
    let task: Task<Void, Never>

    final class Counts: Sendable {
        let values = Mutex<[String: Int]>([:])
        func add(_ id: String) { values.withLock { $0[id, default: 0] += 1 } }
    }

    /// Counts only `ids`: other tests run in parallel and announce their own results.
    init(subscription: RedisSubscription, keys: ResultKeys, ids: Set<String>) {
        let counts = self.counts
        task = Task {
            for await message in subscription {
                guard let id = keys.taskID(fromKey: message.channel), ids.contains(id),
                      let json = try? JSONValue(parsing: message.payload),
                      json["status"]?.stringValue == "SUCCESS" else { continue }
                counts.add(id)
            }
        }
    }

    var snapshot: [String: Int] { counts.values.withLock { $0 } }
}
