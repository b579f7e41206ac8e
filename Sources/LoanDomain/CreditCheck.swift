/// The credit/profile check: a score from the applicant's history and stability, and the
/// debt-to-income test of the HCSF rule.
public enum CreditCheck {
    /// Debt-to-income above this is denied (France's HCSF rule: 35 % of net income, new loan included).
    public static let maximumDebtToIncome = 0.35
    /// Scores below this are denied.
    public static let minimumScore = 520
    /// The annual rate used to size the new loan's payment in the DTI test, before the real rate
    /// is known (a prudent reference, above the best rates).
    public static let referenceRate = 0.04

    /// The score, 300–850.
    ///
    /// Starts at 600; employment: permanent +70, retired +50, self-employed +40 after 3 years
    /// (−20 before), fixed-term +10, unemployed −150; +5 per year in the job (at most +50);
    /// −120 per default and −25 per late payment in the last 24 months; −20 under 21 years old.
    public static func score(_ applicant: Applicant) -> Int {
        var score = 600.0
        switch applicant.employmentType {
        case .permanent: score += 70
        case .retired: score += 50
        case .selfEmployed: score += applicant.employmentYears >= 3 ? 40 : -20
        case .fixedTerm: score += 10
        case .unemployed: score -= 150
        }
        score += min(max(applicant.employmentYears, 0), 10) * 5
        score -= Double(applicant.defaultsLast24Months) * 120
        score -= Double(applicant.latePaymentsLast24Months) * 25
        if applicant.age < 21 { score -= 20 }
        return Int(min(850, max(300, score.rounded())))
    }

    /// Runs the check for a request.
    public static func evaluate(_ request: LoanRequest) -> CreditCheckResult {
        let applicant = request.applicant
        let score = score(applicant)
        let payment = Annuity.monthlyPayment(principal: request.loan.amount, annualRate: referenceRate,
                                             months: request.loan.termMonths)
        let income = applicant.monthlyNetIncome.cents
        let dti = income > 0 ? Double(applicant.monthlyDebtPayments.cents + payment.cents) / Double(income) : .infinity
        var reasons: [String] = []
        if applicant.defaultsLast24Months > 0 {
            reasons.append("payment default in the last 24 months")
        }
        if dti > maximumDebtToIncome {
            let shown = dti.isFinite ? "\((dti * 1000).rounded() / 10) %" : "no income"
            reasons.append("debt-to-income \(shown) exceeds 35 %")
        }
        if score < minimumScore {
            reasons.append("credit score \(score) below \(minimumScore)")
        }
        return CreditCheckResult(approved: reasons.isEmpty, score: score,
                                 debtToIncome: dti.isFinite ? (dti * 10_000).rounded() / 10_000 : 99,
                                 referencePayment: payment, reasons: reasons)
    }
}

/// The credit check's verdict.
public struct CreditCheckResult: Sendable, Hashable, Codable {
    public var approved: Bool
    public var score: Int
    /// Debt-to-income ratio with the new loan (0.3312 = 33.12 %), 4 decimals.
    public var debtToIncome: Double
    /// The new loan's payment at the reference rate, as used for the DTI.
    public var referencePayment: Money
    /// Why it was denied (empty when approved).
    public var reasons: [String]

    enum CodingKeys: String, CodingKey {
        case approved, score, debtToIncome = "debt_to_income", referencePayment = "reference_payment", reasons
    }
}
