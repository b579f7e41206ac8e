import Foundation
import LoanDomain
import LoanStore
import Mongo
import Testing
import TestSupport

/// The store's conditional transitions against the real MongoDB wire server.
@Suite struct LoanStoreTests {
    static let approvable = SampleRequests.archetypes[0].request

    func withStore(_ body: (LoanStore) async throws -> Void) async throws {
        let mongo = try MongoClient(uri: TestEnvironment.mongoURL)
        let database = mongo.database(TestEnvironment.uniqueName("loanstore"))
        let store = LoanStore(database: database)
        try await store.prepare()
        do { try await body(store) } catch { try? await database.drop(); throw error }
        try await database.drop()
    }

    @Test func approvedPathRecordsEachStepOnce() async throws {
        try await withStore { store in
            let loan = try await store.create(Self.approvable, owner: "alice")
            #expect(loan.status == .pending)
            #expect(try await store.loan(loan.id) == loan)

            let started = try await store.startEvaluation(loan.id)
            #expect(started.changed && started.loan.status == .evaluating)
            #expect(try await !store.startEvaluation(loan.id).changed)

            let credit = CreditCheck.evaluate(Self.approvable), property = PropertyCheck.evaluate(Self.approvable)
            #expect(try await store.recordCredit(loan.id, credit).changed)
            #expect(try await !store.recordCredit(loan.id, credit).changed, "a redelivered check records nothing")
            #expect(try await store.recordProperty(loan.id, property).loan.status == .evaluating)

            let decision = LoanDecision.decide(Self.approvable, credit: credit, property: property)
            let decided = try await store.recordDecision(loan.id, decision)
            #expect(decided.changed && decided.loan.status == .approved)
            #expect(decided.loan.decision?.schedule == nil, "changes come back without the schedule")
            #expect(try await !store.recordDecision(loan.id, decision).changed)
            #expect(try await !store.cancel(loan.id, event: .cancelledByApplicant, detail: "too late").changed,
                    "a terminal state never changes")

            let final = try #require(try await store.loan(loan.id))
            #expect(final.history.map(\.event) == [.submitted, .evaluationStarted, .creditChecked, .propertyChecked, .decided])
            #expect(final.history.map(\.status) == [.pending, .evaluating, .evaluating, .evaluating, .approved])
            #expect(final.decision == decision)
            #expect(final.decision?.schedule?.count == Self.approvable.loan.termMonths)
        }
    }

    @Test func firstDenialIsTerminalAndLaterStepsOnlyAddInformation() async throws {
        try await withStore { store in
            var request = Self.approvable
            request.applicant.defaultsLast24Months = 1
            request.loan.termMonths = 400
            let loan = try await store.create(request, owner: nil)
            let property = PropertyCheck.evaluate(request), credit = CreditCheck.evaluate(request)
            #expect(!property.approved && !credit.approved)

            // The property check lands first, before the evaluation was even marked started.
            let denied = try await store.recordProperty(loan.id, property)
            #expect(denied.loan.status == .denied && denied.loan.reasons == property.reasons)
            #expect(try await !store.startEvaluation(loan.id).changed, "no step backwards from Denied")
            let second = try await store.recordCredit(loan.id, credit)
            #expect(second.changed && second.loan.status == .denied)
            #expect(Set(second.loan.reasons) == Set(property.reasons + credit.reasons))

            let decision = LoanDecision.decide(request, credit: credit, property: property)
            let decided = try await store.recordDecision(loan.id, decision)
            #expect(decided.changed && decided.loan.status == .denied)
            #expect(try await store.loan(loan.id)?.decision == decision)
            let events = decided.loan.history.map(\.event)
            #expect(events == [.submitted, .propertyChecked, .deniedByProperty, .creditChecked, .decided])
            // Only the status changes carry a status; the rest are information.
            #expect(decided.loan.history.compactMap(\.status) == [.pending, .denied])
        }
    }

    @Test func cancellationRecordsTheErrorAndStopsEverything() async throws {
        try await withStore { store in
            let loan = try await store.create(Self.approvable, owner: nil)
            _ = try await store.startEvaluation(loan.id)
            let cancelled = try await store.cancel(loan.id, event: .evaluationFailed, detail: "ValueError: boom")
            #expect(cancelled.changed && cancelled.loan.status == .cancelled && cancelled.loan.error == "ValueError: boom")
            let credit = CreditCheck.evaluate(Self.approvable), property = PropertyCheck.evaluate(Self.approvable)
            #expect(try await store.recordCredit(loan.id, credit).loan.status == .cancelled)
            let decision = LoanDecision.decide(Self.approvable, credit: credit, property: property)
            #expect(try await !store.recordDecision(loan.id, decision).changed)
            #expect(try await store.loan(loan.id)?.status == .cancelled)
        }
    }

    @Test func listsAnOwnersLoansNewestFirst() async throws {
        try await withStore { store in
            var ids: [String] = []
            for _ in 0..<5 { ids.append(try await store.create(Self.approvable, owner: "bob").id) }
            _ = try await store.create(Self.approvable, owner: "carol")
            let page = try await store.loans(owner: "bob", limit: 3)
            #expect(page.map(\.id) == Array(ids.reversed().prefix(3)))
            #expect(try await store.loans(owner: "bob", limit: 3, skip: 3).map(\.id) == Array(ids.reversed().dropFirst(3)))
            #expect(try await store.count(owner: "bob") == 5)
            #expect(try await store.loan("0123456789abcdef01234567") == nil)
            await #expect(throws: LoanNotFound.self) { try await store.startEvaluation("0123456789abcdef01234567") }
        }
    }
}
