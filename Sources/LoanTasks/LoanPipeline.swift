public import Celeriac
public import LoanDomain
public import LoanStore

/// Submits loans for evaluation: stores the loan `Pending`, then publishes its chord.
///
/// A loan is never left `Pending` silently: when the chord cannot be published (the broker is
/// down after the client's own reconnect attempts), the loan is cancelled at once with the
/// error recorded and the error is rethrown, so the caller can tell the applicant to retry.
public struct LoanPipeline: Sendable {
    public let store: LoanStore
    public let client: CeleriacClient
    public let tasks: LoanTasks
    public let notifier: any LoanNotifier

    public init(store: LoanStore, client: CeleriacClient, tasks: LoanTasks, notifier: any LoanNotifier) {
        self.store = store
        self.client = client
        self.tasks = tasks
        self.notifier = notifier
    }

    /// Stores and starts the evaluation of `request`; returns the stored loan (with its
    /// evaluation id) and the chord's result handle (the decision step's result).
    public func submit(_ request: LoanRequest, owner: String? = nil) async throws -> (loan: LoanDocument, evaluation: AsyncResult<JSONValue>) {
        let loan = try await store.create(request, owner: owner)
        do {
            let applied = try await client.apply(try tasks.evaluation(of: loan.id))
            let change = try await store.setEvaluationID(loan.id, applied.id)
            return (change.loan, applied.result)
        } catch {
            let change = try? await store.cancel(loan.id, event: .evaluationFailed, detail: "could not start the evaluation: \(error)")
            if let change { await notifier.publish(change.loan) }
            throw error
        }
    }
}
