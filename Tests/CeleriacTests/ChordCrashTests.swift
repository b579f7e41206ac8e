import AMQP
import Celeriac
import Foundation
import Synchronization
import Testing
import TestSupport

/// Chords while worker processes are killed with SIGKILL again and again.
@Suite(.serialized) struct ChordCrashTests {
    /// Counts `task-succeeded` events (one per finished execution) for a set of task ids.
    final class ExecutionCounter: Sendable {
        let counts = SuccessCounter.Counts()
        let connection: AMQPConnection

        init(ids: Set<String>) async throws {
            connection = AMQPConnection(configuration: try AMQPConfiguration(url: TestEnvironment.amqpURL))
            try await connection.connect()
            let queue = TestEnvironment.uniqueName("events")
            try await connection.declare(QueueDeclaration(name: queue, durable: false, exclusive: true, autoDelete: true))
            try await connection.bind(QueueBinding(queue: queue, exchange: "celeryev", routingKey: "task.succeeded"))
            let consumer = try await connection.consume(queue: queue, prefetch: 500)
            let counts = self.counts
            let connection = self.connection
            Task {
                for try await delivery in consumer {
                    try? await connection.ack(delivery)
                    if let event = try? JSONValue(parsing: delivery.body), let id = event["uuid"]?.stringValue, ids.contains(id) {
                        counts.add(id)
                    }
                }
            }
        }
    }

    @Test func chordsCompleteAndNoCallbackFinishesTwiceWhileWorkersAreKilled() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("crash-chords")
        try await harness.broker.declareTaskQueue(queue)
        let bodyIDs = (0..<500).map { _ in UUID().uuidString.lowercased() }
        let executions = try await ExecutionCounter(ids: Set(bodyIDs))
        var workers = [try WorkerProcess(queues: [queue], concurrency: 4, prefetch: 8, name: "\(queue)-0"),
                       try WorkerProcess(queues: [queue], concurrency: 4, prefetch: 8, name: "\(queue)-1")]
        for (index, bodyID) in bodyIDs.enumerated() {
            var body = Signature(task: "demo.sum", options: ["queue": .string(queue)])
            body.taskID = bodyID
            let header = [Signature(task: "demo.add", args: [.int(Int64(index)), 1], options: ["queue": .string(queue)]),
                          Signature(task: "demo.add", args: [.int(Int64(index)), 2], options: ["queue": .string(queue)])]
            _ = try await harness.client.apply(.chord(header, body: body))
        }
        // Kill a worker every 400 ms and start a fresh one, six times.
        for round in 0..<6 {
            try await Task.sleep(for: .milliseconds(400))
            let victim = round % workers.count
            workers[victim].signal(SIGKILL)
            _ = await workers[victim].waitForExit(timeout: 5)
            workers[victim] = try WorkerProcess(queues: [queue], concurrency: 4, prefetch: 8, name: "\(queue)-r\(round)")
        }
        for (index, bodyID) in bodyIDs.enumerated() {
            let meta = try await harness.backend.waitForReady(bodyID, timeout: .seconds(120))
            #expect(meta.status == .success)
            #expect(meta.result == .int(Int64(2 * index + 3)))
        }
        try await Task.sleep(for: .milliseconds(500))  // let the last events arrive
        let counts = executions.counts.values.withLock { $0 }
        // An execution killed after storing its result but before its event is not counted, so a
        // few may be missing; none may appear twice.
        #expect(counts.count > 450, "only \(counts.count) callback executions observed")
        #expect(counts.values.allSatisfy { $0 == 1 }, "callbacks finished more than once: \(counts.filter { $0.value > 1 })")
        for worker in workers { await worker.stop() }
        await executions.connection.close()
        await harness.close()
    }
}
