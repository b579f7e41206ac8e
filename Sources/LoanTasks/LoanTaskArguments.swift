public import Celeriac

/// `loan.credit_check(loan_id)` and `loan.property_check(loan_id)`.
public struct LoanIDArguments: TaskArguments, Equatable {
    public var loanID: String
    public static let positional = ["loan_id"]
    public init(loanID: String) { self.loanID = loanID }
    enum CodingKeys: String, CodingKey { case loanID = "loan_id" }
}

/// `loan.decision(results, loan_id)`: the chord callback; `results` are the header's results in
/// header order (credit, then property).
public struct DecisionArguments: TaskArguments {
    public var results: [JSONValue]
    public var loanID: String
    public static let positional = ["results", "loan_id"]
    public init(results: [JSONValue], loanID: String) { self.results = results; self.loanID = loanID }
    enum CodingKeys: String, CodingKey { case results, loanID = "loan_id" }
}

/// `loan.evaluation_failed(task_id, loan_id)`: the errback; Celery passes the failed task's id first.
public struct EvaluationFailedArguments: TaskArguments {
    public var taskID: String
    public var loanID: String
    public static let positional = ["task_id", "loan_id"]
    public init(taskID: String, loanID: String) { self.taskID = taskID; self.loanID = loanID }
    enum CodingKeys: String, CodingKey { case taskID = "task_id", loanID = "loan_id" }
}

/// What the decision step returns (stored as its Celery result).
public struct DecisionOutcome: Codable, Sendable, Hashable {
    public var loanID: String
    public var status: String
    public var approved: Bool
    public init(loanID: String, status: String, approved: Bool) {
        self.loanID = loanID
        self.status = status
        self.approved = approved
    }
    enum CodingKeys: String, CodingKey { case loanID = "loan_id", status, approved }
}
