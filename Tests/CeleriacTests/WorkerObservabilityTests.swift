import Celeriac
import DemoTasks
import Foundation
import Metrics
import MetricsTestKit
import Synchronization
import Testing
import TestSupport

/// Metrics and per-worker rate limits.
@Suite(.serialized) struct WorkerObservabilityTests {
    static let metrics: TestMetrics = {
        let metrics = TestMetrics()
        MetricsSystem.bootstrap(metrics)
        return metrics
    }()

    @Test func countsTasksByNameAndStateAndTimesThem() async throws {
        let metrics = Self.metrics
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("metrics")
        let name = "test.metrics.\(UUID().uuidString.prefix(6))"
        let registry = CeleriacHarness.demoRegistry(queue: queue) { registry in
            registry.register(name: name, options: TaskOptions(queue: queue)) { args, _, _ in
                if args.first == "fail" { throw ExceptionInfo(type: "ValueError", message: "asked to fail") }
                return "ok"
            }
        }
        let (worker, running) = harness.startWorker(registry, queues: [queue])
        for argument in ["a", "b", "fail"] {
            _ = try? await harness.client.send(name, args: [.string(argument)], options: SendOptions(queue: queue)).get(timeout: .seconds(20))
        }
        #expect(try metrics.expectCounter("celeriac_tasks_total", [("task", name), ("state", "SUCCESS")]).totalValue == 2)
        #expect(try metrics.expectCounter("celeriac_tasks_total", [("task", name), ("state", "FAILURE")]).totalValue == 1)
        #expect(try metrics.expectCounter("celeriac_tasks_received_total", [("task", name)]).totalValue == 3)
        #expect(try metrics.expectTimer("celeriac_task_duration_seconds", [("task", name)]).values.count == 3)

        // A task name nobody registered is dead-lettered and counted for its queue. Its FAILURE
        // is stored just before the count is taken, so the count may lag the result briefly.
        _ = try? await harness.client.send("test.metrics.unknown", options: SendOptions(queue: queue)).get(timeout: .seconds(20))
        let deadline = ContinuousClock.now + .seconds(5)
        while (try? metrics.expectCounter("celeriac_messages_dead_lettered_total", [("queue", queue)])) == nil,
              ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try metrics.expectCounter("celeriac_messages_dead_lettered_total", [("queue", queue)]).totalValue == 1)
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func rateLimitSpacesOutTaskStarts() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("ratelimit")
        let starts = Mutex<[ContinuousClock.Instant]>([])
        let limited = TaskHandle<NoArguments, Int>("test.limited", options: TaskOptions(queue: queue, rateLimit: 4))
        let registry = CeleriacHarness.demoRegistry(queue: queue) { registry in
            registry.register(limited) { _, _ in
                starts.withLock { $0.append(.now) }
                return 1
            }
        }
        let (worker, running) = harness.startWorker(registry, queues: [queue], concurrency: 8)
        var results: [AsyncResult<Int>] = []
        for _ in 0..<9 { results.append(try await harness.client.apply(limited, NoArguments())) }
        for result in results { _ = try await result.get(timeout: .seconds(30)) }
        let times = starts.withLock { $0 }.sorted()
        // 9 starts at 4 per second take about two seconds, though 8 could have run at once (then
        // the span would be milliseconds). The bound leaves room for one token saved up while the
        // first start was delayed on a loaded machine: 7 intervals of 250 ms, minus jitter.
        #expect(times.count == 9)
        #expect(times.last! - times.first! >= .milliseconds(1500))
        await worker.shutdown()
        try await running.value
        await harness.close()
    }
}
