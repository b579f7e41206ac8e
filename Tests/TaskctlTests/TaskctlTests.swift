import Celeriac
import DemoTasks
import Foundation
import Logging
import Testing
import TestSupport

/// `taskctl` on results written by Swift workers and by Python Celery 5.7, real servers.
@Suite struct TaskctlTests {
    struct Stack {
        let broker: RabbitMQBroker
        let backend: RedisResultBackend
        let client: CeleriacClient

        static func connect() async throws -> Stack {
            let broker = try RabbitMQBroker(url: TestEnvironment.amqpURL, name: "taskctl-test")
            let backend = try RedisResultBackend(url: TestEnvironment.redisURL)
            try await broker.connect()
            try await backend.connect()
            return Stack(broker: broker, backend: backend, client: CeleriacClient(broker: broker, backend: backend))
        }

        func worker(queue: String) async -> (Worker, Task<Void, any Error>) {
            var registry = TaskRegistry()
            DemoTasks.register(in: &registry)
            let worker = Worker(registry: registry, broker: broker, backend: backend,
                                configuration: WorkerConfiguration(hostname: "taskctl-\(queue)@localhost", queues: [queue], concurrency: 4))
            return (worker, await worker.start())
        }

        func close() async {
            await broker.close()
            await backend.close()
        }
    }

    @Test func resultWaitListStatsAndForgetOnSwiftResults() async throws {
        let stack = try await Stack.connect()
        let queue = TestEnvironment.uniqueName("tc-swift")
        let (worker, running) = await stack.worker(queue: queue)
        let ok = try await stack.client.apply(DemoTasks.add, .init(x: 2, y: 3), options: SendOptions(queue: queue))
        let bad = try await stack.client.apply(DemoTasks.fail, .init(message: "bureau down"), options: SendOptions(queue: queue))
        #expect(try await ok.get(timeout: .seconds(20)) == 5)
        _ = try? await bad.get(timeout: .seconds(20))

        let waited = try Taskctl.run("wait", ok.id, "--timeout", "10", "--json")
        #expect(waited.status == 0 && waited.json["status"] == "SUCCESS" && waited.json["result"] == 5)

        let text = try Taskctl.run("result", ok.id)
        #expect(text.status == 0)
        for line in ["id:        \(ok.id)", "state:     SUCCESS", "name:      demo.add", "args:      [2,3]", "result:    5", "date done: "] {
            #expect(text.stdout.contains(line), "missing '\(line)' in:\n\(text.stdout)")
        }
        #expect(!text.stdout.contains("\u{1B}["), "no colours when stdout is not a terminal")

        let failed = try Taskctl.run("result", bad.id, "--json")
        #expect(failed.status == 1, "a failed task exits 1")
        #expect(failed.json["status"] == "FAILURE" && failed.json["result"]?["exc_type"] == "ValueError")
        #expect(try Taskctl.run("result", bad.id).stdout.contains("exception: ValueError: bureau down"))

        let listed = try Taskctl.run("list", "--name", "demo.fail", "--since", "1h", "--limit", "1000", "--json")
        #expect(listed.status == 0)
        let rows = listed.json.arrayValue ?? []
        #expect(rows.contains { $0["task_id"]?.stringValue == bad.id && $0["status"] == "FAILURE" })
        #expect(rows.allSatisfy { $0["name"] == "demo.fail" })
        let dates = rows.compactMap { $0["date_done"]?.stringValue }
        #expect(dates == dates.sorted(by: >), "newest first")
        let human = try Taskctl.run("list", "--state", "failure", "--limit", "1000")
        #expect(human.stdout.hasPrefix("TASK ID") && human.stdout.contains(bad.id) && !human.stdout.contains(ok.id))

        let stats = try Taskctl.run("stats", "--json")
        #expect(stats.status == 0)
        #expect((stats.json["by_name"]?["demo.fail"]?.intValue ?? 0) >= 1)
        #expect((stats.json["by_state"]?["SUCCESS"]?.intValue ?? 0) >= 1)
        #expect(try Taskctl.run("stats").stdout.contains("STATE"))

        #expect(try Taskctl.run("forget", ok.id).status == 0)
        let gone = try Taskctl.run("result", ok.id)
        #expect(gone.status == 1 && gone.stderr.contains("no result stored for task \(ok.id)"))
        await worker.shutdown()
        try await running.value
        await stack.close()
    }

    @Test func chordAndGroupProgress() async throws {
        let stack = try await Stack.connect()
        let queue = TestEnvironment.uniqueName("tc-chord")
        let (worker, running) = await stack.worker(queue: queue)
        let options: [String: JSONValue] = ["queue": .string(queue)]
        var chord = Signature.chord([Signature(task: "demo.add", args: [1, 1], options: options),
                                     Signature(task: "demo.sleep", args: [2], options: options)],
                                    body: Signature(task: "demo.echo", options: options))
        let groupID = TestEnvironment.uniqueName("tc-group")
        chord.options["group_id"] = .string(groupID)
        let applied = try await stack.client.apply(chord)
        // The add part is done; the sleep part is still running.
        try await Task.sleep(for: .milliseconds(800))
        let midway = try Taskctl.run("chord", groupID, "--json")
        #expect(midway.status == 0, "\(midway.stderr)")
        #expect(midway.json["expected"] == 2 && midway.json["done"] == 1 && midway.json["claimed"] == false)
        #expect(try Taskctl.run("chord", groupID).stdout.contains("1/2 parts done, callback not claimed"))

        _ = try await applied.result.get(timeout: .seconds(20))
        let group = try Taskctl.run("group", groupID, "--json")
        #expect(group.status == 0 && group.json["done"] == 2, "\(group.stdout)\(group.stderr)")
        let finished = try Taskctl.run("chord", groupID, "--json")
        #expect(finished.json["callback"]?["task_id"]?.stringValue == applied.id && finished.json["callback"]?["state"] == "SUCCESS")
        #expect(try Taskctl.run("chord", groupID).stdout.contains("callback \(applied.id): SUCCESS"))
        #expect(Set((group.json["parts"]?.arrayValue ?? []).compactMap { $0["state"]?.stringValue }) == ["SUCCESS"])
        #expect(try Taskctl.run("group", "no-such-group").status == 1)
        await worker.shutdown()
        try await running.value
        await stack.close()
    }

    @Test func queuesPurgeAndRevoke() async throws {
        let stack = try await Stack.connect()
        let queue = TestEnvironment.uniqueName("tc-queue")
        for i in 0..<3 { _ = try await stack.client.apply(DemoTasks.add, .init(x: i, y: i), options: SendOptions(queue: queue)) }
        let before = try Taskctl.run("queues", queue, "--json")
        #expect(before.status == 0 && before.json.arrayValue?.first?["messages"] == 3 && before.json.arrayValue?.first?["consumers"] == 0)
        #expect(before.json.arrayValue?.first?["dead_letters"] == 0)
        #expect(try Taskctl.run("queues", queue).stdout.contains("MESSAGES"))
        let refused = try Taskctl.run("purge", queue)
        #expect(refused.status == 2 && refused.stderr.contains("--yes"), "no confirmation without a terminal")
        let purged = try Taskctl.run("purge", queue, "--yes", "--json")
        #expect(purged.status == 0 && purged.json["purged"] == 3)
        #expect(try Taskctl.run("queues", queue, "--json").json.arrayValue?.first?["messages"] == 0)
        #expect(try Taskctl.run("queues", "no-such-queue-\(queue)", "--json").json.arrayValue?.first?["exists"] == false)

        // Revoke reaches the worker before the task's countdown ends.
        let (worker, running) = await stack.worker(queue: queue)
        let later = try await stack.client.apply(DemoTasks.add, .init(x: 1, y: 1), options: SendOptions(queue: queue, countdown: 3))
        let revoked = try Taskctl.run("revoke", later.id, "--json")
        #expect(revoked.status == 0 && revoked.json["revoked"] == true)
        let meta = try await stack.backend.waitForReady(later.id, timeout: .seconds(20))
        #expect(meta.status == .revoked)
        await worker.shutdown()
        try await running.value
        await stack.close()
    }

    @Test func resultsWrittenByPythonCelery() async throws {
        let queue = TestEnvironment.uniqueName("tc-python")
        let python = try PythonCelery.startWorker(queues: [queue], name: queue)
        let sent = try await PythonCelery.client(["send", "demo.add", queue, "[20, 22]"])
        let failed = try await PythonCelery.client(["send", "demo.fail", queue, #"["python says no"]"#])
        let id = try #require(sent["id"]?.stringValue), failedID = try #require(failed["id"]?.stringValue)
        let ok = try Taskctl.run("result", id, "--json")
        #expect(ok.status == 0 && ok.json["status"] == "SUCCESS" && ok.json["result"] == 42)
        let bad = try Taskctl.run("result", failedID)
        #expect(bad.status == 1 && bad.stdout.contains("ValueError") && bad.stdout.contains("traceback:"), "\(bad.stdout)")
        let listed = try Taskctl.run("list", "--limit", "100000", "--json")
        #expect((listed.json.arrayValue ?? []).contains { $0["task_id"]?.stringValue == id })
        await python.stop()
    }

    @Test func workersFromHeartbeatsAndLiveTaskEvents() async throws {
        let stack = try await Stack.connect()
        let queue = TestEnvironment.uniqueName("tc-events")
        let (worker, running) = await stack.worker(queue: queue)
        // Each listen lasts 3 s: off the cooperative pool, whose threads this process's worker
        // needs for its heartbeats (a blocked one delayed them past the window under load).
        let workers = try await Taskctl.runInBackground("workers", "--window", "3", "--json")
        let me = (workers.json.arrayValue ?? []).first { $0["hostname"]?.stringValue == "taskctl-\(queue)@localhost" }
        #expect(workers.status == 0 && me?["pid"]?.intValue == Int(getpid()), "\(workers.stdout)")
        #expect(try await Taskctl.runInBackground("workers", "--window", "3").stdout.contains("taskctl-\(queue)@localhost"))

        // A tail binds its queue some time after its process starts (longer on a loaded machine),
        // so tasks are sent every half second until the tails have seen what they need.
        async let tailRun = Taskctl.runInBackground("events", "--timeout", "15", "--json")
        async let humanRun = Taskctl.runInBackground("events", "--count", "1", "--timeout", "15")
        var sent: [String] = []
        for _ in 0..<20 {
            let result = try await stack.client.apply(DemoTasks.add, .init(x: 7, y: 8), options: SendOptions(queue: queue))
            #expect(try await result.get(timeout: .seconds(20)) == 15)
            sent.append(result.id)
            try await Task.sleep(for: .milliseconds(500))
        }
        let human = try await humanRun
        // Other tests' workers send events on the same exchange: the first line may be theirs.
        let columns = human.stdout.split(separator: " ", omittingEmptySubsequences: true)
        #expect(human.status == 0 && columns.count >= 3, "\(human.stdout)")
        #expect(["RECEIVED", "STARTED", "SUCCEEDED", "FAILED", "RETRIED", "REVOKED", "SENT", "REJECTED"].contains(String(columns.dropFirst().first ?? "")),
                "\(human.stdout)")
        let events = try await tailRun.stdout.split(separator: "\n").compactMap { try? JSONValue(parsing: Array($0.utf8)) }
        await worker.shutdown()
        try await running.value
        // Some task sent after the tail was listening shows both its events.
        let complete = sent.contains { id in
            let types = events.filter { $0["uuid"]?.stringValue == id }.compactMap { $0["type"]?.stringValue }
            return types.contains("task-received") && types.contains("task-succeeded")
        }
        #expect(complete, "events: \(events.prefix(20))")
        await stack.close()
    }

    @Test func errorsHaveTheDocumentedExitCodes() throws {
        let unreachable = try Taskctl.run("list", "--redis", "redis://127.0.0.1:1/0")
        #expect(unreachable.status == 3 && unreachable.stderr.contains("cannot connect to Redis"))
        let broker = try Taskctl.run("queues", "--broker", "amqp://u:secret@127.0.0.1:1/v")
        #expect(broker.status == 3 && !broker.stderr.contains("secret"), "passwords are not printed: \(broker.stderr)")
        #expect(try Taskctl.run("result", "not a task id").status == 2)
        #expect(try Taskctl.run("list", "--since", "yesterday").status == 2)
        #expect(try Taskctl.run("list", "--state", "DONE").status == 2)
        #expect(try Taskctl.run("nonsense").status == 2)
        #expect(try Taskctl.run("--help").status == 0)
    }
}
