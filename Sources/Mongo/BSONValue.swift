public import Foundation

/// A BSON value.
///
/// Not `indirect`: documents and arrays keep their elements out of line already; boxing every
/// value cost a heap allocation per value.
public enum BSONValue: Sendable, Hashable {
    case double(Double)
    case string(String)
    case document(BSONDocument)
    case array([BSONValue])
    case binary([UInt8])
    case objectID(BSONObjectID)
    case bool(Bool)
    /// A UTC datetime, millisecond precision.
    case datetime(Date)
    case null
    case int32(Int32)
    case int64(Int64)
    /// A Decimal128, as its exact decimal text (e.g. `"1234.50"`).
    case decimal128(String)
}

extension BSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    /// Integer literals are int64, like Swift's `Int`.
    public init(integerLiteral value: Int64) { self = .int64(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: BSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, BSONValue)...) { self = .document(BSONDocument(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

extension BSONValue {
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var documentValue: BSONDocument? { if case .document(let d) = self { d } else { nil } }
    public var arrayValue: [BSONValue]? { if case .array(let a) = self { a } else { nil } }

    /// Any numeric kind as an integer, when exact.
    public var intValue: Int? {
        switch self {
        case .int32(let v): Int(v)
        case .int64(let v): Int(v)
        case .double(let v): Int(exactly: v)
        default: nil
        }
    }
}

/// An ordered BSON document (order matters for sort and index specifications).
public struct BSONDocument: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var elements: [(key: String, value: BSONValue)]

    public init() { elements = [] }
    public init(_ elements: [(String, BSONValue)]) { self.elements = elements.map { (key: $0.0, value: $0.1) } }
    public init(dictionaryLiteral elements: (String, BSONValue)...) { self.init(elements) }

    public subscript(key: String) -> BSONValue? {
        get { elements.first { $0.key == key }?.value }
        set {
            if let index = elements.firstIndex(where: { $0.key == key }) {
                if let newValue { elements[index].value = newValue } else { elements.remove(at: index) }
            } else if let newValue {
                elements.append((key, newValue))
            }
        }
    }

    public var keys: [String] { elements.map(\.key) }
    public var isEmpty: Bool { elements.isEmpty }

    /// This document with `other`'s fields added; a field both have takes `other`'s value and
    /// keeps its first position.
    public func merging(_ other: BSONDocument) -> BSONDocument {
        var result = self
        for (key, value) in other.elements { result[key] = value }
        return result
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: BSONValue)]> { elements.makeIterator() }

    public static func == (a: BSONDocument, b: BSONDocument) -> Bool {
        a.elements.count == b.elements.count && zip(a.elements, b.elements).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for element in elements {
            hasher.combine(element.key)
            hasher.combine(element.value)
        }
    }
}
