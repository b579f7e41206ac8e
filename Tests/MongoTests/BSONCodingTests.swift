import Foundation
import Mongo
import Testing
import TestSupport

/// The Codable ⇄ BSON bridge, alone and through the server.
@Suite struct BSONCodingTests {
    enum Kind: String, Codable, Sendable { case house, apartment }
    struct Line: Codable, Equatable, Sendable { var month: Int; var amount: Double }
    struct Loan: Codable, Equatable, Sendable {
        var _id: BSONObjectID
        var kind: Kind
        var createdAt: Date
        var lines: [Line]
        var note: String?
        var price: BSONDecimal
        var flags: [String: Bool]
        var nested: [[Int]]
    }

    static func sample() -> Loan {
        Loan(_id: BSONObjectID(), kind: .house, createdAt: Date(timeIntervalSince1970: 1_795_358_875.123),
             lines: [Line(month: 1, amount: 1170.22), Line(month: 2, amount: 1170.5)], note: nil,
             price: BSONDecimal("123456.78")!, flags: ["verified": true], nested: [[1, 2], []])
    }

    @Test func encodesToTypedBSON() throws {
        let loan = Self.sample()
        let document = try BSONEncoder().encode(loan)
        #expect(document["_id"] == .objectID(loan._id))
        #expect(document["createdAt"] == .datetime(loan.createdAt))
        #expect(document["price"] == .decimal128("123456.78"))
        #expect(document["kind"] == "house")
        #expect(document["note"] == nil)  // nil optionals are absent
        #expect(try BSONDecoder().decode(Loan.self, from: document) == loan)
    }

    @Test func roundTripsThroughTheServer() async throws {
        let client = try MongoClient(uri: TestEnvironment.mongoURL)
        let loans = (client.defaultDatabase ?? client.database("celeriac")).collection(TestEnvironment.uniqueName("bson"))
        let loan = Self.sample()
        try await loans.insertOne(loan)
        let stored = try await loans.findOne(["_id": .objectID(loan._id)], as: Loan.self)
        #expect(stored == loan)
        try await loans.drop()
    }

    @Test func decodingErrorsNameTheField() {
        let document: BSONDocument = ["month": "one", "amount": 1.5]
        #expect { try BSONDecoder().decode(Line.self, from: document) } throws: { error in
            "\(error)".contains("month")
        }
        #expect { try BSONDecoder().decode(Line.self, from: ["month": 1]) } throws: { error in
            "\(error)".contains("missing field 'amount'")
        }
    }

    @Test func objectIDsAreUniqueAndParse() throws {
        let ids = (0..<1000).map { _ in BSONObjectID() }
        #expect(Set(ids).count == 1000)
        #expect(try BSONObjectID(hex: ids[0].hex) == ids[0])
        #expect(throws: MongoError.self) { try BSONObjectID(hex: "xyz") }
        #expect(abs(ids[0].timestamp.timeIntervalSinceNow) < 5)
    }

    @Test func literalsKeepKeyOrder() {
        let sort: BSONDocument = ["b": 1, "a": -1, "c": 1]
        #expect(sort.keys == ["b", "a", "c"])
    }
}
