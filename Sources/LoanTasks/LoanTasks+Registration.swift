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

        Self.registerCheck(creditCheck, in: &registry, step: "credit check", store: store, notifier: notifier,
                           evaluate: evaluators.credit, record: store.recordCredit)
        Self.registerCheck(propertyCheck, in: &registry, step: "property check", store: store, notifier: notifier,
                           evaluate: evaluators.property, record: store.recordProperty)
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

    /// A check: mark the evaluation started, apply the rule, record the result (which may deny
    /// the loan), announce the loan, return the result for the decision step.
    static func registerCheck<Result: Codable & Sendable>(
        _ handle: TaskHandle<LoanIDArguments, Result>, in registry: inout TaskRegistry, step: String, store: LoanStore,
        notifier: any LoanNotifier, evaluate: @escaping @Sendable (LoanRequest) throws -> Result,
        record: @escaping @Sendable (String, Result) async throws -> LoanChange
    ) {
        registry.register(handle) { arguments, context in
            let loan = try await begin(arguments.loanID, store: store, notifier: notifier, context: context)
            let result = try evaluate(loan.request)
            let change = try await record(loan.id, result)
            await notifier.publish(change.loan)
            log(change, step: step, context: context)
            return result
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
