/// Everything the evaluation needs about one loan request.
public struct LoanRequest: Sendable, Hashable, Codable {
    public var applicant: Applicant
    public var property: Property
    public var loan: LoanTerms

    public init(applicant: Applicant, property: Property, loan: LoanTerms) {
        self.applicant = applicant
        self.property = property
        self.loan = loan
    }
}

public enum EmploymentType: String, Sendable, Hashable, Codable, CaseIterable {
    case permanent, fixedTerm = "fixed_term", selfEmployed = "self_employed", retired, unemployed
}

/// The person borrowing.
public struct Applicant: Sendable, Hashable, Codable {
    /// Net income per month.
    public var monthlyNetIncome: Money
    /// Repayments of existing loans per month.
    public var monthlyDebtPayments: Money
    public var employmentType: EmploymentType
    /// Years in the current employment (or self-employment).
    public var employmentYears: Double
    /// Payment defaults in the last 24 months.
    public var defaultsLast24Months: Int
    /// Late payments in the last 24 months.
    public var latePaymentsLast24Months: Int
    public var age: Int

    public init(monthlyNetIncome: Money, monthlyDebtPayments: Money, employmentType: EmploymentType,
                employmentYears: Double, defaultsLast24Months: Int, latePaymentsLast24Months: Int, age: Int) {
        self.monthlyNetIncome = monthlyNetIncome
        self.monthlyDebtPayments = monthlyDebtPayments
        self.employmentType = employmentType
        self.employmentYears = employmentYears
        self.defaultsLast24Months = defaultsLast24Months
        self.latePaymentsLast24Months = latePaymentsLast24Months
        self.age = age
    }

    enum CodingKeys: String, CodingKey {
        case monthlyNetIncome = "monthly_net_income", monthlyDebtPayments = "monthly_debt_payments"
        case employmentType = "employment_type", employmentYears = "employment_years"
        case defaultsLast24Months = "defaults_last_24_months", latePaymentsLast24Months = "late_payments_last_24_months"
        case age
    }
}

public enum PropertyType: String, Sendable, Hashable, Codable, CaseIterable {
    case apartment, house, land
}

public enum LoanPurpose: String, Sendable, Hashable, Codable, CaseIterable {
    case primaryHome = "primary_home", rental, construction
}

/// The property financed.
public struct Property: Sendable, Hashable, Codable {
    public var estimatedValue: Money
    public var type: PropertyType
    /// French postcode, five digits.
    public var postcode: String
    public var purpose: LoanPurpose

    public init(estimatedValue: Money, type: PropertyType, postcode: String, purpose: LoanPurpose) {
        self.estimatedValue = estimatedValue
        self.type = type
        self.postcode = postcode
        self.purpose = purpose
    }

    enum CodingKeys: String, CodingKey {
        case estimatedValue = "estimated_value", type, postcode, purpose
    }
}

/// What is borrowed and for how long.
public struct LoanTerms: Sendable, Hashable, Codable {
    /// The amount borrowed.
    public var amount: Money
    /// The applicant's own contribution.
    public var downPayment: Money
    public var termMonths: Int

    public init(amount: Money, downPayment: Money, termMonths: Int) {
        self.amount = amount
        self.downPayment = downPayment
        self.termMonths = termMonths
    }

    enum CodingKeys: String, CodingKey {
        case amount, downPayment = "down_payment", termMonths = "term_months"
    }
}
