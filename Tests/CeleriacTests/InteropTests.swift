import Celeriac
import DemoTasks
import Foundation
import Testing
import TestSupport

/// Swift and Python Celery 5.7 talking through the same RabbitMQ and Redis.
@Suite(.serialized) struct InteropTests {
    @Test func pythonClientGetsTheSwiftWorkersResult() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("interop-swift")
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        let output = try await PythonCelery.client(["send", "demo.add", queue, "[2, 3]"])
        #expect(output["state"] == "SUCCESS")
        #expect(output["result"] == 5)
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func swiftFailureReadsInPythonAsTheSameException() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("interop-fail")
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        let output = try await PythonCelery.client(["send", "demo.fail", queue, #"["credit bureau down"]"#])
        #expect(output["state"] == "FAILURE")
        #expect(output["exc_type"] == "ValueError")
        #expect(output["exc_message"] == "credit bureau down")
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func pythonWorkerRunsATaskSentFromSwift() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("interop-py")
        let python = try PythonCelery.startWorker(queues: [queue], name: queue)
        let result = try await harness.client.apply(DemoTasks.add, .init(x: 19, y: 23), options: SendOptions(queue: queue))
        let value = try await result.get(timeout: .seconds(60))
        #expect(value == 42, "python worker log:\n\(python.output)")
        let meta = try #require(try await result.meta())
        #expect(meta.worker?.hasPrefix(queue) == true)
        let failing = try await harness.client.apply(DemoTasks.fail, .init(message: "from python"), options: SendOptions(queue: queue))
        await #expect { try await failing.get(timeout: .seconds(60)) } throws: { error in
            let failed = error as? TaskFailedError
            return failed?.exception.type == "ValueError" && failed?.exception.message == "from python"
        }
        await python.stop()
        await harness.close()
    }

    /// Celeriac leaves out the optional headers at Celery's default (no null `eta`, `group`,
    /// `timelimit`, …): a Python worker must read each of them as that same default.
    @Test func pythonWorkerReadsLeftOutHeadersAsCeleryDefaults() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("interop-defaults")
        let python = try PythonCelery.startWorker(queues: [queue], name: queue)
        let sent = try await harness.client.apply(Signature(task: "demo.request_view", options: ["queue": .string(queue)]))
        let view = try await sent.result.get(timeout: .seconds(60))
        let expected: JSONValue = [
            "name": "demo.request_view", "retries": 0, "time_limit": .null, "soft_time_limit": .null,
            "eta": .null, "expires": .null, "group": .null, "group_index": .null, "parent_id": .null,
            "root_id": .string(sent.id), "shadow": .null, "stamps": [:], "stamped_headers": .null,
            "replaced_task_nesting": 0, "ignore_result": false, "id": .string(sent.id),
        ]
        #expect(view == expected, "python worker log:\n\(python.output)")
        await python.stop()
        await harness.close()
    }
}

/// Celery's own event receiver (what `celery events` and Flower use) reads Swift workers' events.
@Suite struct EventInteropTests {
    @Test func pythonEventReceiverSeesTaskAndWorkerEvents() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("events")
        let ready = FileManager.default.temporaryDirectory.appendingPathComponent("events-ready-\(queue)").path
        defer { try? FileManager.default.removeItem(atPath: ready) }
        async let captured = PythonCelery.client(["events", "10", ready])
        // Python imports Celery and binds its event queue (seconds on a loaded machine) before
        // it creates the file; events sent after that are not missed.
        try await eventually(90, "the Python event receiver binding its queue") { FileManager.default.fileExists(atPath: ready) }
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        let result = try await harness.client.apply(DemoTasks.add, .init(x: 4, y: 5), options: SendOptions(queue: queue))
        #expect(try await result.get(timeout: .seconds(20)) == 9)
        try await Task.sleep(for: .seconds(2.5))  // one heartbeat period
        let events = try await captured["events"]?.arrayValue ?? []
        let forTask = events.filter { $0["uuid"]?.stringValue == result.id }.compactMap { $0["type"]?.stringValue }
        #expect(forTask.contains("task-received"))
        #expect(forTask.contains("task-started"))
        #expect(forTask.contains("task-succeeded"))
        let fromWorker = events.filter { $0["hostname"]?.stringValue == worker.configuration.hostname }.compactMap { $0["type"]?.stringValue }
        #expect(fromWorker.contains("worker-online"))
        #expect(fromWorker.contains("worker-heartbeat"))
        #expect(events.first { $0["type"] == "task-received" && $0["uuid"]?.stringValue == result.id }?["name"] == "demo.add")
        await worker.shutdown()
        try await running.value
        await harness.close()
    }
}
