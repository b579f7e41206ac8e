import AMQP
import Celeriac
import DemoTasks
import Foundation
import Testing
import TestSupport

/// Many messages with one call — `CeleriacClient.publish(_:)` with publications and
/// `apply(_:)` with several workflows — against the real RabbitMQ and Redis.
@Suite struct ClientBatchTests {
    static func add(_ args: [JSONValue], queue: String) -> Signature {
        Signature(task: "demo.add", args: args, options: ["queue": .string(queue)])
    }

    @Test func aBatchReachesEveryQueueItNamesAndAnETAInItStillHolds() async throws {
        let harness = try await CeleriacHarness.connect()
        let first = TestEnvironment.uniqueName("batch-a"), second = TestEnvironment.uniqueName("batch-b")
        var batch = try (0..<100).map { x in
            try harness.client.publication(DemoTasks.add, .init(x: x, y: 1),
                                           options: SendOptions(queue: x % 2 == 0 ? first : second))
        }
        let eta = Date().addingTimeInterval(3)
        let late = try harness.client.publication(DemoTasks.add, .init(x: 1000, y: 1), options: SendOptions(queue: first, eta: eta))
        #expect(late.delay != nil, "an ETA 3 s ahead waits in the broker")
        batch.insert(late, at: 50)
        try await harness.client.publish(batch)

        // Returned once confirmed: every immediate message is queued. The delayed one waits in
        // the broker (unless this machine took longer than its delay to get here).
        let inFirst = try await harness.broker.queueState(first)?.messages
        let inSecond = try await harness.broker.queueState(second)?.messages
        #expect(inSecond == 50)
        #expect(inFirst == 50 || (inFirst == 51 && Date() >= eta.addingTimeInterval(-0.5)), "\(String(describing: inFirst)) queued")

        let registry = CeleriacHarness.demoRegistry(queue: first)
        let (worker, running) = await harness.startReadyWorker(registry, queues: [first, second])
        for (index, publication) in batch.enumerated() where index != 50 {
            let result = harness.client.result(publication.message.id, as: Int.self)
            let x = try #require(publication.message.args.first?.intValue)
            #expect(try await result.get(timeout: .seconds(20)) == x + 1)
        }
        let lateResult = harness.client.result(late.message.id, as: Int.self)
        #expect(try await lateResult.get(timeout: .seconds(20)) == 1001)
        let done = try #require(try await lateResult.meta()?.dateDone)
        #expect(done >= eta.addingTimeInterval(-0.01), "ran at \(done), ETA \(eta)")
        await worker.shutdown()
        try await running.value
        #expect(worker.activity.processed == 101)
        await harness.close()
    }

    /// A batch naming a queue the broker refuses fails with the broker's error, and the
    /// client can publish afterwards.
    @Test func aRefusedBatchFailsWithTheBrokersErrorAndTheClientStaysUsable() async throws {
        let harness = try await CeleriacHarness.connect()
        let ok = TestEnvironment.uniqueName("batch-ok")
        // Queue names starting with "amq." are reserved: RabbitMQ refuses to declare them.
        let refused = "amq.\(TestEnvironment.uniqueName("batch-refused"))"
        let batch = try [ok, refused].map { queue in
            try harness.client.publication(DemoTasks.add, .init(x: 1, y: 1), options: SendOptions(queue: queue))
        }
        await #expect(throws: AMQPError.self) { try await harness.client.publish(batch) }
        try await harness.client.publish([try harness.client.publication(DemoTasks.add, .init(x: 2, y: 2),
                                                                         options: SendOptions(queue: ok))])
        #expect(try await harness.broker.queueState(ok)?.messages ?? 0 >= 1)
        await harness.close()
    }

    /// Several workflows in one call: each gets its own result, in the order given.
    @Test func severalWorkflowsStartWithOneCall() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("batch-canvas")
        let (worker, running) = await harness.startReadyWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        let sum = Signature(task: "demo.sum", options: ["queue": .string(queue)])
        let chords = (0..<20).map { n in
            Signature.chord([Self.add([.int(Int64(n)), 1], queue: queue), Self.add([.int(Int64(n)), 2], queue: queue)], body: sum)
        }
        let group = Signature.group([Self.add([5, 5], queue: queue), Self.add([6, 6], queue: queue)])
        let chain = Signature.chain([Self.add([1, 1], queue: queue), Self.add([10], queue: queue)])
        let applied = try await harness.client.apply(chords + [group, Self.add([7, 7], queue: queue), chain])
        #expect(applied.count == 23)
        for n in 0..<20 {
            // (n + 1) + (n + 2)
            #expect(try await applied[n].result.get(timeout: .seconds(20)) == .int(Int64(2 * n + 3)))
        }
        let groupResult = try #require(applied[20].group)
        #expect(try await groupResult.get(timeout: .seconds(20)) == [10, 12])
        #expect(try await applied[21].result.get(timeout: .seconds(20)) == 14)
        #expect(try await applied[22].result.get(timeout: .seconds(20)) == 12)
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func aPublicationWaitsInTheBrokerOnlyUntilAnETAMoreThanFiveMillisecondsAhead() async throws {
        let message = TaskMessage(id: "t", task: "demo.add")
        #expect(Publication(message, to: "q").delay == nil)
        var past = message
        past.eta = Date().addingTimeInterval(-10)
        #expect(Publication(past, to: "q").delay == nil)
        var future = message
        future.eta = Date().addingTimeInterval(30)
        let publication = Publication(future, to: "q")
        let delay = try #require(publication.delay)
        #expect(delay > .seconds(29) && delay <= .seconds(30))
        // Built early, published later: the wait is reckoned when published, up to the ETA.
        try await Task.sleep(for: .milliseconds(200))
        let later = try #require(publication.delay)
        #expect(later <= delay - .milliseconds(150))
    }
}
