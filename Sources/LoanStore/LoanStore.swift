public import Foundation
public import LoanDomain
public import Mongo

/// Loans in MongoDB, and the only way their state changes.
///
/// Every change is one conditional `findOneAndUpdate` whose filter states what must still be true
/// (the status it moves from, the check not yet recorded), so a task that runs twice — redelivered
/// after a crash, retried, or racing another worker — changes nothing the second time: no
/// duplicated history entry, no step backwards, no terminal state overridden.
public struct LoanStore: Sendable {
    public let collection: MongoCollection
    let clock: @Sendable () -> Date

    public init(database: MongoDatabase, collection: String = "loans", clock: @escaping @Sendable () -> Date = Date.init) {
        self.collection = database.collection(collection)
        // BSON dates hold milliseconds: round here so a loan reads back equal to what was written.
        self.clock = { Date(timeIntervalSince1970: (clock().timeIntervalSince1970 * 1000).rounded(.down) / 1000) }
    }

    /// Creates the indexes the queries use (idempotent).
    public func prepare() async throws(MongoError) {
        _ = try await collection.createIndex(IndexModel(keys: ["owner": 1, "created_at": -1], name: "owner_newest"))
    }

    // MARK: reading

    public func loan(_ id: String) async throws(MongoError) -> LoanDocument? {
        try await collection.findOne(["_id": .string(id)], as: LoanDocument.self)
    }

    /// Loans newest first, without their repayment schedules; `owner` nil lists everyone's.
    public func loans(owner: String?, limit: Int, skip: Int = 0) async throws(MongoError) -> [LoanDocument] {
        try await collection.find(owner.map { ["owner": .string($0)] } ?? [:], as: LoanDocument.self,
                                  options: FindOptions(sort: ["created_at": -1, "_id": -1], limit: limit, skip: skip,
                                                       projection: Self.withoutSchedule))
    }

    public func count(owner: String?) async throws(MongoError) -> Int {
        try await collection.countDocuments(owner.map { ["owner": .string($0)] } ?? [:])
    }

    // MARK: creating

    /// Stores a new `Pending` loan.
    public func create(_ request: LoanRequest, owner: String?) async throws(MongoError) -> LoanDocument {
        let loan = LoanDocument(id: BSONObjectID().hex, owner: owner, request: request, createdAt: clock())
        _ = try await collection.insertOne(loan)
        return loan
    }

    /// Remembers which chord evaluates the loan (set once).
    public func setEvaluationID(_ id: String, _ evaluationID: String) async throws -> LoanChange {
        try await change(id, [Attempt(filter: ["evaluation_id": ["$exists": false]], set: ["evaluation_id": .string(evaluationID)])])
    }

    // MARK: the evaluation

    /// `Pending` → `Evaluating`, when the first check starts.
    public func startEvaluation(_ id: String) async throws -> LoanChange {
        try await change(id, [Attempt(filter: ["status": .string(LoanStatus.pending.rawValue)], status: .evaluating,
                                      history: [(.evaluationStarted, .evaluating, nil)])])
    }

    /// Records the credit check; a denial moves an open loan to `Denied` with the check's reasons.
    public func recordCredit(_ id: String, _ result: CreditCheckResult) async throws -> LoanChange {
        try await recordCheck(id, field: "checks.credit", value: try BSONEncoder().encodeValue(result), approved: result.approved,
                              reasons: result.reasons, checked: .creditChecked, denied: .deniedByCredit)
    }

    /// Records the property check; a denial moves an open loan to `Denied` with the check's reasons.
    public func recordProperty(_ id: String, _ result: PropertyCheckResult) async throws -> LoanChange {
        try await recordCheck(id, field: "checks.property", value: try BSONEncoder().encodeValue(result), approved: result.approved,
                              reasons: result.reasons, checked: .propertyChecked, denied: .deniedByProperty)
    }

    /// Records the decision: an open loan becomes `Approved` or `Denied`; a loan a check already
    /// denied keeps `Denied` and gains the decision's reasons; any other terminal state stays.
    public func recordDecision(_ id: String, _ decision: LoanDecision) async throws -> LoanChange {
        let value = try BSONEncoder().encodeValue(decision)
        let notDecided: BSONDocument = ["decision": ["$exists": false]]
        if decision.approved {
            return try await change(id, [Attempt(filter: notDecided.merging(Self.isOpen), status: .approved,
                                                 set: ["decision": value], history: [(.decided, .approved, nil)])])
        }
        let reasons = decision.reasons.joined(separator: "; ")
        return try await change(id, [
            Attempt(filter: notDecided.merging(Self.isOpen), status: .denied, set: ["decision": value],
                    history: [(.decided, .denied, reasons)], reasons: decision.reasons),
            Attempt(filter: notDecided.merging(["status": .string(LoanStatus.denied.rawValue)]), set: ["decision": value],
                    history: [(.decided, nil, reasons)], reasons: decision.reasons),
        ])
    }

    /// An open loan becomes `Cancelled` (an evaluation step failed, or the applicant cancelled).
    public func cancel(_ id: String, event: LoanEvent, detail: String) async throws -> LoanChange {
        var set: BSONDocument = [:]
        if event == .evaluationFailed { set = ["error": .string(detail)] }
        return try await change(id, [Attempt(filter: Self.isOpen, status: .cancelled, set: set, history: [(event, .cancelled, detail)])])
    }

    // MARK: conditional updates

    /// The repayment schedule is most of a decided loan's size; steps never need it back.
    static let withoutSchedule: BSONDocument = ["decision.schedule": 0]

    static let isOpen: BSONDocument = ["status": ["$in": .array(LoanStatus.open.map { .string($0.rawValue) })]]

    private func recordCheck(_ id: String, field: String, value: BSONValue, approved: Bool, reasons: [String],
                             checked: LoanEvent, denied: LoanEvent) async throws -> LoanChange {
        let notRecorded: BSONDocument = [field: ["$exists": false]]
        let detail = reasons.isEmpty ? nil : reasons.joined(separator: "; ")
        var attempts: [Attempt] = []
        if approved {
            attempts.append(Attempt(filter: notRecorded.merging(Self.isOpen), status: .evaluating, set: [field: value],
                                    history: [(checked, .evaluating, nil)]))
        } else {
            attempts.append(Attempt(filter: notRecorded.merging(Self.isOpen), status: .denied, set: [field: value],
                                    history: [(checked, nil, detail), (denied, .denied, detail)], reasons: reasons))
            attempts.append(Attempt(filter: notRecorded.merging(["status": .string(LoanStatus.denied.rawValue)]), set: [field: value],
                                    history: [(checked, nil, detail)], reasons: reasons))
        }
        // Whatever the status, the result is recorded once so the applicant sees both checks.
        attempts.append(Attempt(filter: notRecorded, set: [field: value], history: [(checked, nil, detail)]))
        return try await change(id, attempts)
    }

    /// One way a change may apply: its extra filter and what it sets.
    struct Attempt {
        var filter: BSONDocument
        var status: LoanStatus? = nil
        var set: BSONDocument = [:]
        var history: [(LoanEvent, LoanStatus?, String?)] = []
        var reasons: [String] = []
    }

    /// Tries `attempts` in order; the first whose filter matches is applied atomically. When none
    /// matches the change had already happened (or cannot happen) and the loan is returned as is.
    private func change(_ id: String, _ attempts: [Attempt]) async throws -> LoanChange {
        let now = clock()
        for attempt in attempts {
            var set = attempt.set.merging(["updated_at": .datetime(now)])
            if let status = attempt.status { set = set.merging(["status": .string(status.rawValue)]) }
            var update: BSONDocument = ["$set": .document(set)]
            if !attempt.history.isEmpty {
                let entries = try attempt.history.map { event, status, detail throws(MongoError) in
                    try BSONEncoder().encodeValue(LoanHistoryEntry(event: event, status: status, at: now, detail: detail))
                }
                update = update.merging(["$push": ["history": ["$each": .array(entries)]]])
            }
            if !attempt.reasons.isEmpty {
                update = update.merging(["$addToSet": ["reasons": ["$each": .array(attempt.reasons.map { .string($0) })]]])
            }
            let filter = BSONDocument([("_id", .string(id))]).merging(attempt.filter)
            // updateOne + read rather than findOneAndUpdate: the same atomic conditional change,
            // and SecantusDB (the MongoDB wire server used locally) scans the collection for
            // findAndModify but uses the _id index for updates.
            if try await collection.updateOne(filter: filter, update: update).matchedCount == 1 {
                return LoanChange(loan: try await current(id), changed: true)
            }
        }
        return LoanChange(loan: try await current(id), changed: false)
    }

    /// The loan without its schedule.
    private func current(_ id: String) async throws -> LoanDocument {
        guard let loan = try await collection.findOne(["_id": .string(id)], as: LoanDocument.self,
                                                        options: FindOptions(projection: Self.withoutSchedule)) else {
            throw LoanNotFound(id: id)
        }
        return loan
    }
}

/// The loan after a change was asked for (without its repayment schedule: read the loan for
/// that), and whether it changed (false: already done, or not allowed from the loan's state).
public struct LoanChange: Sendable {
    public var loan: LoanDocument
    public var changed: Bool
}

/// No loan has this id.
public struct LoanNotFound: Error, CustomStringConvertible, Sendable {
    public var id: String
    public init(id: String) { self.id = id }
    public var description: String { "no loan with id \(id)" }
}
