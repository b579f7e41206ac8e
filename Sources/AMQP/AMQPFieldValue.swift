/// A value in an AMQP field table (message headers, declaration arguments).
///
/// The cases follow RabbitMQ's field types: `int64` is `l`, `uint64` is `L`, `bytes` is `x`.
/// Not `indirect`: arrays and tables already keep their elements out of line, and boxing every
/// value cost a heap allocation per header in every message sent and received.
public enum AMQPFieldValue: Sendable, Hashable {
    case bool(Bool)
    case int8(Int8)
    case uint8(UInt8)
    case int16(Int16)
    case uint16(UInt16)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case float(Float)
    case double(Double)
    /// A decimal: `value / 10^scale`.
    case decimal(scale: UInt8, value: UInt32)
    case string(String)
    case bytes([UInt8])
    /// Seconds since the Unix epoch.
    case timestamp(UInt64)
    case array([AMQPFieldValue])
    case table(AMQPTable)
    /// No value (Python's `None`).
    case void
}

/// An AMQP field table.
public typealias AMQPTable = [String: AMQPFieldValue]

extension AMQPFieldValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    /// A `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An `.int32` when it fits, else an `.int64`.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// A `.double`.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// `.void`.
    public init(nilLiteral: ()) { self = .void }
    /// An `.array`.
    public init(arrayLiteral elements: AMQPFieldValue...) { self = .array(elements) }
    /// A `.table`.
    public init(dictionaryLiteral elements: (String, AMQPFieldValue)...) {
        self = .table(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// An integer as Celery/py-amqp encode it: `.int32` when it fits, else `.int64`.
    public static func integer<T: BinaryInteger>(_ value: T) -> AMQPFieldValue {
        if let small = Int32(exactly: value) { return .int32(small) }
        if let large = Int64(exactly: value) { return .int64(large) }
        return .uint64(UInt64(truncatingIfNeeded: value))
    }

    /// The value as an integer, for any integer case that fits.
    public var intValue: Int? {
        switch self {
        case .int8(let v): return Int(v)
        case .uint8(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int64(let v): return Int(v)
        case .uint64(let v): return Int(exactly: v)
        default: return nil
        }
    }

    /// The value of a `.string` (or UTF-8 `.bytes`).
    public var stringValue: String? {
        switch self {
        case .string(let s): return s
        case .bytes(let b): return String(validating: b, as: UTF8.self)
        default: return nil
        }
    }
}
