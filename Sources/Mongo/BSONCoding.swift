public import Foundation
import JSONCore

/// Encodes `Encodable` values as BSON documents.
///
/// | Swift | BSON |
/// |---|---|
/// | `Int`, `Int64` | int64 |
/// | `Double`, `Float` | double |
/// | `String`, `Bool` | string, bool |
/// | `Date` | UTC datetime (millisecond precision) |
/// | ``BSONObjectID`` | ObjectId |
/// | ``BSONDecimal`` | Decimal128 (exact); a plain `Foundation.Decimal` is stored as a double |
/// | `Data` | string (base64) |
/// | `UUID` | string |
/// | `nil` optionals | absent field |
/// | nested structs, arrays, dictionaries, raw-value enums | documents, arrays, their raw values |
public struct BSONEncoder: Sendable {
    static let bsonKey = CodingUserInfoKey(rawValue: "celeriac.bson")!

    public init() {}

    /// Encodes a value that encodes as a keyed container (a struct or dictionary).
    public func encode<T: Encodable>(_ value: T) throws(MongoError) -> BSONDocument {
        guard case .document(let document) = try encodeValue(value) else {
            throw MongoError.encoding("\(T.self) does not encode as a document")
        }
        return document
    }

    /// Encodes any value (for use inside update operators such as `$set`).
    public func encodeValue<T: Encodable>(_ value: T) throws(MongoError) -> BSONValue {
        if let bson = value as? BSONValue { return bson }
        if let document = value as? BSONDocument { return .document(document) }
        let encoder = JSONEncoder()
        encoder.userInfo[Self.bsonKey] = true
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.container(keyedBy: DateKey.self)
            try container.encode((date.timeIntervalSince1970 * 1000).rounded(), forKey: .date)
        }
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return ExtendedJSON.fromCodableJSON(try JSONValue(parsing: try encoder.encode(value)))
        } catch {
            throw MongoError.encoding("cannot encode \(T.self): \(error)")
        }
    }
}

/// Decodes BSON documents into `Decodable` values (the mapping of ``BSONEncoder``; absent and
/// null fields both decode as `nil`). Errors name the coding path.
public struct BSONDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from document: BSONDocument) throws(MongoError) -> T {
        try decode(type, fromValue: .document(document))
    }

    public func decode<T: Decodable>(_ type: T.Type, fromValue value: BSONValue) throws(MongoError) -> T {
        if let bson = value as? T { return bson }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.container(keyedBy: DateKey.self)
            return Date(timeIntervalSince1970: try container.decode(Double.self, forKey: .date) / 1000)
        }
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return try decoder.decode(T.self, from: Data(ExtendedJSON.codableJSON(value).serialized()))
        } catch let error as DecodingError {
            throw MongoError.decoding(Self.describe(error, type: T.self))
        } catch {
            throw MongoError.decoding("cannot decode \(T.self): \(error)")
        }
    }

    static func describe(_ error: DecodingError, type: Any.Type) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return text.isEmpty ? "(document)" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "\(type): missing field '\(parent == "(document)" ? key.stringValue : "\(parent).\(key.stringValue)")'"
        case .typeMismatch(let expected, let context): return "\(type): field '\(path(context))' is not \(expected)"
        case .valueNotFound(let expected, let context): return "\(type): field '\(path(context))' is null, expected \(expected)"
        case .dataCorrupted(let context): return "\(type): field '\(path(context))': \(context.debugDescription)"
        @unknown default: return "\(type): \(error)"
        }
    }
}

enum DateKey: String, CodingKey { case date = "$date" }

/// An exact decimal stored as BSON Decimal128 (e.g. money amounts that must not round).
public struct BSONDecimal: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The decimal text, e.g. `"1234.50"`.
    public var text: String

    public init(_ decimal: Decimal) { text = "\(decimal)" }
    public init?(_ text: String) {
        guard Decimal(string: text) != nil else { return nil }
        self.text = text
    }

    public var decimal: Decimal { Decimal(string: text) ?? 0 }
    public var description: String { text }

    enum CodingKeys: String, CodingKey { case decimal = "$numberDecimal" }

    public init(from decoder: any Decoder) throws {
        if let number = try? decoder.singleValueContainer().decode(Double.self) {
            text = "\(Decimal(number))"
        } else if let string = try? decoder.singleValueContainer().decode(String.self) {
            text = string
        } else {
            text = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .decimal)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if encoder.userInfo[BSONEncoder.bsonKey] as? Bool == true {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(text, forKey: .decimal)
        } else {
            var container = encoder.singleValueContainer()
            try container.encode(text)
        }
    }
}
