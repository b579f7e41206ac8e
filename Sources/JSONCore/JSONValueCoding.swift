import Foundation

// Direct Codable <-> JSONValue conversion, the fast path of `JSONValue(encoding:)` and
// `JSONValue.decode(as:)`. The reference path goes through text (JSONEncoder then the JSON
// parser; serializing then JSONDecoder), which costs several allocations per field and showed as
// ~7 % of a worker's CPU (task arguments) and ~8 % of a producer's.
//
// The fast path only handles what it can do exactly as the reference path does: objects, arrays,
// null, booleans, strings, integers that fit, finite non-integral doubles when encoding, finite
// doubles when decoding. Anything else — a Date, Data, URL, Decimal, Float, a nested JSONValue
// (whose text round trip normalises numbers), an integer sent as a double, a missing key, a type
// mismatch, an error swallowed by a `try?` inside some `init(from:)` — marks the conversion as
// "not exact", and it is done again the reference way. So results, and errors, are the same.

/// Set by the fast coders whenever the reference path might behave differently.
final class FastCodingState {
    var exact = true
}

private struct NotExact: Error {}

private func bail(_ state: FastCodingState) -> NotExact {
    state.exact = false
    return NotExact()
}

/// Types the reference coders special-case (or normalise), so the fast path leaves them alone.
private func isSpecial(_ type: Any.Type) -> Bool {
    type == JSONValue.self || type == Date.self || type == Data.self || type == URL.self || type == Decimal.self
        || type == Float.self || type == Double.self
}

// MARK: decoding

struct FastJSONDecoder: Decoder {
    let value: JSONValue
    let state: FastCodingState
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) -> T? {
        let state = FastCodingState()
        guard !isSpecial(T.self), let result = try? T(from: FastJSONDecoder(value: value, state: state)), state.exact else {
            return nil
        }
        return result
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw bail(state) }
        return KeyedDecodingContainer(Keyed<Key>(object: object, state: state, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = value else { throw bail(state) }
        return Unkeyed(array: array, state: state, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        Single(value: value, state: state, codingPath: codingPath)
    }

    static func decodeValue<T: Decodable>(_ type: T.Type, _ value: JSONValue, _ state: FastCodingState,
                                          _ path: [any CodingKey]) throws -> T {
        switch type {
        case is Bool.Type: return try bool(value, state) as! T
        case is String.Type: return try string(value, state) as! T
        case is Int.Type: return try integer(Int.self, value, state) as! T
        case is Int64.Type: return try integer(Int64.self, value, state) as! T
        case is Int32.Type: return try integer(Int32.self, value, state) as! T
        case is Int16.Type: return try integer(Int16.self, value, state) as! T
        case is Int8.Type: return try integer(Int8.self, value, state) as! T
        case is UInt.Type: return try integer(UInt.self, value, state) as! T
        case is UInt64.Type: return try integer(UInt64.self, value, state) as! T
        case is UInt32.Type: return try integer(UInt32.self, value, state) as! T
        case is UInt16.Type: return try integer(UInt16.self, value, state) as! T
        case is UInt8.Type: return try integer(UInt8.self, value, state) as! T
        case is Double.Type: return try double(value, state) as! T
        default:
            if isSpecial(type) { throw bail(state) }
            return try T(from: FastJSONDecoder(value: value, state: state, codingPath: path))
        }
    }

    static func bool(_ value: JSONValue, _ state: FastCodingState) throws -> Bool {
        guard case .bool(let b) = value else { throw bail(state) }
        return b
    }

    static func string(_ value: JSONValue, _ state: FastCodingState) throws -> String {
        guard case .string(let s) = value else { throw bail(state) }
        return s
    }

    static func integer<I: FixedWidthInteger>(_ type: I.Type, _ value: JSONValue, _ state: FastCodingState) throws -> I {
        guard case .int(let i) = value, let exact = I(exactly: i) else { throw bail(state) }
        return exact
    }

    static func double(_ value: JSONValue, _ state: FastCodingState) throws -> Double {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d) where d.isFinite: return d
        default: throw bail(state)
        }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let object: [String: JSONValue]
        let state: FastCodingState
        var codingPath: [any CodingKey]
        var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

        private func value(_ key: Key) throws -> JSONValue {
            guard let value = object[key.stringValue] else { throw bail(state) }
            return value
        }

        func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNull }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try FastJSONDecoder.bool(try value(key), state) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try FastJSONDecoder.string(try value(key), state) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try FastJSONDecoder.double(try value(key), state) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw bail(state) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try FastJSONDecoder.integer(type, try value(key), state) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try FastJSONDecoder.integer(type, try value(key), state) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try FastJSONDecoder.integer(type, try value(key), state) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try FastJSONDecoder.integer(type, try value(key), state) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try FastJSONDecoder.integer(type, try value(key), state) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try FastJSONDecoder.integer(type, try value(key), state) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try FastJSONDecoder.integer(type, try value(key), state) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try FastJSONDecoder.integer(type, try value(key), state) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try FastJSONDecoder.integer(type, try value(key), state) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try FastJSONDecoder.integer(type, try value(key), state) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try FastJSONDecoder.decodeValue(type, try value(key), state, codingPath + [key])
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try FastJSONDecoder(value: try value(key), state: state, codingPath: codingPath + [key]).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try FastJSONDecoder(value: try value(key), state: state, codingPath: codingPath + [key]).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { throw bail(state) }
        func superDecoder(forKey key: Key) throws -> any Decoder { throw bail(state) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let array: [JSONValue]
        let state: FastCodingState
        var codingPath: [any CodingKey]
        var currentIndex = 0
        var count: Int? { array.count }
        var isAtEnd: Bool { currentIndex >= array.count }

        init(array: [JSONValue], state: FastCodingState, codingPath: [any CodingKey]) {
            self.array = array
            self.state = state
            self.codingPath = codingPath
        }

        private mutating func next() throws -> JSONValue {
            guard currentIndex < array.count else { throw bail(state) }
            defer { currentIndex += 1 }
            return array[currentIndex]
        }

        mutating func decodeNil() throws -> Bool {
            guard currentIndex < array.count else { throw bail(state) }
            if array[currentIndex].isNull { currentIndex += 1; return true }
            return false
        }

        mutating func decode(_ type: Bool.Type) throws -> Bool { try FastJSONDecoder.bool(try next(), state) }
        mutating func decode(_ type: String.Type) throws -> String { try FastJSONDecoder.string(try next(), state) }
        mutating func decode(_ type: Double.Type) throws -> Double { try FastJSONDecoder.double(try next(), state) }
        mutating func decode(_ type: Float.Type) throws -> Float { throw bail(state) }
        mutating func decode(_ type: Int.Type) throws -> Int { try FastJSONDecoder.integer(type, try next(), state) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try FastJSONDecoder.integer(type, try next(), state) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try FastJSONDecoder.integer(type, try next(), state) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try FastJSONDecoder.integer(type, try next(), state) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try FastJSONDecoder.integer(type, try next(), state) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try FastJSONDecoder.integer(type, try next(), state) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try FastJSONDecoder.integer(type, try next(), state) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try FastJSONDecoder.integer(type, try next(), state) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try FastJSONDecoder.integer(type, try next(), state) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try FastJSONDecoder.integer(type, try next(), state) }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let path = codingPath
            return try FastJSONDecoder.decodeValue(type, try next(), state, path)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try FastJSONDecoder(value: try next(), state: state, codingPath: codingPath).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try FastJSONDecoder(value: try next(), state: state, codingPath: codingPath).unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder { throw bail(state) }
    }

    struct Single: SingleValueDecodingContainer {
        let value: JSONValue
        let state: FastCodingState
        var codingPath: [any CodingKey]

        func decodeNil() -> Bool { value.isNull }
        func decode(_ type: Bool.Type) throws -> Bool { try FastJSONDecoder.bool(value, state) }
        func decode(_ type: String.Type) throws -> String { try FastJSONDecoder.string(value, state) }
        func decode(_ type: Double.Type) throws -> Double { try FastJSONDecoder.double(value, state) }
        func decode(_ type: Float.Type) throws -> Float { throw bail(state) }
        func decode(_ type: Int.Type) throws -> Int { try FastJSONDecoder.integer(type, value, state) }
        func decode(_ type: Int8.Type) throws -> Int8 { try FastJSONDecoder.integer(type, value, state) }
        func decode(_ type: Int16.Type) throws -> Int16 { try FastJSONDecoder.integer(type, value, state) }
        func decode(_ type: Int32.Type) throws -> Int32 { try FastJSONDecoder.integer(type, value, state) }
        func decode(_ type: Int64.Type) throws -> Int64 { try FastJSONDecoder.integer(type, value, state) }
        func decode(_ type: UInt.Type) throws -> UInt { try FastJSONDecoder.integer(type, value, state) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try FastJSONDecoder.integer(type, value, state) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try FastJSONDecoder.integer(type, value, state) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try FastJSONDecoder.integer(type, value, state) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try FastJSONDecoder.integer(type, value, state) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try FastJSONDecoder.decodeValue(type, value, state, codingPath) }
    }
}

// MARK: encoding

/// A value under construction: containers write into nodes, which become a JSONValue at the end.
final class FastNode {
    enum Content {
        case empty
        case value(JSONValue)
        case object([String: FastNode])
        case array([FastNode])
    }
    var content: Content = .empty

    init() {}
    init(_ value: JSONValue) { content = .value(value) }

    func json(_ state: FastCodingState) -> JSONValue {
        switch content {
        case .empty:
            state.exact = false  // the reference encoder has its own rules for a value that encodes nothing
            return .null
        case .value(let value): return value
        case .object(let members): return .object(members.mapValues { $0.json(state) })
        case .array(let items): return .array(items.map { $0.json(state) })
        }
    }
}

struct FastJSONEncoder: Encoder {
    let node: FastNode
    let state: FastCodingState
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func encode<T: Encodable>(_ value: T) -> JSONValue? {
        if isSpecial(T.self) { return nil }
        let state = FastCodingState()
        let node = FastNode()
        guard (try? value.encode(to: FastJSONEncoder(node: node, state: state))) != nil, state.exact else { return nil }
        let json = node.json(state)
        return state.exact ? json : nil
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        switch node.content {
        case .empty: node.content = .object([:])
        case .object: break
        default: state.exact = false; node.content = .object([:])
        }
        return KeyedEncodingContainer(Keyed<Key>(node: node, state: state, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        switch node.content {
        case .empty: node.content = .array([])
        case .array: break
        default: state.exact = false; node.content = .array([])
        }
        return Unkeyed(node: node, state: state, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        Single(node: node, state: state, codingPath: codingPath)
    }

    /// The JSON for a leaf value, or nil when `value` needs an encoder of its own.
    static func leaf<T: Encodable>(_ value: T, _ state: FastCodingState) throws -> JSONValue? {
        switch value {
        case let v as Bool: return .bool(v)
        case let v as String: return .string(v)
        case let v as Int: return .int(Int64(v))
        case let v as Int64: return .int(v)
        case let v as Int32: return .int(Int64(v))
        case let v as Int16: return .int(Int64(v))
        case let v as Int8: return .int(Int64(v))
        case let v as UInt: return try integer(v, state)
        case let v as UInt64: return try integer(v, state)
        case let v as UInt32: return .int(Int64(v))
        case let v as UInt16: return .int(Int64(v))
        case let v as UInt8: return .int(Int64(v))
        case let v as Double: return try double(v, state)
        default:
            if isSpecial(T.self) { throw bail(state) }
            return nil
        }
    }

    static func integer<I: FixedWidthInteger>(_ value: I, _ state: FastCodingState) throws -> JSONValue {
        guard let exact = Int64(exactly: value) else { throw bail(state) }
        return .int(exact)
    }

    /// JSONEncoder writes integral doubles without a fraction ("2"), which then parse as integers;
    /// only finite doubles with a fraction are certain to come back as the same double.
    static func double(_ value: Double, _ state: FastCodingState) throws -> JSONValue {
        guard value.isFinite, value != value.rounded() else { throw bail(state) }
        return .double(value)
    }

    static func node<T: Encodable>(for value: T, _ state: FastCodingState, _ path: [any CodingKey]) throws -> FastNode {
        if let json = try leaf(value, state) { return FastNode(json) }
        let node = FastNode()
        try value.encode(to: FastJSONEncoder(node: node, state: state, codingPath: path))
        return node
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: FastNode
        let state: FastCodingState
        var codingPath: [any CodingKey]

        private func set(_ key: Key, _ child: FastNode) {
            guard case .object(var members) = node.content else { state.exact = false; return }
            node.content = .empty  // keep `members` uniquely referenced while it changes
            members[key.stringValue] = child
            node.content = .object(members)
        }

        mutating func encodeNil(forKey key: Key) throws { set(key, FastNode(.null)) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(key, FastNode(.bool(value))) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(key, FastNode(.string(value))) }
        mutating func encode(_ value: Double, forKey key: Key) throws { set(key, FastNode(try FastJSONEncoder.double(value, state))) }
        mutating func encode(_ value: Float, forKey key: Key) throws { throw bail(state) }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(key, FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { set(key, FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { set(key, FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { set(key, FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { set(key, FastNode(.int(value))) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { set(key, FastNode(try FastJSONEncoder.integer(value, state))) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { set(key, FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { set(key, FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { set(key, FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { set(key, FastNode(try FastJSONEncoder.integer(value, state))) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            set(key, try FastJSONEncoder.node(for: value, state, codingPath + [key]))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let child = FastNode()
            set(key, child)
            return FastJSONEncoder(node: child, state: state, codingPath: codingPath + [key]).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = FastNode()
            set(key, child)
            return FastJSONEncoder(node: child, state: state, codingPath: codingPath + [key]).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            state.exact = false
            return FastJSONEncoder(node: FastNode(), state: state, codingPath: codingPath)
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            state.exact = false
            return FastJSONEncoder(node: FastNode(), state: state, codingPath: codingPath)
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: FastNode
        let state: FastCodingState
        var codingPath: [any CodingKey]
        var count: Int {
            if case .array(let items) = node.content { return items.count }
            return 0
        }

        private func append(_ child: FastNode) {
            guard case .array(var items) = node.content else { state.exact = false; return }
            node.content = .empty
            items.append(child)
            node.content = .array(items)
        }

        mutating func encodeNil() throws { append(FastNode(.null)) }
        mutating func encode(_ value: Bool) throws { append(FastNode(.bool(value))) }
        mutating func encode(_ value: String) throws { append(FastNode(.string(value))) }
        mutating func encode(_ value: Double) throws { append(FastNode(try FastJSONEncoder.double(value, state))) }
        mutating func encode(_ value: Float) throws { throw bail(state) }
        mutating func encode(_ value: Int) throws { append(FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: Int8) throws { append(FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: Int16) throws { append(FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: Int32) throws { append(FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: Int64) throws { append(FastNode(.int(value))) }
        mutating func encode(_ value: UInt) throws { append(FastNode(try FastJSONEncoder.integer(value, state))) }
        mutating func encode(_ value: UInt8) throws { append(FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: UInt16) throws { append(FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: UInt32) throws { append(FastNode(.int(Int64(value)))) }
        mutating func encode(_ value: UInt64) throws { append(FastNode(try FastJSONEncoder.integer(value, state))) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            append(try FastJSONEncoder.node(for: value, state, codingPath))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let child = FastNode()
            append(child)
            return FastJSONEncoder(node: child, state: state, codingPath: codingPath).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = FastNode()
            append(child)
            return FastJSONEncoder(node: child, state: state, codingPath: codingPath).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            state.exact = false
            return FastJSONEncoder(node: FastNode(), state: state, codingPath: codingPath)
        }
    }

    struct Single: SingleValueEncodingContainer {
        let node: FastNode
        let state: FastCodingState
        var codingPath: [any CodingKey]

        private func set(_ value: JSONValue) {
            guard case .empty = node.content else { state.exact = false; return }
            node.content = .value(value)
        }

        mutating func encodeNil() throws { set(.null) }
        mutating func encode(_ value: Bool) throws { set(.bool(value)) }
        mutating func encode(_ value: String) throws { set(.string(value)) }
        mutating func encode(_ value: Double) throws { set(try FastJSONEncoder.double(value, state)) }
        mutating func encode(_ value: Float) throws { throw bail(state) }
        mutating func encode(_ value: Int) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: Int8) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: Int16) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: Int32) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: Int64) throws { set(.int(value)) }
        mutating func encode(_ value: UInt) throws { set(try FastJSONEncoder.integer(value, state)) }
        mutating func encode(_ value: UInt8) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: UInt16) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: UInt32) throws { set(.int(Int64(value))) }
        mutating func encode(_ value: UInt64) throws { set(try FastJSONEncoder.integer(value, state)) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            if let json = try FastJSONEncoder.leaf(value, state) { return set(json) }
            guard case .empty = node.content else { state.exact = false; return }
            try value.encode(to: FastJSONEncoder(node: node, state: state, codingPath: codingPath))
        }
    }
}
