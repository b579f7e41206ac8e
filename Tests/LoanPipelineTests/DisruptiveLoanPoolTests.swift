import Celeriac
import Foundation
import LoanDomain
import LoanStore
import LoanTasks
import Testing
import TestSupport

/// The three pools as separate `loan-worker` processes, two per pool, as operators run them.
/// ("Disruptive": run alone, after the parallel tests, because they kill processes and load the machine.)
@Suite(.serialized) struct DisruptiveLoanPoolTests {
    static let loans = 300

    /// Starts `replicas` processes for each pool of `harness`'s queues.
    func startPools(_ harness: LoanHarness, replicas: Int, tag: String) throws -> [String: [WorkerProcess]] {
        let mongoURL = TestEnvironment.mongoURL.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            + "/" + harness.database.name
        let environment = ["MONGO_URL": mongoURL, "LOAN_QUEUE_PREFIX": harness.tasks.queues.prefix, "WORKER_EVENTS": "0"]
        var pools: [String: [WorkerProcess]] = [:]
        for queue in harness.tasks.queues.all {
            pools[queue] = try (1...replicas).map { index in
                try WorkerProcess(queues: [queue], concurrency: 8, prefetch: 16, drainTimeout: 10,
                                  name: "\(tag)-\(queue)-\(index)", environment: environment)
            }
        }
        return pools
    }

    func submitAll(_ harness: LoanHarness) async throws -> [(LoanDocument, AsyncResult<JSONValue>)] {
        var submitted: [(LoanDocument, AsyncResult<JSONValue>)] = []
        for request in SampleRequests.mixed(Self.loans) {
            submitted.append(try await harness.pipeline.submit(request))
        }
        return submitted
    }

    func expectAllCorrect(_ harness: LoanHarness, _ submitted: [(LoanDocument, AsyncResult<JSONValue>)]) async throws {
        for (loan, evaluation) in submitted {
            _ = try await evaluation.get(timeout: .seconds(120))
            expectEvaluatedCorrectly(try #require(try await harness.store.loan(loan.id)))
        }
        #expect(try await harness.store.count(owner: nil) == Self.loans)
    }

    @Test func threeHundredLoansWithTwoProcessesPerPool() async throws {
        let harness = try await LoanHarness.connect("pools")
        let pools = try startPools(harness, replicas: 2, tag: "pools")
        let submitted = try await submitAll(harness)
        try await expectAllCorrect(harness, submitted)
        for worker in pools.values.joined() { await worker.stop() }
        await harness.close()
    }

    @Test func threeHundredLoansWhileAWorkerOfEachPoolIsKilled() async throws {
        let harness = try await LoanHarness.connect("poolkill")
        var pools = try startPools(harness, replicas: 2, tag: "poolkill")
        let submitting = Task { try await submitAll(harness) }
        // Kill one process of each pool once loans are flowing, then start a replacement, as the
        // launcher's supervisor does.
        _ = try await harness.waitForAnyDecided(minimum: 20)
        for queue in harness.tasks.queues.all {
            let victim = pools[queue]!.removeFirst()
            victim.signal(SIGKILL)
            _ = await victim.waitForExit(timeout: 10)
            pools[queue]!.append(try WorkerProcess(queues: [queue], concurrency: 8, prefetch: 16, drainTimeout: 10,
                                                   name: "poolkill-\(queue)-replacement",
                                                   environment: ["MONGO_URL": pools[queue]![0].environmentValue("MONGO_URL"),
                                                                 "LOAN_QUEUE_PREFIX": harness.tasks.queues.prefix, "WORKER_EVENTS": "0"]))
        }
        try await expectAllCorrect(harness, try await submitting.value)
        for worker in pools.values.joined() { await worker.stop() }
        await harness.close()
    }
}

extension LoanHarness {
    /// Waits until at least `minimum` loans have been decided.
    func waitForAnyDecided(minimum: Int, timeout: Duration = .seconds(60)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let decided = try await database.collection("loans").countDocuments(["decision": ["$exists": true]])
            if decided >= minimum { return decided }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LoanTimeout(description: "fewer than \(minimum) loans decided within \(timeout)")
    }
}
