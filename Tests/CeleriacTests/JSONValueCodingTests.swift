import Foundation
@testable import JSONCore
import Testing

/// The direct Codable <-> JSONValue path must give exactly what the text round trip gives
/// (JSONEncoder + parser, serializer + JSONDecoder), or step aside.
@Suite struct JSONValueCodingTests {
    enum Kind: String, Codable, Equatable { case a, b }
    struct Inner: Codable, Equatable { var name: String; var tags: [String]; var kind: Kind }
    struct Everything: Codable, Equatable {
        var flag: Bool
        var small: Int8
        var count: Int
        var big: UInt64
        var ratio: Double
        var maybe: Int?
        var absent: String?
        var list: [Int?]
        var map: [String: Int]
        var byNumber: [Int: String]
        var inner: Inner
        var nested: [[Inner]]
    }
    struct Special: Codable, Equatable {
        var when: Date
        var blob: Data
        var link: URL
        var any: JSONValue
        var single: Float
    }
    struct Numbers: Codable, Equatable { var i: Int; var d: Double }

    func reference<T: Decodable>(_ type: T.Type, _ value: JSONValue) -> Result<T, any Error> {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do { return .success(try decoder.decode(T.self, from: Data(value.serialized()))) } catch { return .failure(error) }
    }

    func referenceJSON<T: Encodable>(_ value: T) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try JSONValue(parsing: Array(try encoder.encode(value)))
    }

    func sameDecoding<T: Decodable & Equatable>(_ type: T.Type, _ value: JSONValue) throws {
        let fast = FastJSONDecoder.decode(T.self, from: value)
        switch reference(T.self, value) {
        case .success(let expected):
            if let fast { #expect(fast == expected, "\(value)") }
            #expect(try value.decode(as: T.self) == expected)
        case .failure:
            #expect(fast == nil, "fast path decoded what the reference rejects: \(value)")
        }
    }

    @Test func decodesLikeJSONDecoder() throws {
        let everything: JSONValue = [
            "flag": true, "small": -8, "count": 42, "big": 9_000_000_000, "ratio": 0.25, "maybe": .null,
            "list": [1, .null, 3], "map": ["a": 1], "byNumber": ["1": "one"],
            "inner": ["name": "n", "tags": ["x"], "kind": "a"], "nested": [[["name": "m", "tags": [], "kind": "b"]]],
            "extra": "ignored",
        ]
        try sameDecoding(Everything.self, everything)
        #expect(FastJSONDecoder.decode(Everything.self, from: everything) != nil)
        // Integers written as doubles, missing keys, mismatches, out-of-range and non-finite numbers.
        for variant: JSONValue in [["i": 2.0, "d": 1], ["i": 2.5, "d": 1], ["i": 1], ["i": "1", "d": 1], ["i": 1, "d": "Infinity"],
                                   ["i": 1, "d": .double(.nan)], ["i": 1, "d": 9_007_199_254_740_993], ["i": 1, "d": 1e300], ["i": .null, "d": 1]] {
            try sameDecoding(Numbers.self, variant)
        }
        try sameDecoding(Int8.self, 300)
        try sameDecoding([UInt8].self, [1, -1])
        try sameDecoding(Kind.self, "c")
        // Types the reference decoder special-cases always go the reference way.
        let special: JSONValue = ["when": "2026-11-23T11:00:00Z", "blob": "AAE=", "link": "https://example.com/x",
                                  "any": ["n": 2.0], "single": 0.1]
        #expect(FastJSONDecoder.decode(Special.self, from: special) == nil)
        try sameDecoding(Special.self, special)
    }

    @Test func encodesLikeJSONEncoder() throws {
        let everything = Everything(flag: true, small: -8, count: 42, big: 9_000_000_000, ratio: 0.25, maybe: nil, absent: "here",
                                    list: [1, nil, 3], map: ["a": 1], byNumber: [1: "one"],
                                    inner: Inner(name: "n", tags: ["x"], kind: .a), nested: [[Inner(name: "m", tags: [], kind: .b)]])
        #expect(FastJSONEncoder.encode(everything) == (try referenceJSON(everything)))
        #expect(try JSONValue(encoding: everything) == (try referenceJSON(everything)))
        // Integral doubles become integers through text; the fast path leaves those to the reference.
        #expect(FastJSONEncoder.encode(Numbers(i: 1, d: 2.0)) == nil)
        #expect(try JSONValue(encoding: Numbers(i: 1, d: 2.0)) == ["i": 1, "d": 2])
        #expect(FastJSONEncoder.encode(Numbers(i: 1, d: 2.5)) == (try referenceJSON(Numbers(i: 1, d: 2.5))))
        #expect(FastJSONEncoder.encode(UInt64.max) == nil)
        let special = Special(when: Date(timeIntervalSince1970: 1_800_000_000), blob: Data([0, 1]), link: URL(string: "https://e.com")!,
                              any: ["n": 2.0], single: 0.1)
        #expect(FastJSONEncoder.encode(special) == nil)
        #expect(try JSONValue(encoding: special) == (try referenceJSON(special)))
        for value in [5, -1, Int.max] { #expect(FastJSONEncoder.encode(value) == (try referenceJSON(value))) }
        #expect(FastJSONEncoder.encode("text") == (try referenceJSON("text")))
        #expect(FastJSONEncoder.encode(Optional<Int>.none) == (try referenceJSON(Optional<Int>.none)))
        #expect(FastJSONEncoder.encode([Kind.a, .b]) == (try referenceJSON([Kind.a, .b])))
    }
}
