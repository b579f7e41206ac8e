/// The outcome of an evaluation.
public struct LoanDecision: Sendable, Hashable, Codable {
    public var approved: Bool
    /// Annual nominal rate when approved (0.0345 = 3.45 %).
    public var annualRate: Double?
    public var monthlyPayment: Money?
    /// Total interest over the loan.
    public var totalCostOfCredit: Money?
    public var totalRepaid: Money?
    public var schedule: [Installment]?
    /// Why it was denied: the checks' reasons.
    public var reasons: [String]

    enum CodingKeys: String, CodingKey {
        case approved, annualRate = "annual_rate", monthlyPayment = "monthly_payment"
        case totalCostOfCredit = "total_cost_of_credit", totalRepaid = "total_repaid", schedule, reasons
    }

    /// Decides from the two checks: approve only if both approve; then price the loan and build
    /// its schedule.
    public static func decide(_ request: LoanRequest, credit: CreditCheckResult, property: PropertyCheckResult) -> LoanDecision {
        guard credit.approved && property.approved else {
            return LoanDecision(approved: false, reasons: credit.reasons + property.reasons)
        }
        let rate = RateTable.rate(score: credit.score, termMonths: request.loan.termMonths)
        let schedule = AmortizationSchedule(principal: request.loan.amount, annualRate: rate, months: request.loan.termMonths)
        return LoanDecision(approved: true, annualRate: rate,
                            monthlyPayment: Annuity.monthlyPayment(principal: request.loan.amount, annualRate: rate,
                                                                   months: request.loan.termMonths),
                            totalCostOfCredit: schedule.totalInterest, totalRepaid: schedule.totalPaid,
                            schedule: schedule.installments, reasons: [])
    }

    /// The whole evaluation as one pure function: both checks, then the decision.
    public static func evaluate(_ request: LoanRequest) -> LoanDecision {
        decide(request, credit: CreditCheck.evaluate(request), property: PropertyCheck.evaluate(request))
    }
}
