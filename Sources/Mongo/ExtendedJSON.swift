import Foundation
import JSONCore

/// BSON ⇄ canonical Extended JSON, the lossless text form libbson reads and writes
/// (`{"$numberInt": "5"}`, `{"$date": {"$numberLong": "…"}}`, `{"$oid": "…"}`, ...).
enum ExtendedJSON {
    // MARK: BSON → text (for bson_new_from_json)

    static func text(_ document: BSONDocument) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(document, to: &out)
        return out
    }

    private static func write(_ document: BSONDocument, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, element) in document.elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.string(element.key).write(to: &out)
            out.append(UInt8(ascii: ":"))
            write(element.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func wrapped(_ key: String, _ value: JSONValue, to out: inout [UInt8]) {
        JSONValue.object([key: value]).write(to: &out)
    }

    private static func write(_ value: BSONValue, to out: inout [UInt8]) {
        switch value {
        case .document(let document): write(document, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string(let s): JSONValue.string(s).write(to: &out)
        case .bool(let b): JSONValue.bool(b).write(to: &out)
        case .null: JSONValue.null.write(to: &out)
        case .int32(let v): wrapped("$numberInt", .string(String(v)), to: &out)
        case .int64(let v): wrapped("$numberLong", .string(String(v)), to: &out)
        case .double(let d):
            let text = d.isNaN ? "NaN" : d.isInfinite ? (d < 0 ? "-Infinity" : "Infinity") : "\(d)"
            wrapped("$numberDouble", .string(text), to: &out)
        case .decimal128(let text): wrapped("$numberDecimal", .string(text), to: &out)
        case .objectID(let id): wrapped("$oid", .string(id.hex), to: &out)
        case .datetime(let date):
            let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
            wrapped("$date", .object(["$numberLong": .string(String(ms))]), to: &out)
        case .binary(let bytes):
            wrapped("$binary", .object(["base64": .string(Data(bytes).base64EncodedString()), "subType": "00"]), to: &out)
        }
    }

    // MARK: text (from bson_as_canonical_extended_json) → BSON

    static func document(_ text: [UInt8]) throws(MongoError) -> BSONDocument {
        let json: JSONValue
        do { json = try JSONValue(parsing: text) } catch { throw MongoError.decoding("unreadable document from libbson: \(error)") }
        guard case .document(let document) = try value(json) else { throw MongoError.decoding("expected a document") }
        return document
    }

    static func value(_ json: JSONValue) throws(MongoError) -> BSONValue {
        switch json {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return Int32(exactly: i).map(BSONValue.int32) ?? .int64(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let items):
            var values: [BSONValue] = []
            for item in items { values.append(try value(item)) }
            return .array(values)
        case .object(let members):
            if members.count == 1, let (key, inner) = members.first, key.hasPrefix("$"), let typed = try special(key, inner) {
                return typed
            }
            var document = BSONDocument()
            // Canonical JSON objects lose their order through the dictionary; results are read by
            // key, so that is harmless.
            for key in members.keys.sorted() { document[key] = try value(members[key]!) }
            return .document(document)
        }
    }

    private static func special(_ key: String, _ inner: JSONValue) throws(MongoError) -> BSONValue? {
        switch key {
        case "$numberInt": return inner.stringValue.flatMap { Int32($0) }.map(BSONValue.int32)
        case "$numberLong": return inner.stringValue.flatMap { Int64($0) }.map(BSONValue.int64)
        case "$numberDouble": return inner.stringValue.flatMap { Double($0) }.map(BSONValue.double)
        case "$numberDecimal": return inner.stringValue.map(BSONValue.decimal128)
        case "$oid": return try inner.stringValue.map { (hex) throws(MongoError) in .objectID(try BSONObjectID(hex: hex)) }
        case "$date":
            if let ms = inner["$numberLong"]?.stringValue.flatMap({ Int64($0) }) {
                return .datetime(Date(timeIntervalSince1970: Double(ms) / 1000))
            }
            return nil
        case "$binary":
            if let base64 = inner["base64"]?.stringValue, let data = Data(base64Encoded: base64) { return .binary(Array(data)) }
            return nil
        default: return nil
        }
    }

    // MARK: BSON ⇄ JSONValue for the Codable bridge (markers the decoder understands)

    /// The value as JSON for `JSONDecoder`: dates become `{"$date": ms}`, ids `{"$oid": hex}`,
    /// decimals their text.
    static func codableJSON(_ value: BSONValue) -> JSONValue {
        switch value {
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .document(let document): .object(Dictionary(document.elements.map { ($0.key, codableJSON($0.value)) }, uniquingKeysWith: { $1 }))
        case .array(let items): .array(items.map(codableJSON))
        case .binary(let bytes): .string(Data(bytes).base64EncodedString())
        case .objectID(let id): .object(["$oid": .string(id.hex)])
        case .bool(let b): .bool(b)
        case .datetime(let date): .object(["$date": .int(Int64((date.timeIntervalSince1970 * 1000).rounded()))])
        case .null: .null
        case .int32(let v): .int(Int64(v))
        case .int64(let v): .int(v)
        case .decimal128(let text): Double(text).map(JSONValue.double) ?? .string(text)
        }
    }

    /// JSON from `JSONEncoder` (with the markers ``BSONEncoder`` writes) as BSON.
    static func fromCodableJSON(_ json: JSONValue) -> BSONValue {
        switch json {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int64(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(fromCodableJSON))
        case .object(let members):
            if members.count == 1, let (key, inner) = members.first {
                if key == "$oid", let hex = inner.stringValue, let id = try? BSONObjectID(hex: hex) { return .objectID(id) }
                if key == "$date", let ms = inner.doubleValue { return .datetime(Date(timeIntervalSince1970: ms / 1000)) }
                if key == "$numberDecimal", let text = inner.stringValue { return .decimal128(text) }
            }
            return .document(BSONDocument(members.keys.sorted().map { ($0, fromCodableJSON(members[$0]!)) }))
        }
    }
}
