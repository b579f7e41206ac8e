import Celeriac
import Foundation
import Testing

@Suite struct JSONValueTests {
    @Test func roundTripsNestedValues() throws {
        let value: JSONValue = ["a": [1, 2.5, "x", .null, true], "b": ["nested": ["deep": -7]], "s": "quote\" slash\\ nl\n é 🚀"]
        let text = value.serialized()
        #expect(try JSONValue(parsing: text) == value)
    }

    @Test func keepsIntegersApartFromDoubles() throws {
        #expect(try JSONValue(parsing: "[2, 2.0, 1e3, -0]") == [.int(2), .double(2), .double(1000), .int(0)])
        #expect(JSONValue.double(2).description == "2.0")
        #expect(JSONValue.double(0.1).description == "0.1")
    }

    @Test func parsesEscapesAndSurrogatePairs() throws {
        #expect(try JSONValue(parsing: #""\u00e9\ud83d\ude80\/\t""#) == .string("é🚀/\t"))
    }

    @Test func acceptsPythonSpecialFloats() throws {
        let parsed = try JSONValue(parsing: "[NaN, Infinity, -Infinity]")
        #expect(parsed.arrayValue?[1] == .double(.infinity))
        #expect(parsed.arrayValue?[2] == .double(-.infinity))
        #expect(parsed.arrayValue?[0].doubleValue?.isNaN == true)
    }

    @Test(arguments: ["", "[1,", "{\"a\" 1}", "[1] x", "\"unterminated", "tru", "[01x]", "{1:2}", "\"\u{01}\""])
    func rejectsMalformedJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func rejectsExcessiveNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
    }

    @Test func bridgesCodable() throws {
        struct Point: Codable, Equatable { var x: Int; var label: String; var at: Date }
        let point = Point(x: 3, label: "p", at: Date(timeIntervalSince1970: 1_700_000_000))
        let json = try JSONValue(encoding: point)
        #expect(json["x"] == .int(3))
        #expect(json["at"]?.stringValue == "2023-11-14T22:13:20Z")
        #expect(try json.decode(as: Point.self) == point)
    }
}

@Suite struct CeleryDateTests {
    @Test func formatsLikeCelery() {
        let date = Date(timeIntervalSince1970: 1_795_358_875.782587)
        #expect(CeleryDate.format(date) == "2026-11-22T14:47:55.782587+00:00")
        #expect(CeleryDate.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000+00:00")
        #expect(CeleryDate.format(Date(timeIntervalSince1970: 59.9999996)) == "1970-01-01T00:01:00.000000+00:00")
        #expect(CeleryDate.format(Date(timeIntervalSince1970: 951_782_400.000042)) == "2000-02-29T00:00:00.000042+00:00")
    }

    @Test(arguments: [
        ("2026-11-22T14:47:55.782587+00:00", 1_795_358_875.782587),
        ("2026-11-22T14:47:55Z", 1_795_358_875.0),
        ("2026-11-22T14:47:55", 1_795_358_875.0),          // naive = UTC
        ("2026-11-22T16:47:55+02:00", 1_795_358_875.0),
        ("2026-11-22 14:47:55.5", 1_795_358_875.5),
    ])
    func parsesCeleryTimestamps(_ text: String, _ epoch: Double) throws {
        let date = try #require(CeleryDate.parse(text))
        #expect(abs(date.timeIntervalSince1970 - epoch) < 0.000_01)
    }

    @Test(arguments: ["", "yesterday", "2026-13-01T00:00:00", "2026-11-22T25:00", "2026-11-22T10:00:00+0x:00"])
    func rejectsGarbage(_ text: String) { #expect(CeleryDate.parse(text) == nil) }
}
