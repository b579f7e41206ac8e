import LoanDomain
import Testing

/// The documented rules, example by example.
@Suite struct LoanRulesTests {
    static func request(income: Double = 5_000, debts: Double = 0, employment: EmploymentType = .permanent, years: Double = 6,
                        defaults: Int = 0, late: Int = 0, age: Int = 35, value: Double = 300_000,
                        purpose: LoanPurpose = .primaryHome, type: PropertyType = .apartment,
                        amount: Double = 240_000, down: Double = 60_000, term: Int = 240) -> LoanRequest {
        LoanRequest(
            applicant: Applicant(monthlyNetIncome: Money(euros: income), monthlyDebtPayments: Money(euros: debts),
                                 employmentType: employment, employmentYears: years, defaultsLast24Months: defaults,
                                 latePaymentsLast24Months: late, age: age),
            property: Property(estimatedValue: Money(euros: value), type: type, postcode: "75011", purpose: purpose),
            loan: LoanTerms(amount: Money(euros: amount), downPayment: Money(euros: down), termMonths: term))
    }

    @Test func annuityMatchesTheTextbookFormula() {
        // 200,000 € over 20 years at 3.6 %: 1,170.22 € a month.
        #expect(Annuity.monthlyPayment(principal: Money(euros: 200_000), annualRate: 0.036, months: 240) == Money(euros: 1170.22))
    }

    @Test func scoreFollowsTheDocumentedWeights() {
        let base = Self.request().applicant
        #expect(CreditCheck.score(base) == 600 + 70 + 30)
        var risky = base
        risky.latePaymentsLast24Months = 2
        #expect(CreditCheck.score(risky) == 700 - 50)
        risky.employmentType = .unemployed
        risky.employmentYears = 0
        risky.defaultsLast24Months = 3
        #expect(CreditCheck.score(risky) == 300)  // clamped
    }

    @Test func goodRequestIsApprovedWithAFullSchedule() {
        let decision = LoanDecision.evaluate(Self.request())
        #expect(decision.approved)
        #expect(decision.reasons.isEmpty)
        #expect(decision.annualRate == 0.0345)  // 20 years, score 700
        #expect(decision.schedule?.count == 240)
        #expect(decision.monthlyPayment == Annuity.monthlyPayment(principal: Money(euros: 240_000), annualRate: 0.0345, months: 240))
        #expect(decision.totalCostOfCredit == AmortizationSchedule(principal: Money(euros: 240_000), annualRate: 0.0345, months: 240).totalInterest)
    }

    @Test func debtToIncomeAboveThirtyFivePercentIsDenied() {
        let credit = CreditCheck.evaluate(Self.request(income: 3_000, debts: 400))
        #expect(!credit.approved)
        #expect(credit.debtToIncome > 0.35)
        #expect(credit.reasons.contains { $0.contains("debt-to-income") })
    }

    @Test func recentDefaultIsDenied() {
        let credit = CreditCheck.evaluate(Self.request(defaults: 1))
        #expect(!credit.approved)
        #expect(credit.reasons.contains("payment default in the last 24 months"))
    }

    @Test(arguments: [(LoanPurpose.primaryHome, 270_000.0, true), (.primaryHome, 271_000, false),
                      (.rental, 240_000, true), (.rental, 241_000, false), (.construction, 255_000, true)])
    func loanToValueLimitsByPurpose(_ purpose: LoanPurpose, _ amount: Double, _ approved: Bool) {
        let result = PropertyCheck.evaluate(Self.request(value: 300_000, purpose: purpose, amount: amount))
        #expect(result.approved == approved, "\(result.reasons)")
    }

    @Test func termLimitsAndValueRange() {
        #expect(!PropertyCheck.evaluate(Self.request(term: 301)).approved)
        #expect(PropertyCheck.evaluate(Self.request(purpose: .construction, amount: 240_000, term: 324)).approved)
        #expect(!PropertyCheck.evaluate(Self.request(purpose: .construction, amount: 240_000, term: 325)).approved)
        #expect(!PropertyCheck.evaluate(Self.request(value: 20_000, amount: 10_000)).approved)
        #expect(!PropertyCheck.evaluate(Self.request(type: .land)).approved)
    }

    @Test func decisionCombinesBothChecksReasons() {
        let decision = LoanDecision.evaluate(Self.request(defaults: 1, purpose: .rental, amount: 280_000))
        #expect(!decision.approved)
        #expect(decision.schedule == nil)
        #expect(decision.reasons.count >= 2)
    }

    @Test func rateTiers() {
        #expect(RateTable.rate(score: 800, termMonths: 180) == 0.0280)
        #expect(RateTable.rate(score: 650, termMonths: 300) == 0.0400)
        #expect(RateTable.rate(score: 550, termMonths: 324) == 0.0455)
    }
}

@Suite struct SampleRequestsTests {
    /// The samples cover both outcomes and every kind of denial, so demos and pipeline tests
    /// exercise each path.
    @Test func archetypesCoverEveryOutcome() {
        let outcomes = SampleRequests.archetypes.map { (sample) -> (String, LoanDecision) in (sample.name, LoanDecision.evaluate(sample.request)) }
        let approved = outcomes.filter { $0.1.approved }.map(\.0)
        #expect(approved == ["salaried couple, primary home", "landlord, rental flat", "new build"])
        let reasons = outcomes.flatMap(\.1.reasons).joined(separator: "\n")
        for fragment in ["debt-to-income", "payment default", "loan-to-value", "term 360 months", "land is only financed"] {
            #expect(reasons.contains(fragment), "no sample denied for \(fragment)")
        }
    }

    @Test func mixedIsDeterministicAndVaried() {
        let first = SampleRequests.mixed(40), second = SampleRequests.mixed(40)
        #expect(first == second)
        #expect(Set(first.map(\.loan.amount)).count > 8)
    }
}
