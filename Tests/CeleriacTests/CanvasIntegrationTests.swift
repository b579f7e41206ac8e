import Celeriac
import DemoTasks
import Foundation
import Synchronization
import Testing
import TestSupport

/// Chains, groups and chords against the real servers, with Swift and Python workers.
@Suite struct CanvasIntegrationTests {
    static func add(_ args: [JSONValue], queue: String) -> Signature {
        Signature(task: "demo.add", args: args, options: ["queue": .string(queue)])
    }

    @Test func chainOfThreeAddsPassesEachResultOn() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("c-chain")
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        // ((1 + 2) + 3) + 4
        let applied = try await harness.client.apply(.chain([Self.add([1, 2], queue: queue), Self.add([3], queue: queue),
                                                             Self.add([4], queue: queue)]))
        #expect(try await applied.result.get(timeout: .seconds(20)) == 10)
        // The last step knows its parent and the workflow root.
        let last = try #require(try await applied.result.meta())
        #expect(last.parentID != nil)
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func chainAsChordBodyAndGroupInsideChain() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("c-nested")
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        let sum = Signature(task: "demo.sum", options: ["queue": .string(queue)])
        // chord([1+1, 2+2], chain(sum, add(100))) = (2 + 4) + 100
        let chordWithChainBody = try await harness.client.apply(
            .chord([Self.add([1, 1], queue: queue), Self.add([2, 2], queue: queue)],
                   body: .chain([sum, Self.add([100], queue: queue)])))
        #expect(try await chordWithChainBody.result.get(timeout: .seconds(20)) == 106)
        // chain(1+2, group(add(10), add(20)), sum): the group after a step becomes a chord,
        // each member receiving the previous result: (3+10) + (3+20) = 36
        let chainWithGroup = try await harness.client.apply(
            .chain([Self.add([1, 2], queue: queue), .group([Self.add([10], queue: queue), Self.add([20], queue: queue)]), sum]))
        #expect(try await chainWithGroup.result.get(timeout: .seconds(20)) == 36)
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func groupResultsComeBackInOrder() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("c-group")
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        let applied = try await harness.client.apply(.group((0..<10).map { Self.add([.int(Int64($0)), 100], queue: queue) }))
        let group = try #require(applied.group)
        #expect(try await group.get(timeout: .seconds(20)) == (0..<10).map { .int(Int64($0 + 100)) })
        #expect(try await group.states() == Array(repeating: .success, count: 10))
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    /// 1,000 chords `chord([add, add], sum)`: every sum right, every callback executed once.
    @Test(arguments: [false, true])
    func thousandChordsEachCallbackRunsExactlyOnce(onConsumerThread: Bool) async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("c-chords")
        let executions = Mutex<[String: Int]>([:])
        let countedSum = TaskHandle<DemoTasks.SumArguments, Int>("test.counted_sum", options: TaskOptions(queue: queue))
        let registry = CeleriacHarness.demoRegistry(queue: queue) { registry in
            registry.register(countedSum) { arguments, context in
                executions.withLock { $0[context.id, default: 0] += 1 }
                return arguments.values.reduce(0, +)
            }
        }
        let (worker, running) = harness.startWorker(registry, queues: [queue], concurrency: 16,
                                                    onConsumerThread: onConsumerThread)
        var expected: [(AsyncResult<JSONValue>, Int)] = []
        for i in 0..<1_000 {
            let body = Signature(task: countedSum.name, options: ["queue": .string(queue)])
            let applied = try await harness.client.apply(.chord([Self.add([.int(Int64(i)), 1], queue: queue),
                                                                 Self.add([.int(Int64(i)), 2], queue: queue)], body: body))
            expected.append((applied.result, 2 * i + 3))
        }
        for (result, sum) in expected { #expect(try await result.get(timeout: .seconds(120)) == .int(Int64(sum))) }
        let counts = executions.withLock { $0 }
        #expect(counts.count == 1_000)
        #expect(counts.values.allSatisfy { $0 == 1 })
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test(arguments: [false, true])
    func failingHeaderPartFailsTheBodyWithAChordErrorAndFiresTheErrback(onConsumerThread: Bool) async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("c-chorderr")
        let errbackCalls = Mutex<[JSONValue]>([])
        let registry = CeleriacHarness.demoRegistry(queue: queue) { registry in
            registry.register(name: "test.on_error", options: TaskOptions(queue: queue)) { args, _, _ in
                errbackCalls.withLock { $0.append(.array(args)) }
                return .null
            }
        }
        let (worker, running) = harness.startWorker(registry, queues: [queue], onConsumerThread: onConsumerThread)
        let failing = Signature(task: "demo.fail", args: ["property service down"], options: ["queue": .string(queue)])
        let body = Signature(task: "demo.sum", options: ["queue": .string(queue)])
            .linkedError(Signature(task: "test.on_error", args: ["loan-42"], options: ["queue": .string(queue)]))
        let applied = try await harness.client.apply(.chord([Self.add([1, 1], queue: queue), failing], body: body))
        await #expect { try await applied.result.get(timeout: .seconds(20)) } throws: { error in
            guard let failed = error as? TaskFailedError else { return false }
            return failed.exception.type == "ChordError" && failed.exception.module == "celery.exceptions"
                && failed.exception.message.contains("raised ValueError('property service down')")
        }
        for _ in 0..<100 where errbackCalls.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(50)) }
        // The errback received the failed body's id, then its own arguments.
        #expect(errbackCalls.withLock { $0 } == [[.string(applied.id), "loan-42"]])
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func chordBuiltInPythonRunsEntirelyOnSwiftWorkers() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("c-pychord")
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        let output = try await PythonCelery.client(["chord", queue, queue, "5"])
        #expect(output["state"] == "SUCCESS")
        #expect(output["result"] == .int(2 * (0 + 1 + 2 + 3 + 4)))
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func chordFromSwiftWithHeaderOnPythonAndBodyOnSwift() async throws {
        let harness = try await CeleriacHarness.connect()
        let swiftQueue = TestEnvironment.uniqueName("c-swiftbody")
        let pythonQueue = TestEnvironment.uniqueName("c-pyheader")
        let python = try PythonCelery.startWorker(queues: [pythonQueue], name: pythonQueue)
        let (worker, running) = harness.startWorker(CeleriacHarness.demoRegistry(queue: swiftQueue), queues: [swiftQueue])
        let body = Signature(task: "demo.sum", options: ["queue": .string(swiftQueue)])
        let applied = try await harness.client.apply(.chord((1...4).map { Self.add([.int(Int64($0)), 10], queue: pythonQueue) }, body: body))
        let value = try await applied.result.get(timeout: .seconds(60))
        #expect(value == .int(11 + 12 + 13 + 14), "python worker log:\n\(python.output)")
        let meta = try #require(try await applied.result.meta())
        #expect(meta.worker == worker.configuration.hostname)
        await python.stop()
        await worker.shutdown()
        try await running.value
        await harness.close()
    }
}
