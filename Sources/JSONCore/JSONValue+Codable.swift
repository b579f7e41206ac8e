import Foundation

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let b = try? container.decode(Bool.self) { self = .bool(b) }
        else if let i = try? container.decode(Int64.self) { self = .int(i) }
        else if let d = try? container.decode(Double.self) { self = .double(d) }
        else if let s = try? container.decode(String.self) { self = .string(s) }
        else if let a = try? container.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let i): try container.encode(i)
        case .double(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }
}

extension JSONValue {
    /// Encodes any `Encodable` value (a task argument or result) as a JSON value.
    /// Dates become ISO-8601 strings, as Celery writes them.
    public init<T: Encodable>(encoding value: T) throws {
        if let json = value as? JSONValue { self = json; return }
        // Directly, when that gives exactly what the text round trip below gives (JSONValueCoding.swift).
        if let json = FastJSONEncoder.encode(value) { self = json; return }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        self = try JSONValue(parsing: Array(try encoder.encode(value)))
    }

    /// Decodes the JSON value as `T`.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        if let json = self as? T { return json }
        if let value = FastJSONDecoder.decode(T.self, from: self) { return value }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(T.self, from: Data(serialized()))
    }
}
