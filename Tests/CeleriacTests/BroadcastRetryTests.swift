import AMQP
@testable import Celeriac
import Synchronization
import Testing

/// A control broadcast that RabbitMQ nacks (a worker's exclusive control queue ended under it)
/// is sent again; other failures are not.
@Suite struct BroadcastRetryTests {
    @Test func aNackedBroadcastIsSentAgainUntilItIsConfirmed() async throws {
        let calls = Atomic<Int>(0)
        try await RabbitMQBroker.againWhileNacked(pause: .milliseconds(1)) {
            if calls.add(1, ordering: .relaxed).newValue < 3 { throw AMQPError.nacked }
        }
        #expect(calls.load(ordering: .relaxed) == 3)
    }

    @Test func aBroadcastNackedEveryTimeFailsAfterTheLastAttempt() async throws {
        let calls = Atomic<Int>(0)
        await #expect(throws: AMQPError.nacked) {
            try await RabbitMQBroker.againWhileNacked(attempts: 4, pause: .milliseconds(1)) {
                calls.add(1, ordering: .relaxed)
                throw AMQPError.nacked
            }
        }
        #expect(calls.load(ordering: .relaxed) == 4)
    }

    @Test func otherFailuresAreNotRetried() async throws {
        let calls = Atomic<Int>(0)
        await #expect(throws: AMQPError.closed) {
            try await RabbitMQBroker.againWhileNacked(pause: .milliseconds(1)) {
                calls.add(1, ordering: .relaxed)
                throw AMQPError.closed
            }
        }
        #expect(calls.load(ordering: .relaxed) == 1)
    }
}
