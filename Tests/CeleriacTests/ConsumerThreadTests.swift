import Celeriac
import Foundation
import Testing
import TestSupport

/// Where a worker runs its tasks (`WorkerConfiguration.runsOnConsumerThread`), against the real
/// RabbitMQ and Redis. The worker semantics in both modes are covered by the parameterised
/// worker, canvas, process and disruptive tests.
@Suite struct ConsumerThreadTests {
    /// The task body reports its thread before and after a suspension that another thread
    /// resumes (a timer), and after a read through Redis's owner thread.
    @Test(arguments: [false, true])
    func tasksRunOnTheConsumerConnectionsThreadOnlyWhenConfigured(onConsumerThread: Bool) async throws {
        let harness = try await CeleriacHarness.connect(name: "thread")
        let queue = TestEnvironment.uniqueName("w-thread")
        let threads = TaskHandle<NoArguments, [Int]>("test.threads", options: TaskOptions(queue: queue))
        let backend = harness.backend
        let registry = CeleriacHarness.demoRegistry(queue: queue) { registry in
            registry.register(threads) { _, context in
                var ids = [currentThreadID()]
                try await Task.sleep(for: .milliseconds(5))
                ids.append(currentThreadID())
                _ = try await backend.result(for: context.id)
                ids.append(currentThreadID())
                return ids
            }
        }
        let (worker, running) = harness.startWorker(registry, queues: [queue], onConsumerThread: onConsumerThread)
        // The worker consumes through the harness's broker: its consumer connection's thread.
        let consumer = try #require(harness.broker.consumerExecutor)
        let (consumerThread, consumerName) = await Task(executorPreference: consumer) {
            (currentThreadID(), currentThreadName())
        }.value
        #expect(consumerName.hasPrefix("amqp-"), "owner threads carry their connection's name: \(consumerName)")

        let ids = try await harness.client.apply(threads, NoArguments()).get(timeout: .seconds(20))
        #expect(ids.count == 3)
        #expect(ids.allSatisfy { $0 == consumerThread } == onConsumerThread, "\(ids) against \(consumerThread)")
        #expect(ids.allSatisfy { $0 != consumerThread } == !onConsumerThread, "\(ids) against \(consumerThread)")

        // A task with a time limit runs apart, in its own unstructured task on the pool, so the
        // limit holds even for a body that blocks.
        let limited = try await harness.client.apply(threads, NoArguments(), options: SendOptions(timeLimit: 10))
            .get(timeout: .seconds(20))
        #expect(limited.count == 3 && limited.allSatisfy { $0 != consumerThread }, "\(limited)")
        await worker.shutdown()
        try await running.value
        await harness.close()
    }
}
