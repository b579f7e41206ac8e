public import JSONCore
public import LoanDomain

/// Checks a loan request field by field and builds the ``LoanRequest``; every problem is
/// reported under its field path (`applicant.monthly_net_income`), not only the first.
public struct LoanRequestValidation {
    private var errors: [String: String] = [:]

    /// The request, or ``APIError/validation(_:)`` (422) listing each invalid field.
    public static func validate(_ body: [String: JSONValue]) throws(APIError) -> LoanRequest {
        var validation = LoanRequestValidation()
        let applicant = validation.object(body, "applicant", keys: ["monthly_net_income", "monthly_debt_payments", "employment_type",
                                                                    "employment_years", "defaults_last_24_months",
                                                                    "late_payments_last_24_months", "age"])
        let property = validation.object(body, "property", keys: ["estimated_value", "type", "postcode", "purpose"])
        let loan = validation.object(body, "loan", keys: ["amount", "down_payment", "term_months"])
        validation.unknownKeys(body, path: "", allowed: ["applicant", "property", "loan"])

        let income = validation.money(applicant, "applicant.monthly_net_income", min: 0)
        let debt = validation.money(applicant, "applicant.monthly_debt_payments", min: 0)
        let employment: EmploymentType? = validation.choice(applicant, "applicant.employment_type")
        let years = validation.number(applicant, "applicant.employment_years", 0...80)
        let defaults = validation.integer(applicant, "applicant.defaults_last_24_months", 0...100)
        let late = validation.integer(applicant, "applicant.late_payments_last_24_months", 0...100)
        let age = validation.integer(applicant, "applicant.age", 18...120)
        let value = validation.money(property, "property.estimated_value", min: 0.01)
        let type: PropertyType? = validation.choice(property, "property.type")
        let postcode = validation.postcode(property, "property.postcode")
        let purpose: LoanPurpose? = validation.choice(property, "property.purpose")
        let amount = validation.money(loan, "loan.amount", min: 0.01)
        let down = validation.money(loan, "loan.down_payment", min: 0)
        let term = validation.integer(loan, "loan.term_months", 1...600)

        guard validation.errors.isEmpty, let income, let debt, let employment, let years, let defaults, let late, let age,
              let value, let type, let postcode, let purpose, let amount, let down, let term else {
            throw APIError.validation(validation.errors)
        }
        return LoanRequest(
            applicant: Applicant(monthlyNetIncome: income, monthlyDebtPayments: debt, employmentType: employment, employmentYears: years,
                                 defaultsLast24Months: defaults, latePaymentsLast24Months: late, age: age),
            property: Property(estimatedValue: value, type: type, postcode: postcode, purpose: purpose),
            loan: LoanTerms(amount: amount, downPayment: down, termMonths: term))
    }

    /// Largest amount accepted, in euros (keeps schedules far from integer overflow).
    static let maximumAmount = 1_000_000_000.0

    // MARK: field readers: each records its own error and answers nil

    private mutating func object(_ body: [String: JSONValue], _ path: String, keys: [String]) -> [String: JSONValue]? {
        guard let value = body[path], !value.isNull else { errors[path] = "required"; return nil }
        guard let object = value.objectValue else { errors[path] = "must be an object"; return nil }
        unknownKeys(object, path: path + ".", allowed: Set(keys))
        return object
    }

    private mutating func unknownKeys(_ object: [String: JSONValue], path: String, allowed: Set<String>) {
        for key in object.keys where !allowed.contains(key) { errors[path + key] = "unknown field" }
    }

    private mutating func present(_ parent: [String: JSONValue]?, _ path: String) -> JSONValue? {
        guard let parent else { return nil }  // the parent's own error is reported
        let key = String(path.split(separator: ".").last!)
        guard let value = parent[key], !value.isNull else { errors[path] = "required"; return nil }
        return value
    }

    private mutating func number(_ parent: [String: JSONValue]?, _ path: String, _ range: ClosedRange<Double>) -> Double? {
        guard let value = present(parent, path) else { return nil }
        guard let number = Self.numeric(value), number.isFinite, range.contains(number) else {
            errors[path] = "must be a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))"
            return nil
        }
        return number
    }

    private mutating func money(_ parent: [String: JSONValue]?, _ path: String, min: Double) -> Money? {
        number(parent, path, min...Self.maximumAmount).map(Money.init(euros:))
    }

    private mutating func integer(_ parent: [String: JSONValue]?, _ path: String, _ range: ClosedRange<Int>) -> Int? {
        guard let value = present(parent, path) else { return nil }
        guard case .int(let raw) = value, let integer = Int(exactly: raw), range.contains(integer) else {
            errors[path] = "must be an integer from \(range.lowerBound) to \(range.upperBound)"
            return nil
        }
        return integer
    }

    private mutating func choice<T: RawRepresentable & CaseIterable>(_ parent: [String: JSONValue]?, _ path: String) -> T?
    where T.RawValue == String {
        guard let value = present(parent, path) else { return nil }
        guard let text = value.stringValue, let choice = T(rawValue: text) else {
            errors[path] = "must be one of: " + T.allCases.map(\.rawValue).joined(separator: ", ")
            return nil
        }
        return choice
    }

    private mutating func postcode(_ parent: [String: JSONValue]?, _ path: String) -> String? {
        guard let value = present(parent, path) else { return nil }
        guard let text = value.stringValue, text.utf8.count == 5, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            errors[path] = "must be a string of five digits (French postcode)"
            return nil
        }
        return text
    }

    /// JSON numbers only (a numeric string is a type error).
    private static func numeric(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
