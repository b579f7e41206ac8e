import Celeriac
import DemoTasks
import Foundation
import Testing
import TestSupport

/// Worker behaviour across server restarts. Restarts the test stack's servers, so these run on
/// their own (scripts/test.sh runs the `Disruptive` suites last).
@Suite(.serialized) struct DisruptiveWorkerTests {
    func sendAdds(_ client: CeleriacClient, queue: String, range: Range<Int>) async throws -> [(Int, AsyncResult<Int>)] {
        var sent: [(Int, AsyncResult<Int>)] = []
        for i in range {
            sent.append((i, try await client.apply(DemoTasks.add, .init(x: i, y: 1), options: SendOptions(queue: queue))))
        }
        return sent
    }

    /// A worker keeps consuming after the broker restarts (Celery #8030, #10302): nothing sent
    /// before or after the restart is lost.
    @Test(arguments: [false, true])
    func workerResumesConsumingAfterARabbitMQRestart(onConsumerThread: Bool) async throws {
        let harness = try await CeleriacHarness.connect(name: "restart-rabbit")
        let queue = TestEnvironment.uniqueName("d-rabbit")
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue],
                                                    onConsumerThread: onConsumerThread)
        let before = try await sendAdds(harness.client, queue: queue, range: 0..<50)
        for (i, result) in before { #expect(try await result.get(timeout: .seconds(30)) == i + 1) }

        try TestStack.restart(.rabbitmq)

        // Publishing waits for the reconnect; the same worker picks the new tasks up.
        let after = try await sendAdds(harness.client, queue: queue, range: 50..<100)
        for (i, result) in after { #expect(try await result.get(timeout: .seconds(60)) == i + 1) }
        // The counter moves after the result is stored: read it once the worker has drained.
        await worker.shutdown()
        try await running.value
        #expect(worker.activity.processed >= 100)
        await harness.close()
    }

    /// Results written while Redis is down are retried until it is back: no task is lost.
    @Test(arguments: [false, true])
    func noTaskIsLostAcrossARedisRestart(onConsumerThread: Bool) async throws {
        let harness = try await CeleriacHarness.connect(name: "restart-redis")
        let queue = TestEnvironment.uniqueName("d-redis")
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue], concurrency: 4,
                                                    onConsumerThread: onConsumerThread)
        var sent: [(Int, String)] = []
        for i in 0..<200 {
            let result = try await harness.client.apply(DemoTasks.sleep, .init(seconds: 0.01 * Double(i % 5)),
                                                        options: SendOptions(queue: queue))
            sent.append((i, result.id))
        }
        try await Task.sleep(for: .milliseconds(300))
        try TestStack.restart(.redis)
        for (_, id) in sent {
            let meta = try await harness.backend.waitForReady(id, timeout: .seconds(90))
            #expect(meta.status == .success)
        }
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    /// A result that cannot be stored within the settle budget (Redis down for longer) does not
    /// get its message acknowledged anyway: the message goes back to the broker and the task
    /// runs again once Redis is back.
    @Test func aTaskWhoseResultCannotBeStoredInTimeRunsAgainInsteadOfBeingAcknowledged() async throws {
        let harness = try await CeleriacHarness.connect(name: "redis-down")
        let queue = TestEnvironment.uniqueName("d-handback")
        let worker = Worker(registry: CeleriacHarness.demoRegistry(queue: queue), broker: harness.broker, backend: harness.backend,
                            configuration: WorkerConfiguration(hostname: "handback@localhost", queues: [queue], sendEvents: false),
                            settleBudget: .seconds(1))
        let running = Task { try await worker.run() }
        await worker.waitUntilReady()

        try TestStack.stop(.redis)
        var restarted = false
        defer { if !restarted { try? TestStack.start(.redis) } }
        let result = try await harness.client.apply(DemoTasks.add, .init(x: 2, y: 3), options: SendOptions(queue: queue))
        // Long enough for the first run to give up on storing (1 s budget) at least once.
        try await Task.sleep(for: .seconds(3))
        try TestStack.start(.redis)
        restarted = true

        #expect(try await result.get(timeout: .seconds(60)) == 5)
        await worker.shutdown()
        try await running.value
        // Ran more than once: each run before Redis came back handed the message back.
        #expect(worker.activity.processed >= 2)
        await harness.close()
    }
}
