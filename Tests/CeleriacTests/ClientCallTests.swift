import AMQP
import Celeriac
import DemoTasks
import Foundation
import Testing
import TestSupport

/// `CeleriacClient.call`: send and wait for the value, the result awaited beside the publish
/// confirm, against the real RabbitMQ and Redis.
@Suite struct ClientCallTests {
    @Test func returnsTheValueTheWorkerStored() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("call-ok")
        let (worker, running) = await harness.startReadyWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        for x in 0..<20 {
            #expect(try await harness.client.call(DemoTasks.add, .init(x: x, y: 7), options: SendOptions(queue: queue)) == x + 7)
        }
        // The broker confirmed every message, and every one was consumed and acknowledged.
        #expect(try await harness.broker.queueState(queue)?.messages == 0)
        await worker.shutdown()
        try await running.value
        #expect(worker.activity.processed == 20)
        await harness.close()
    }

    @Test func throwsTheTasksFailure() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("call-fail")
        let (worker, running) = await harness.startReadyWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        await #expect {
            try await harness.client.call(DemoTasks.fail, .init(message: "bureau down"), options: SendOptions(queue: queue))
        } throws: { error in
            guard let failed = error as? TaskFailedError else { return false }
            return failed.state == .failure && failed.exception.type == "ValueError" && failed.exception.message == "bureau down"
        }
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    /// A task whose result is ignored has nothing to wait for: refused before anything is sent.
    @Test func refusesATaskThatIgnoresItsResult() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("call-ignored")
        await #expect(throws: CallError.self) {
            try await harness.client.call(DemoTasks.add, .init(x: 1, y: 1), options: SendOptions(queue: queue, ignoreResult: true))
        }
        #expect(try await harness.broker.queueState(queue) == nil, "nothing was declared or sent")
        await harness.close()
    }

    /// A publish the broker refuses ends the call with the broker's error at once, not with a
    /// result timeout.
    @Test func endsWithTheBrokersErrorWhenThePublishIsRefused() async throws {
        let harness = try await CeleriacHarness.connect()
        // Queue names starting with "amq." are reserved: RabbitMQ refuses to declare them.
        let queue = "amq.\(TestEnvironment.uniqueName("call-refused"))"
        await #expect {
            try await harness.client.call(DemoTasks.add, .init(x: 1, y: 1), options: SendOptions(queue: queue),
                                          timeout: .seconds(120))
        } throws: { error in
            error is AMQPError
        }
        // The connection is still usable afterwards.
        let ok = TestEnvironment.uniqueName("call-after-refusal")
        let (worker, running) = await harness.startReadyWorker(CeleriacHarness.demoRegistry(queue: ok), queues: [ok])
        #expect(try await harness.client.call(DemoTasks.add, .init(x: 2, y: 2), options: SendOptions(queue: ok)) == 4)
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    /// Cancelling the caller ends the wait; the message was sent and stays queued for a worker.
    @Test func cancellingTheCallerEndsTheWaitAndKeepsTheMessage() async throws {
        let harness = try await CeleriacHarness.connect()
        let queue = TestEnvironment.uniqueName("call-cancel")
        let client = harness.client
        let id = UUID().uuidString.lowercased()
        let call = Task {
            try await client.call(DemoTasks.add, .init(x: 1, y: 2), options: SendOptions(taskID: id, queue: queue),
                                  timeout: .seconds(120))
        }
        // No worker consumes the queue: wait until the message is there, then cancel.
        var queued = 0
        for _ in 0..<200 where queued == 0 {
            queued = try await harness.broker.queueState(queue)?.messages ?? 0
            if queued == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(queued == 1)
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(try await harness.broker.queueState(queue)?.messages == 1)
        // A worker started now runs it and stores the result.
        let (worker, running) = await harness.startReadyWorker(CeleriacHarness.demoRegistry(queue: queue), queues: [queue])
        #expect(try await AsyncResult<Int>(id: id, backend: harness.backend).get(timeout: .seconds(20)) == 3)
        await worker.shutdown()
        try await running.value
        await harness.close()
    }
}
