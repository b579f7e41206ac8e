/// One month of repayment.
public struct Installment: Sendable, Hashable, Codable {
    public var month: Int
    public var payment: Money
    public var interest: Money
    public var principal: Money
    /// Owed after this payment.
    public var remainingBalance: Money

    enum CodingKeys: String, CodingKey {
        case month, payment, interest, principal, remainingBalance = "remaining_balance"
    }
}

/// The full monthly schedule of a fixed-rate loan.
///
/// Each month's interest is the balance times the monthly rate, rounded to the cent; the
/// principal is the payment minus that interest. The last payment repays whatever is left, so
/// the principals add up **exactly** to the amount borrowed, whatever the rounding.
public struct AmortizationSchedule: Sendable, Hashable, Codable {
    public var installments: [Installment]

    public init(principal: Money, annualRate: Double, months: Int) {
        precondition(months > 0 && principal.cents >= 0)
        let payment = Annuity.monthlyPayment(principal: principal, annualRate: annualRate, months: months)
        let monthlyRate = annualRate / 12
        var balance = principal.cents
        var installments: [Installment] = []
        installments.reserveCapacity(months)
        for month in 1...months {
            let interest = Int64((Double(balance) * monthlyRate).rounded())
            var principalPart = payment.cents - interest
            if month == months || principalPart > balance { principalPart = balance }
            balance -= principalPart
            installments.append(Installment(month: month, payment: Money(cents: principalPart + interest),
                                            interest: Money(cents: interest), principal: Money(cents: principalPart),
                                            remainingBalance: Money(cents: balance)))
        }
        self.installments = installments
    }

    /// Interest paid over the whole loan: the cost of the credit.
    public var totalInterest: Money { installments.reduce(.zero) { $0 + $1.interest } }
    /// Everything paid back.
    public var totalPaid: Money { installments.reduce(.zero) { $0 + $1.payment } }
    public var totalPrincipal: Money { installments.reduce(.zero) { $0 + $1.principal } }
}
