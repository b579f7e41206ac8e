/// Where a loan is in its evaluation. Terminal states never change again.
///
/// ```
/// Pending ──▶ Evaluating ──▶ Approved
///    │            │      └──▶ Denied      (a check denied, or the decision)
///    └────────────┴─────────▶ Cancelled   (a step failed after its retries, or the applicant cancelled)
/// ```
public enum LoanStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending = "Pending"
    case evaluating = "Evaluating"
    case approved = "Approved"
    case denied = "Denied"
    case cancelled = "Cancelled"

    /// Approved, Denied and Cancelled: the evaluation is over.
    public var isTerminal: Bool {
        switch self {
        case .pending, .evaluating: false
        case .approved, .denied, .cancelled: true
        }
    }

    /// The states a loan can still leave.
    public static let open: [LoanStatus] = [.pending, .evaluating]
}
