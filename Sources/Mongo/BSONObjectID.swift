public import Foundation

/// A MongoDB ObjectId: 12 bytes, shown as 24 hex digits.
///
/// Through ``BSONEncoder`` it is stored as a BSON ObjectId; with other encoders (JSON) it is
/// its hex string.
public struct BSONObjectID: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    public let bytes: [UInt8]

    private static let counter = Counter()

    /// A new id: 4-byte timestamp, 5 random bytes (per process), 3-byte counter.
    public init() {
        var bytes = [UInt8](repeating: 0, count: 12)
        let seconds = UInt32(Date().timeIntervalSince1970)
        for i in 0..<4 { bytes[i] = UInt8(truncatingIfNeeded: seconds >> (24 - 8 * UInt32(i))) }
        for i in 0..<5 { bytes[4 + i] = Self.processRandom[i] }
        let count = Self.counter.next()
        for i in 0..<3 { bytes[9 + i] = UInt8(truncatingIfNeeded: count >> (16 - 8 * UInt32(i))) }
        self.bytes = bytes
    }

    /// Parses 24 hex digits.
    public init(hex: String) throws(MongoError) {
        let digits = Array(hex.utf8)
        guard digits.count == 24 else { throw MongoError.invalidArgument("ObjectId must be 24 hex digits, got '\(hex)'") }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: 24, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                throw MongoError.invalidArgument("ObjectId must be 24 hex digits, got '\(hex)'")
            }
            bytes.append(byte)
        }
        self.bytes = bytes
    }

    public var hex: String { bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
    public var description: String { hex }

    /// When the id was made (second precision).
    public var timestamp: Date {
        Date(timeIntervalSince1970: Double(bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
    }

    public static func < (a: BSONObjectID, b: BSONObjectID) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    private static let processRandom: [UInt8] = (0..<5).map { _ in UInt8.random(in: 0...255) }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = UInt32.random(in: 0..<0xFF_FFFF)
        func next() -> UInt32 {
            lock.lock(); defer { lock.unlock() }
            value = (value + 1) & 0xFF_FFFF
            return value
        }
    }

    enum CodingKeys: String, CodingKey { case oid = "$oid" }

    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: CodingKeys.self), let hex = try? container.decode(String.self, forKey: .oid) {
            try self.init(hex: hex)
        } else {
            try self.init(hex: try decoder.singleValueContainer().decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if encoder.userInfo[BSONEncoder.bsonKey] as? Bool == true {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(hex, forKey: .oid)
        } else {
            var container = encoder.singleValueContainer()
            try container.encode(hex)
        }
    }
}
