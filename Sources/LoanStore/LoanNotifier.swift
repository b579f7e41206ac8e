public import Foundation
public import Redis

/// Announces loan changes for live views (the API's WebSocket).
public protocol LoanNotifier: Sendable {
    /// Publishes the loan's current state. Called after every step, changed or not, so a change
    /// whose announcement was lost in a crash is announced when the step is redelivered;
    /// listeners must tolerate repeats (compare `history_length`).
    func publish(_ loan: LoanDocument) async
}

/// What is published on a loan's channel: enough to render a status line; listeners fetch the
/// loan for details.
public struct LoanUpdate: Sendable, Hashable, Codable {
    public var loanID: String
    public var status: LoanStatus
    /// The latest history entry.
    public var last: LoanHistoryEntry?
    /// How many history entries the loan has: grows by one or more with every real change.
    public var historyLength: Int
    public var checks: LoanChecks

    public init(_ loan: LoanDocument) {
        loanID = loan.id
        status = loan.status
        last = loan.history.last
        historyLength = loan.history.count
        checks = loan.checks
    }

    enum CodingKeys: String, CodingKey {
        case loanID = "loan_id", status, last, historyLength = "history_length", checks
    }
}

/// Redis pub/sub channels, one per loan.
public enum LoanChannels {
    /// `loans:<id>`.
    public static func channel(for loanID: String) -> String { "loans:\(loanID)" }
}

/// Publishes ``LoanUpdate`` JSON on ``LoanChannels/channel(for:)``.
public struct RedisLoanNotifier: LoanNotifier {
    let redis: any RedisClient

    public init(redis: any RedisClient) { self.redis = redis }

    public func publish(_ loan: LoanDocument) async {
        // A lost notification must not fail the task: the loan in MongoDB is the truth, and live
        // views re-read it when they (re)connect.
        guard let payload = try? LoanCoding.encoder.encode(LoanUpdate(loan)) else { return }
        _ = try? await redis.send(["PUBLISH", RedisArgument(LoanChannels.channel(for: loan.id)), RedisArgument(bytes: Array(payload))])
    }
}

/// JSON coding for loans outside MongoDB (notifications, task results, the API): ISO 8601 dates.
public enum LoanCoding {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
