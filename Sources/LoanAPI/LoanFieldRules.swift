public import JSONCore
import LoanDomain

/// What one field of a loan request must be, and the message when it is not.
///
/// The single source of truth for loan request validation: ``LoanRequestValidation`` checks
/// requests with these rules, and the OpenAPI document's `LoanRequest` schema is generated from
/// them (bounds, choices, pattern, and the exact message as `x-error-message`), which is what
/// the web front end reads for its inline validation. No bound is written down twice.
public struct LoanFieldRule: Sendable {
    public enum Kind: Sendable {
        /// A JSON number (a numeric string is a type error) within the range.
        case number(ClosedRange<Double>)
        /// A JSON integer within the range.
        case integer(ClosedRange<Int>)
        /// One of these strings.
        case choice([String])
        /// A string of five ASCII digits (a French postcode).
        case postcode
    }

    /// The field's path in the request (`applicant.age`); errors are reported under it.
    public let path: String
    public let kind: Kind

    /// The message for a present but invalid value (an absent one is "required").
    public var message: String {
        switch kind {
        case .number(let range): "must be a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))"
        case .integer(let range): "must be an integer from \(range.lowerBound) to \(range.upperBound)"
        case .choice(let values): "must be one of: " + values.joined(separator: ", ")
        case .postcode: "must be a string of five digits (French postcode)"
        }
    }

    /// The field's JSON Schema, with the message as the `x-error-message` annotation.
    public var schema: JSONValue {
        var schema: [String: JSONValue]
        switch kind {
        case .number(let range):
            schema = ["type": "number", "minimum": .double(range.lowerBound), "maximum": .double(range.upperBound)]
        case .integer(let range):
            schema = ["type": "integer", "minimum": .int(Int64(range.lowerBound)), "maximum": .int(Int64(range.upperBound))]
        case .choice(let values):
            schema = ["type": "string", "enum": .array(values.map { .string($0) })]
        case .postcode:
            schema = ["type": "string", "pattern": "^[0-9]{5}$"]
        }
        schema["x-error-message"] = .string(message)
        return .object(schema)
    }

    /// The section (`applicant`) and the key inside it (`age`).
    var section: String { String(path.split(separator: ".").first!) }
    var key: String { String(path.split(separator: ".").last!) }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension LoanFieldRule {
    /// Largest amount accepted, in euros (keeps schedules far from integer overflow).
    public static let maximumAmount = 1_000_000_000.0

    static func money(_ path: String, min: Double) -> LoanFieldRule { LoanFieldRule(path: path, kind: .number(min...maximumAmount)) }
    static func choice<T: RawRepresentable & CaseIterable>(_ path: String, _: T.Type) -> LoanFieldRule where T.RawValue == String {
        LoanFieldRule(path: path, kind: .choice(T.allCases.map(\.rawValue)))
    }

    public static let monthlyNetIncome = money("applicant.monthly_net_income", min: 0)
    public static let monthlyDebtPayments = money("applicant.monthly_debt_payments", min: 0)
    public static let employmentType = choice("applicant.employment_type", EmploymentType.self)
    public static let employmentYears = LoanFieldRule(path: "applicant.employment_years", kind: .number(0...80))
    public static let defaults = LoanFieldRule(path: "applicant.defaults_last_24_months", kind: .integer(0...100))
    public static let latePayments = LoanFieldRule(path: "applicant.late_payments_last_24_months", kind: .integer(0...100))
    public static let age = LoanFieldRule(path: "applicant.age", kind: .integer(18...120))
    public static let estimatedValue = money("property.estimated_value", min: 0.01)
    public static let propertyType = choice("property.type", PropertyType.self)
    public static let postcode = LoanFieldRule(path: "property.postcode", kind: .postcode)
    public static let purpose = choice("property.purpose", LoanPurpose.self)
    public static let amount = money("loan.amount", min: 0.01)
    public static let downPayment = money("loan.down_payment", min: 0)
    public static let termMonths = LoanFieldRule(path: "loan.term_months", kind: .integer(1...600))

    /// Every field, in the order a form shows them.
    public static let all: [LoanFieldRule] = [
        monthlyNetIncome, monthlyDebtPayments, employmentType, employmentYears, defaults, latePayments, age,
        estimatedValue, propertyType, postcode, purpose, amount, downPayment, termMonths,
    ]

    /// The sections of a request, in order.
    public static let sections = ["applicant", "property", "loan"]

    /// The `LoanRequest` schema: closed objects, every field required.
    static var requestSchema: JSONValue {
        var properties: [String: JSONValue] = [:]
        for section in sections {
            let fields = all.filter { $0.section == section }
            properties[section] = [
                "type": "object", "additionalProperties": false,
                "properties": .object(Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.schema) })),
                "required": .array(fields.map { .string($0.key) }),
            ]
        }
        return ["type": "object", "additionalProperties": false, "properties": .object(properties),
                "required": .array(sections.map { .string($0) })]
    }
}
