/// The property check: loan-to-value by purpose, plausible values, and term limits.
public enum PropertyCheck {
    /// Maximum loan-to-value by purpose.
    public static func maximumLoanToValue(_ purpose: LoanPurpose) -> Double {
        switch purpose {
        case .primaryHome: 0.90
        case .rental: 0.80
        case .construction: 0.85
        }
    }

    /// Maximum term: 25 years, 27 for construction (HCSF allows two years of deferral).
    public static func maximumTermMonths(_ purpose: LoanPurpose) -> Int {
        purpose == .construction ? 27 * 12 : 25 * 12
    }

    /// Estimated values accepted, in euros.
    public static let valueRange = Money(euros: 30_000)...Money(euros: 10_000_000)

    public static func evaluate(_ request: LoanRequest) -> PropertyCheckResult {
        let property = request.property
        let loan = request.loan
        var reasons: [String] = []
        let value = property.estimatedValue.cents
        let ltv = value > 0 ? Double(loan.amount.cents) / Double(value) : .infinity
        if !valueRange.contains(property.estimatedValue) {
            reasons.append("estimated value \(property.estimatedValue) outside \(valueRange.lowerBound)–\(valueRange.upperBound)")
        }
        let maxLTV = maximumLoanToValue(property.purpose)
        if ltv > maxLTV {
            let shown = ltv.isFinite ? "\((ltv * 1000).rounded() / 10) %" : "undefined"
            reasons.append("loan-to-value \(shown) exceeds \(Int(maxLTV * 100)) % for \(property.purpose.rawValue)")
        }
        let maxTerm = maximumTermMonths(property.purpose)
        if loan.termMonths > maxTerm {
            reasons.append("term \(loan.termMonths) months exceeds \(maxTerm) months")
        }
        if property.type == .land && property.purpose != .construction {
            reasons.append("land is only financed for construction")
        }
        return PropertyCheckResult(approved: reasons.isEmpty,
                                   loanToValue: ltv.isFinite ? (ltv * 10_000).rounded() / 10_000 : 99,
                                   reasons: reasons)
    }
}

/// The property check's verdict.
public struct PropertyCheckResult: Sendable, Hashable, Codable {
    public var approved: Bool
    /// Loan-to-value (0.8 = 80 %), 4 decimals.
    public var loanToValue: Double
    public var reasons: [String]

    enum CodingKeys: String, CodingKey {
        case approved, loanToValue = "loan_to_value", reasons
    }
}
