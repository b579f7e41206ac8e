/// A Redis reply (RESP2).
///
/// Not `indirect`: arrays keep their elements out of line already; boxing every reply cost a heap
/// allocation per reply.
public enum RedisValue: Sendable, Hashable {
    case null
    /// A status reply such as `OK` or `QUEUED`.
    case status(String)
    /// An error reply; commands throw ``RedisError`` for it, it appears as a value only inside
    /// pipelines and transactions.
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case array([RedisValue])
}

extension RedisValue {
    public var isNull: Bool { if case .null = self { true } else { false } }

    /// Bulk strings as UTF-8 text, status replies, and integers as decimal text.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        case .integer(let n): String(n)
        default: nil
        }
    }

    /// Integers, and bulk strings holding an integer.
    public var int: Int? {
        switch self {
        case .integer(let n): Int(n)
        case .bulk(let bytes): Int(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): bytes
        case .status(let text): Array(text.utf8)
        default: nil
        }
    }

    public var array: [RedisValue]? { if case .array(let items) = self { items } else { nil } }
}
