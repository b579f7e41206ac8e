/// Example requests for the demo, tests and benchmarks: realistic applicants, some approvable,
/// some denied for each kind of reason.
public enum SampleRequests {
    /// A named example and what the rules decide for it.
    public struct Sample: Sendable {
        public var name: String
        public var request: LoanRequest
    }

    /// One of each case: approvable primary home, approvable rental, too much debt, a recent
    /// default, too little down payment, too long a term, land not for construction.
    public static let archetypes: [Sample] = [
        Sample(name: "salaried couple, primary home", request: request(income: 6_200, debt: 300, .permanent, years: 8, value: 320_000, amount: 250_000, down: 70_000, months: 240)),
        Sample(name: "landlord, rental flat", request: request(income: 9_000, debt: 900, .selfEmployed, years: 6, value: 210_000, amount: 160_000, down: 50_000, months: 180, purpose: .rental)),
        Sample(name: "over-indebted", request: request(income: 2_600, debt: 700, .permanent, years: 4, value: 280_000, amount: 240_000, down: 40_000, months: 300)),
        Sample(name: "recent default", request: request(income: 5_000, debt: 200, .fixedTerm, years: 2, value: 200_000, amount: 150_000, down: 50_000, months: 240, defaults: 1)),
        Sample(name: "small down payment", request: request(income: 7_000, debt: 0, .permanent, years: 10, value: 300_000, amount: 295_000, down: 5_000, months: 300)),
        Sample(name: "30-year term", request: request(income: 8_000, debt: 0, .retired, years: 12, value: 400_000, amount: 200_000, down: 200_000, months: 360)),
        Sample(name: "land, no construction", request: request(income: 6_000, debt: 0, .permanent, years: 5, value: 90_000, amount: 60_000, down: 30_000, months: 120, type: .land, purpose: .primaryHome)),
        Sample(name: "new build", request: request(income: 5_800, debt: 150, .permanent, years: 3, value: 350_000, amount: 280_000, down: 70_000, months: 324, type: .house, purpose: .construction)),
    ]

    /// `count` requests cycling through ``archetypes``, each varied by its index so amounts and
    /// schedules differ (deterministic: the same index always gives the same request).
    public static func mixed(_ count: Int) -> [LoanRequest] {
        (0..<count).map { index in
            var request = archetypes[index % archetypes.count].request
            let step = Int64(index / archetypes.count % 20) * 500_00  // up to +9,500 € on value and income
            request.property.estimatedValue.cents += step * 2
            request.applicant.monthlyNetIncome.cents += step / 10
            request.loan.amount.cents += step
            return request
        }
    }

    static func request(income: Double, debt: Double, _ employment: EmploymentType, years: Double, value: Double, amount: Double,
                        down: Double, months: Int, defaults: Int = 0, type: PropertyType = .apartment,
                        purpose: LoanPurpose = .primaryHome) -> LoanRequest {
        LoanRequest(applicant: Applicant(monthlyNetIncome: Money(euros: income), monthlyDebtPayments: Money(euros: debt),
                                         employmentType: employment, employmentYears: years, defaultsLast24Months: defaults,
                                         latePaymentsLast24Months: 0, age: 38),
                    property: Property(estimatedValue: Money(euros: value), type: type, postcode: "69003", purpose: purpose),
                    loan: LoanTerms(amount: Money(euros: amount), downPayment: Money(euros: down), termMonths: months))
    }
}
