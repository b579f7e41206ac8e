public import Celeriac
public import LoanDomain
import Logging

/// The loan evaluation tasks:
///
/// | task | queue | does |
/// |---|---|---|
/// | `loan.credit_check(loan_id)` | `<prefix>.credit` | credit score and debt-to-income; records it, denies the loan on failure |
/// | `loan.property_check(loan_id)` | `<prefix>.property` | loan-to-value, value range, term; records it, denies the loan on failure |
/// | `loan.decision(results, loan_id)` | `<prefix>.decision` | chord callback: approve/deny, rate, payment, schedule |
/// | `loan.evaluation_failed(task_id, loan_id)` | `<prefix>.decision` | errback: cancels the loan with the error |
///
/// Every step reads the loan from MongoDB, changes it only through ``LoanStore``'s conditional
/// updates and then announces the loan's state, so running a step twice is harmless.
public struct LoanTasks: Sendable {
    public let queues: LoanQueues
    /// Retries of the checks and the decision before the loan is cancelled.
    public let retry: RetryPolicy

    public init(queues: LoanQueues = LoanQueues(), retry: RetryPolicy = LoanTasks.defaultRetry) {
        self.queues = queues
        self.retry = retry
    }

    /// Three retries with exponential backoff from 1 s: rides out a MongoDB fail-over.
    public static let defaultRetry = RetryPolicy(maxRetries: 3, initialDelay: 1, maximumDelay: 30, retryOnAnyError: true)

    public var creditCheck: TaskHandle<LoanIDArguments, CreditCheckResult> {
        TaskHandle("loan.credit_check", options: TaskOptions(queue: queues.credit, retry: retry, timeLimit: 60))
    }
    public var propertyCheck: TaskHandle<LoanIDArguments, PropertyCheckResult> {
        TaskHandle("loan.property_check", options: TaskOptions(queue: queues.property, retry: retry, timeLimit: 60))
    }
    public var decision: TaskHandle<DecisionArguments, DecisionOutcome> {
        TaskHandle("loan.decision", options: TaskOptions(queue: queues.decision, retry: retry, timeLimit: 60))
    }
    public var evaluationFailed: TaskHandle<EvaluationFailedArguments, String> {
        TaskHandle("loan.evaluation_failed", options: TaskOptions(queue: queues.decision, retry: retry, timeLimit: 60))
    }

    /// The chord evaluating one loan: both checks in parallel, then the decision; any step that
    /// fails for good cancels the loan.
    public func evaluation(of loanID: String) throws -> Signature {
        let body = Signature(task: decision.name, args: [.string(loanID)], options: ["queue": .string(queues.decision)])
            .linkedError(Signature(task: evaluationFailed.name, args: [.string(loanID)], options: ["queue": .string(queues.decision)]))
        return .chord([try creditCheck.signature(LoanIDArguments(loanID: loanID)),
                       try propertyCheck.signature(LoanIDArguments(loanID: loanID))], body: body)
    }
}
