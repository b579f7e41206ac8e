import Celeriac
import DemoTasks
import Foundation
import Synchronization
import Testing
import TestSupport

/// Worker semantics against the real RabbitMQ and Redis, with in-process workers.
@Suite struct WorkerIntegrationTests {
    @Test(arguments: [false, true])
    func runsTypedTasksAndStoresCeleryResults(onConsumerThread: Bool) async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("w-basic")
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue],
                                                    onConsumerThread: onConsumerThread)
        let result = try await harness.client.apply(DemoTasks.add, .init(x: 2, y: 3), options: SendOptions(queue: queue))
        #expect(try await result.get(timeout: .seconds(20)) == 5)
        let meta = try #require(try await result.meta())
        #expect(meta.status == .success)
        #expect(meta.name == "demo.add")
        #expect(meta.args == [2, 3])
        #expect(meta.queue == queue)
        #expect(meta.dateDone != nil)
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    /// A worker on several queues consumes all of them (one pump per queue into one stream;
    /// a single queue is read directly), and each result records the queue it came from.
    @Test func oneWorkerConsumesEveryQueueItIsGiven() async throws {
        let harness = try await CeleriacHarness.connect()
        let queues = [TestEnvironment.uniqueName("w-multi-a"), TestEnvironment.uniqueName("w-multi-b")]
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queues[0]), queues: queues)
        var results: [(queue: String, result: AsyncResult<Int>, expected: Int)] = []
        for index in 0..<6 {
            let queue = queues[index % 2]
            results.append((queue, try await harness.client.apply(DemoTasks.add, .init(x: index, y: 100),
                                                                  options: SendOptions(queue: queue)), index + 100))
        }
        for (queue, result, expected) in results {
            #expect(try await result.get(timeout: .seconds(20)) == expected)
            #expect(try await result.meta()?.queue == queue)
        }
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func failureIsStoredWithExceptionTypeAndMessage() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("w-fail")
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        let result = try await harness.client.apply(DemoTasks.fail, .init(message: "bureau timeout"), options: SendOptions(queue: queue))
        await #expect { try await result.get(timeout: .seconds(20)) } throws: { error in
            guard let failed = error as? TaskFailedError else { return false }
            return failed.state == .failure && failed.exception.type == "ValueError" && failed.exception.message == "bureau timeout"
        }
        #expect(try await result.meta()?.traceback?.contains("ValueError: bureau timeout") == true)
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    /// A shutdown requested before the worker consumes (SIGTERM while it starts) still ends
    /// run(): before, the consumers started afterwards and the worker never stopped.
    @Test func aShutdownBeforeConsumingStillEndsTheRun() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("w-early-stop")
        let worker = Worker(registry: CeleriacHarness.demoRegistry(queue: queue), broker: harness.broker, backend: harness.backend,
                            configuration: WorkerConfiguration(queues: [queue], drainTimeout: .seconds(120)))
        await worker.shutdown()
        let returned = Atomic<Bool>(false)
        let running = Task {
            try await worker.run()
            returned.store(true, ordering: .releasing)
        }
        try await eventually(20, "run() returned after an early shutdown") { returned.load(ordering: .acquiring) }
        try await running.value
        #expect(try await harness.broker.queueState(queue)?.consumers == 0)
        await harness.close()
    }

    @Test(arguments: [false, true])
    func retriesWithBackoffUntilTheThirdAttemptSucceeds(onConsumerThread: Bool) async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("w-retry")
        let attempts = Mutex<[Int]>([])
        let flaky = TaskHandle<NoArguments, String>("test.flaky", options: TaskOptions(
            queue: queue, retry: RetryPolicy(maxRetries: 5, initialDelay: 0.2, maximumDelay: 1, jitter: false)))
        let registry = CeleriacHarness.demoRegistry(queue: queue) { registry in
            registry.register(flaky) { _, context in
                attempts.withLock { $0.append(context.retries) }
                if context.retries < 2 { throw ExceptionInfo(type: "ConnectionError", message: "bureau unreachable") }
                return "ok on attempt \(context.retries + 1)"
            }
        }
        let (worker, running) = harness.startWorker(registry, queues: [queue], onConsumerThread: onConsumerThread)
        let result = try await harness.client.apply(flaky, NoArguments())
        #expect(try await result.get(timeout: .seconds(30)) == "ok on attempt 3")
        #expect(attempts.withLock { $0 } == [0, 1, 2])
        #expect(try await result.meta()?.retries == 2)
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func exhaustedRetriesEndInFailure() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("w-maxretry")
        let runs = Atomic<Int>(0)
        let hopeless = TaskHandle<NoArguments, String>("test.hopeless", options: TaskOptions(
            queue: queue, retry: RetryPolicy(maxRetries: 2, initialDelay: 0.1, maximumDelay: 0.2)))
        let registry = CeleriacHarness.demoRegistry(queue: queue) { registry in
            registry.register(hopeless) { _, _ in
                runs.add(1, ordering: .relaxed)
                throw ExceptionInfo(type: "ValueError", message: "always broken")
            }
        }
        let (worker, running) = harness.startWorker(registry, queues: [queue])
        let result = try await harness.client.apply(hopeless, NoArguments())
        await #expect { try await result.get(timeout: .seconds(30)) } throws: { error in
            (error as? TaskFailedError)?.exception.message == "always broken"
        }
        #expect(runs.load(ordering: .relaxed) == 3)
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func countdownWaitsInTheBrokerNotInTheWorker() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("w-countdown")
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        let sent = Date()
        let result = try await harness.client.apply(DemoTasks.add, .init(x: 20, y: 22), options: SendOptions(queue: queue, countdown: 2))
        try await Task.sleep(for: .milliseconds(700))
        // Meanwhile the worker holds nothing and the task queue is empty: the message is parked
        // in a delay queue. Judged only when all three were read before the countdown ran out:
        // on a loaded machine the sleep itself can overshoot the 2 s.
        let activity = worker.activity
        let queued = try await harness.broker.queueState(queue)?.messages
        let state = try await result.state()
        if Date().timeIntervalSince(sent) < 1.9 {
            #expect(activity == (active: 0, processed: 0))
            #expect(queued == 0)
            #expect(state == .pending)
        }
        #expect(try await result.get(timeout: .seconds(20)) == 42)
        let done = try #require(try await result.meta()?.dateDone)
        #expect(done.timeIntervalSince(sent) >= 2)
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func expiredTaskIsRevokedNotRun() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("w-expired")
        let result = try await harness.client.apply(DemoTasks.add, .init(x: 1, y: 1),
                                                    options: SendOptions(queue: queue, expires: Date().addingTimeInterval(-1)))
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        await #expect { try await result.get(timeout: .seconds(20)) } throws: { error in
            (error as? TaskFailedError)?.state == .revoked
        }
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func revokedTaskIsNotRun() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("w-revoke")
        let (worker, running) = await harness.startReadyWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        let result = try await harness.client.apply(DemoTasks.add, .init(x: 1, y: 2), options: SendOptions(queue: queue, countdown: 1))
        try await harness.client.revoke(result.id)
        await #expect { try await result.get(timeout: .seconds(20)) } throws: { error in
            (error as? TaskFailedError)?.state == .revoked
        }
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test(arguments: [false, true])
    func hardTimeLimitFailsTheTaskAndFreesTheSlot(onConsumerThread: Bool) async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("w-timelimit")
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue], concurrency: 1,
                                                    onConsumerThread: onConsumerThread)
        let slow = try await harness.client.apply(DemoTasks.sleep, .init(seconds: 30), options: SendOptions(queue: queue, timeLimit: 0.5))
        let quick = try await harness.client.apply(DemoTasks.add, .init(x: 3, y: 4), options: SendOptions(queue: queue))
        #expect(try await quick.get(timeout: .seconds(10)) == 7)
        await #expect { try await slow.get(timeout: .seconds(10)) } throws: { error in
            (error as? TaskFailedError)?.exception.type == "TimeLimitExceeded"
        }
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test(arguments: [false, true])
    func garbageAndUnknownTasksAreDeadLetteredWhileTheWorkerKeepsServing(onConsumerThread: Bool) async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("w-dead")
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue],
                                                    onConsumerThread: onConsumerThread)
        try await harness.broker.publishRaw(body: Array("this is not a task".utf8), headers: [:], to: queue)
        try await harness.broker.publishRaw(body: Array("[[1],{},null]".utf8), headers: ["task": "demo.add", "id": "x"], to: queue,
                                            contentType: "application/x-yaml")
        let unknown = try await harness.client.send("no.such.task", args: [1], options: SendOptions(queue: queue))
        await #expect { try await unknown.get(timeout: .seconds(20)) } throws: { error in
            let failed = error as? TaskFailedError
            return failed?.exception.type == "NotRegistered" && failed?.exception.message == "no.such.task"
        }
        let result = try await harness.client.apply(DemoTasks.add, .init(x: 5, y: 6), options: SendOptions(queue: queue))
        #expect(try await result.get(timeout: .seconds(20)) == 11)
        var dead = 0
        for _ in 0..<50 {
            dead = try await harness.broker.queueState("\(queue).dead")?.messages ?? 0
            if dead == 3 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(dead == 3)
        await worker.shutdown()
        try await running.value
        await harness.close()
    }
}
