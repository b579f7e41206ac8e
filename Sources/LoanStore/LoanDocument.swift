public import Foundation
public import LoanDomain

/// A loan as stored in MongoDB (collection `loans`): the request, where its evaluation is, what
/// each check found, the decision and the history of what happened.
public struct LoanDocument: Sendable, Hashable, Codable {
    /// The loan id (a 24-hex-digit ObjectId string), stored as `_id`.
    public var id: String
    /// The account that submitted it; nil for loans submitted by operators and tools.
    public var owner: String?
    public var status: LoanStatus
    public var request: LoanRequest
    public var checks: LoanChecks
    /// The decision step's outcome (also recorded for loans a check already denied).
    public var decision: LoanDecision?
    /// Why the loan was denied: the reasons of the denying checks, then the decision's.
    public var reasons: [String]
    /// What failed when the loan was cancelled by an error.
    public var error: String?
    /// The id of the chord evaluating the loan (its callback's task id).
    public var evaluationID: String?
    /// Every change, oldest first; each event appears once.
    public var history: [LoanHistoryEntry]
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, owner: String?, request: LoanRequest, createdAt: Date) {
        self.id = id
        self.owner = owner
        self.status = .pending
        self.request = request
        self.checks = LoanChecks()
        self.reasons = []
        self.history = [LoanHistoryEntry(event: .submitted, status: .pending, at: createdAt)]
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id = "_id", owner, status, request, checks, decision, reasons, error
        case evaluationID = "evaluation_id", history, createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// The two checks' results, each present once that check has run.
public struct LoanChecks: Sendable, Hashable, Codable {
    public var credit: CreditCheckResult?
    public var property: PropertyCheckResult?
    public init(credit: CreditCheckResult? = nil, property: PropertyCheckResult? = nil) {
        self.credit = credit
        self.property = property
    }
}

/// One line of a loan's history.
public struct LoanHistoryEntry: Sendable, Hashable, Codable {
    public var event: LoanEvent
    /// The status the event moved the loan to; nil when it did not change the status (a check
    /// result landing on a loan that is already Evaluating or terminal).
    public var status: LoanStatus?
    public var at: Date
    /// A short human-readable note (reasons, the error).
    public var detail: String?

    public init(event: LoanEvent, status: LoanStatus?, at: Date, detail: String? = nil) {
        self.event = event
        self.status = status
        self.at = at
        self.detail = detail
    }
}

/// What can happen to a loan. Each happens at most once per loan: the store refuses a second
/// one, which is what makes redelivered and retried tasks harmless.
public enum LoanEvent: String, Sendable, Hashable, Codable, CaseIterable {
    case submitted
    case evaluationStarted = "evaluation_started"
    case creditChecked = "credit_checked"
    case propertyChecked = "property_checked"
    case deniedByCredit = "denied_by_credit_check"
    case deniedByProperty = "denied_by_property_check"
    case decided
    case evaluationFailed = "evaluation_failed"
    case cancelledByApplicant = "cancelled_by_applicant"
}
