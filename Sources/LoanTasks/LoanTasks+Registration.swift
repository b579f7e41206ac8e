public import Celeriac
public import LoanDomain
public import LoanStore
import Logging

/// The rules the checks apply; replaceable so tests can make a check fail.
public struct LoanEvaluators: Sendable {
    public var credit: @Sendable (LoanRequest) throws -> CreditCheckResult
    public var property: @Sendable (LoanRequest) throws -> PropertyCheckResult

    public init(credit: @escaping @Sendable (LoanRequest) throws -> CreditCheckResult,
                property: @escaping @Sendable (LoanRequest) throws -> PropertyCheckResult) {
        self.credit = credit
        self.property = property
    }

    /// The domain rules (``CreditCheck``, ``PropertyCheck``).
    public static let standard = LoanEvaluators(credit: CreditCheck.evaluate, property: PropertyCheck.evaluate)
}

/// What the loan tasks need at run time.
public struct LoanTaskDependencies: Sendable {
    public var store: LoanStore
    public var notifier: any LoanNotifier
    /// Where the errback reads the failed task's error.
    public var results: any ResultBackend
    public var evaluators: LoanEvaluators

    public init(store: LoanStore, notifier: any LoanNotifier, results: any ResultBackend, evaluators: LoanEvaluators = .standard) {
        self.store = store
        self.notifier = notifier
        self.results = results
        self.evaluators = evaluators
    }
}

extension LoanTasks {
    /// Registers the four loan tasks in `registry`.
    public func register(in registry: inout TaskRegistry, _ dependencies: LoanTaskDependencies) {
        let store = dependencies.store, notifier = dependencies.notifier
        let evaluators = dependencies.evaluators, results = dependencies.results

        registry.register(creditCheck) { arguments, context in
            let loan = try await Self.begin(arguments.loanID, store: store, notifier: notifier, context: context)
            let result = try evaluators.credit(loan.request)
            let change = try await store.recordCredit(loan.id, result)
            await notifier.publish(change.loan)
            Self.log(change, step: "credit check", context: context)
            return result
        }
        registry.register(propertyCheck) { arguments, context in
            let loan = try await Self.begin(arguments.loanID, store: store, notifier: notifier, context: context)
            let result = try evaluators.property(loan.request)
            let change = try await store.recordProperty(loan.id, result)
            await notifier.publish(change.loan)
            Self.log(change, step: "property check", context: context)
            return result
        }
        registry.register(decision) { arguments, context in
            guard arguments.results.count == 2 else {
                throw ExceptionInfo(type: "ValueError", message: "loan.decision expects 2 check results, got \(arguments.results.count)")
            }
            let credit = try arguments.results[0].decode(as: CreditCheckResult.self)
            let property = try arguments.results[1].decode(as: PropertyCheckResult.self)
            guard let loan = try await store.loan(arguments.loanID) else { throw LoanNotFound(id: arguments.loanID) }
            let change = try await store.recordDecision(loan.id, LoanDecision.decide(loan.request, credit: credit, property: property))
            await notifier.publish(change.loan)
            Self.log(change, step: "decision", context: context)
            return DecisionOutcome(loanID: loan.id, status: change.loan.status.rawValue, approved: change.loan.status == .approved)
        }
        registry.register(evaluationFailed) { arguments, context in
            let failure = try await results.result(for: arguments.taskID)
            let error = failure?.exception?.description ?? "task \(arguments.taskID) failed"
            let change = try await store.cancel(arguments.loanID, event: .evaluationFailed, detail: error)
            await notifier.publish(change.loan)
            Self.log(change, step: "evaluation failure", context: context)
            return change.loan.status.rawValue
        }
    }

    /// Loads the loan and marks its evaluation started; the check still runs (and is recorded)
    /// when the loan is already terminal, so the applicant sees both results.
    static func begin(_ loanID: String, store: LoanStore, notifier: any LoanNotifier, context: TaskContext) async throws -> LoanDocument {
        let change = try await store.startEvaluation(loanID)
        if change.changed { await notifier.publish(change.loan) }
        return change.loan
    }

    static func log(_ change: LoanChange, step: String, context: TaskContext) {
        var logger = context.logger
        logger[metadataKey: "loan_id"] = .string(change.loan.id)
        logger.info("\(step) done", metadata: ["status": .string(change.loan.status.rawValue), "changed": .stringConvertible(change.changed)])
    }
}
