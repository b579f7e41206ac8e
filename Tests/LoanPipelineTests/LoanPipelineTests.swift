import Celeriac
import Foundation
import LoanDomain
import LoanStore
import LoanTasks
import Redis
import Synchronization
import Testing
import TestSupport

/// The evaluation chord end to end with in-process workers, real servers.
@Suite struct LoanPipelineTests {
    @Test func mixedLoansReachTheDomainDecision() async throws {
        let harness = try await LoanHarness.connect("pipeline")
        let (worker, running) = await harness.startWorker(harness.registry())
        var submitted: [(LoanDocument, AsyncResult<JSONValue>)] = []
        for request in SampleRequests.mixed(40) {
            submitted.append(try await harness.pipeline.submit(request, owner: "tester"))
        }
        for (loan, evaluation) in submitted {
            #expect(loan.evaluationID == evaluation.id)
            let outcome = try await evaluation.get(timeout: .seconds(60))
            let stored = try #require(try await harness.store.loan(loan.id))
            #expect(outcome["status"]?.stringValue == stored.status.rawValue)
            expectEvaluatedCorrectly(stored)
        }
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func aCheckThatKeepsFailingCancelsTheLoanWithTheError() async throws {
        let harness = try await LoanHarness.connect("failing", retry: RetryPolicy(maxRetries: 2, initialDelay: 0.2, maximumDelay: 0.5, retryOnAnyError: true))
        let attempts = Counter()
        let broken = LoanEvaluators(credit: CreditCheck.evaluate, property: { _ in
            attempts.increment()
            throw ExceptionInfo(type: "ConnectionError", message: "land registry unreachable")
        })
        let (worker, running) = await harness.startWorker(harness.registry(broken))
        let (loan, evaluation) = try await harness.pipeline.submit(SampleRequests.archetypes[0].request)
        let cancelled = try await harness.waitForLoan(loan.id) { $0.status.isTerminal }
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.error?.contains("land registry unreachable") == true, "error recorded: \(cancelled.error ?? "none")")
        #expect(attempts.value == 3, "the first attempt and 2 retries")
        #expect(cancelled.checks.credit != nil && cancelled.checks.property == nil)
        #expect(cancelled.history.last?.event == .evaluationFailed)
        #expect(try await evaluation.state() == .failure, "the decision never ran: the chord failed")
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func everyStatusChangeIsPublishedOnTheLoansChannel() async throws {
        let harness = try await LoanHarness.connect("notify")
        let subscriber = RedisSubscriber(configuration: try RedisConfiguration(url: TestEnvironment.redisURL))
        try await subscriber.connect()
        let loan = try await harness.store.create(SampleRequests.archetypes[0].request, owner: nil)
        let subscription = try await subscriber.subscribe([LoanChannels.channel(for: loan.id)])
        let (worker, running) = await harness.startWorker(harness.registry())
        _ = try await harness.client.apply(try harness.tasks.evaluation(of: loan.id))

        var statuses: [LoanStatus] = []
        var lengths: [Int] = []
        for await message in subscription {
            let update = try LoanCoding.decoder.decode(LoanUpdate.self, from: Data(message.payload))
            #expect(update.loanID == loan.id)
            statuses.append(update.status)
            lengths.append(update.historyLength)
            if update.status.isTerminal && update.last?.event == .decided { break }
        }
        #expect(statuses.first == .evaluating && statuses.last == .approved)
        #expect(lengths == lengths.sorted(), "updates arrive in order of the loan's history")
        #expect(lengths.last == 5)
        await subscription.unsubscribe()
        await subscriber.close()
        await worker.shutdown()
        try await running.value
        await harness.close()
    }

    @Test func aLoanCancelledByTheApplicantStaysCancelled() async throws {
        let harness = try await LoanHarness.connect("cancel")
        let loan = try await harness.store.create(SampleRequests.archetypes[0].request, owner: "dave")
        #expect(try await harness.store.cancel(loan.id, event: .cancelledByApplicant, detail: "changed my mind").changed)
        let (worker, running) = await harness.startWorker(harness.registry())
        let evaluation = try await harness.client.apply(try harness.tasks.evaluation(of: loan.id))
        _ = try await evaluation.result.get(timeout: .seconds(30))
        let final = try #require(try await harness.store.loan(loan.id))
        #expect(final.status == .cancelled && final.decision == nil)
        #expect(final.checks.credit != nil && final.checks.property != nil, "the checks are still shown")
        await worker.shutdown()
        try await running.value
        await harness.close()
    }
}

/// A thread-safe counter for task executions.
final class Counter: Sendable {
    private let storage = Mutex(0)
    func increment() { storage.withLock { $0 += 1 } }
    var value: Int { storage.withLock { $0 } }
}
