import LoanDomain
import PropertyBased
import Testing

/// Invariants of the amortization schedule over random loans.
@Suite struct ScheduleProperties {
    static let amounts = Gen.int(in: 1_000_00...2_000_000_00)    // cents
    static let rates = Gen.int(in: 0...1200)                       // hundredths of a percent: 0–12 %
    static let terms = Gen.int(in: 1...420)

    @Test func principalsSumExactlyToTheAmount() async {
        await propertyCheck(count: 300, input: Self.amounts, Self.rates, Self.terms) { cents, basisPoints, months in
            let amount = Money(cents: Int64(cents))
            let schedule = AmortizationSchedule(principal: amount, annualRate: Double(basisPoints) / 10_000, months: months)
            #expect(schedule.installments.count == months)
            #expect(schedule.totalPrincipal == amount)
            #expect(schedule.installments.last?.remainingBalance == .zero)
        }
    }

    @Test func everyMonthAddsUpAndTheBalanceOnlyFalls() async {
        await propertyCheck(count: 200, input: Self.amounts, Self.rates, Self.terms) { cents, basisPoints, months in
            let schedule = AmortizationSchedule(principal: Money(cents: Int64(cents)), annualRate: Double(basisPoints) / 10_000,
                                                months: months)
            var balance = Money(cents: Int64(cents))
            for installment in schedule.installments {
                #expect(installment.payment == installment.principal + installment.interest)
                #expect(installment.principal.cents >= 0)
                #expect(installment.interest.cents >= 0)
                #expect(installment.remainingBalance == balance - installment.principal)
                #expect(installment.remainingBalance <= balance)
                balance = installment.remainingBalance
            }
            #expect(schedule.totalPaid == schedule.totalPrincipal + schedule.totalInterest)
        }
    }

    @Test func paymentsAreLevelExceptTheLastOne() async {
        await propertyCheck(count: 200, input: Self.amounts, Gen.int(in: 1...1200), Gen.int(in: 2...420)) { cents, basisPoints, months in
            let amount = Money(cents: Int64(cents))
            let rate = Double(basisPoints) / 10_000
            let payment = Annuity.monthlyPayment(principal: amount, annualRate: rate, months: months)
            let schedule = AmortizationSchedule(principal: amount, annualRate: rate, months: months)
            for installment in schedule.installments.dropLast() { #expect(installment.payment == payment) }
            // Each month rounds the interest and the payment by at most half a cent each; those
            // errors compound at the monthly rate, which bounds the last payment's correction.
            let r = rate / 12
            let growth = (0..<months).reduce(0.0) { total, _ in total * (1 + r) + 1 }
            let last = schedule.installments.last!.payment.cents
            #expect(Double(abs(last - payment.cents)) <= growth + 1)
        }
    }

    @Test func zeroRateRepaysPrincipalOnly() {
        let schedule = AmortizationSchedule(principal: Money(euros: 1000), annualRate: 0, months: 3)
        #expect(schedule.installments.map(\.principal.cents) == [33_333, 33_333, 33_334])
        #expect(schedule.totalInterest == .zero)
    }
}
