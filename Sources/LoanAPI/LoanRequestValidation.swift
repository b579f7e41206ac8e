public import JSONCore
public import LoanDomain

/// Checks a loan request field by field and builds the ``LoanRequest``; every problem is
/// reported under its field path (`applicant.monthly_net_income`), not only the first. The
/// bounds and messages are the ``LoanFieldRule``s (shared with the OpenAPI schema and the web form).
public struct LoanRequestValidation {
    private var errors: [String: String] = [:]

    /// The request, or ``APIError/validation(_:)`` (422) listing each invalid field.
    public static func validate(_ body: [String: JSONValue]) throws(APIError) -> LoanRequest {
        var validation = LoanRequestValidation()
        let applicant = validation.object(body, "applicant")
        let property = validation.object(body, "property")
        let loan = validation.object(body, "loan")
        validation.unknownKeys(body, path: "", allowed: Set(LoanFieldRule.sections))

        typealias Rule = LoanFieldRule
        let income = validation.money(applicant, Rule.monthlyNetIncome)
        let debt = validation.money(applicant, Rule.monthlyDebtPayments)
        let employment: EmploymentType? = validation.choice(applicant, Rule.employmentType)
        let years = validation.number(applicant, Rule.employmentYears)
        let defaults = validation.integer(applicant, Rule.defaults)
        let late = validation.integer(applicant, Rule.latePayments)
        let age = validation.integer(applicant, Rule.age)
        let value = validation.money(property, Rule.estimatedValue)
        let type: PropertyType? = validation.choice(property, Rule.propertyType)
        let postcode = validation.postcode(property, Rule.postcode)
        let purpose: LoanPurpose? = validation.choice(property, Rule.purpose)
        let amount = validation.money(loan, Rule.amount)
        let down = validation.money(loan, Rule.downPayment)
        let term = validation.integer(loan, Rule.termMonths)

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

    // MARK: field readers: each records its own error and answers nil

    private mutating func object(_ body: [String: JSONValue], _ path: String) -> [String: JSONValue]? {
        guard let value = body[path], !value.isNull else { errors[path] = "required"; return nil }
        guard let object = value.objectValue else { errors[path] = "must be an object"; return nil }
        unknownKeys(object, path: path + ".", allowed: Set(LoanFieldRule.all.filter { $0.section == path }.map(\.key)))
        return object
    }

    private mutating func unknownKeys(_ object: [String: JSONValue], path: String, allowed: Set<String>) {
        for key in object.keys where !allowed.contains(key) { errors[path + key] = "unknown field" }
    }

    private mutating func present(_ parent: [String: JSONValue]?, _ rule: LoanFieldRule) -> JSONValue? {
        guard let parent else { return nil }  // the parent's own error is reported
        guard let value = parent[rule.key], !value.isNull else { errors[rule.path] = "required"; return nil }
        return value
    }

    private mutating func number(_ parent: [String: JSONValue]?, _ rule: LoanFieldRule) -> Double? {
        guard let value = present(parent, rule), case .number(let range) = rule.kind else { return nil }
        guard let number = Self.numeric(value), number.isFinite, range.contains(number) else {
            errors[rule.path] = rule.message
            return nil
        }
        return number
    }

    private mutating func money(_ parent: [String: JSONValue]?, _ rule: LoanFieldRule) -> Money? {
        number(parent, rule).map(Money.init(euros:))
    }

    private mutating func integer(_ parent: [String: JSONValue]?, _ rule: LoanFieldRule) -> Int? {
        guard let value = present(parent, rule), case .integer(let range) = rule.kind else { return nil }
        guard case .int(let raw) = value, let integer = Int(exactly: raw), range.contains(integer) else {
            errors[rule.path] = rule.message
            return nil
        }
        return integer
    }

    private mutating func choice<T: RawRepresentable>(_ parent: [String: JSONValue]?, _ rule: LoanFieldRule) -> T?
    where T.RawValue == String {
        guard let value = present(parent, rule) else { return nil }
        guard let text = value.stringValue, let choice = T(rawValue: text) else {
            errors[rule.path] = rule.message
            return nil
        }
        return choice
    }

    private mutating func postcode(_ parent: [String: JSONValue]?, _ rule: LoanFieldRule) -> String? {
        guard let value = present(parent, rule) else { return nil }
        guard let text = value.stringValue, text.utf8.count == 5, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            errors[rule.path] = rule.message
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
}
