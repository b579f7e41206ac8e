import Foundation
import Mongo
import Testing
import TestSupport

/// The Mongo client against the real MongoDB-wire server (SecantusDB here).
@Suite struct MongoCollectionTests {
    struct Item: Codable, Equatable, Sendable {
        var _id: String
        var name: String
        var quantity: Int
        var tags: [String]
    }

    func collection() throws -> (MongoClient, MongoCollection) {
        let client = try MongoClient(uri: TestEnvironment.mongoURL)
        let database = client.defaultDatabase ?? client.database("celeriac")
        return (client, database.collection(TestEnvironment.uniqueName("items")))
    }

    @Test func crud() async throws {
        let (client, items) = try collection()
        try await client.ping()
        #expect(try await items.insertOne(Item(_id: "a", name: "apple", quantity: 3, tags: [])) == .string("a"))
        #expect(try await items.insertMany([Item(_id: "b", name: "banana", quantity: 7, tags: ["yellow"]),
                                            Item(_id: "c", name: "cherry", quantity: 1, tags: [])]) == 2)
        #expect(try await items.countDocuments() == 3)
        #expect(try await items.countDocuments(["quantity": ["$gt": 2]]) == 2)

        let sorted = try await items.find(["quantity": ["$gte": 1]], as: Item.self,
                                          options: FindOptions(sort: ["quantity": -1], limit: 2))
        #expect(sorted.map(\._id) == ["b", "a"])
        let projected = try await items.findDocuments(["_id": "b"], options: FindOptions(projection: ["name": 1]))
        #expect(projected.first?["name"] == "banana")
        #expect(projected.first?["quantity"] == nil)

        let update = try await items.updateOne(filter: ["_id": "a"],
                                               update: ["$set": ["name": "green apple"], "$inc": ["quantity": 2], "$push": ["tags": "green"]])
        #expect(update.matchedCount == 1 && update.modifiedCount == 1)
        #expect(try await items.findOne(["_id": "a"], as: Item.self) == Item(_id: "a", name: "green apple", quantity: 5, tags: ["green"]))

        let upsert = try await items.updateOne(filter: ["_id": "d"], update: ["$set": ["name": "date", "quantity": 4, "tags": []]], upsert: true)
        #expect(upsert.upsertedID == .string("d"))
        #expect(try await items.replaceOne(filter: ["_id": "d"], replacement: Item(_id: "d", name: "dried date", quantity: 9, tags: [])).modifiedCount == 1)
        #expect(try await items.findOne(["_id": "d"], as: Item.self)?.quantity == 9)

        #expect(try await items.updateMany(filter: [:], update: ["$inc": ["quantity": 1]]).matchedCount == 4)
        #expect(try await items.deleteOne(["_id": "c"]) == 1)
        #expect(try await items.deleteMany(["quantity": ["$gt": 5]]) == 3)
        #expect(try await items.countDocuments() == 0)
        try await items.drop()
    }

    @Test func findOneAndUpdateReturnsBeforeOrAfterAndRespectsConditions() async throws {
        let (_, items) = try collection()
        try await items.insertOne(Item(_id: "x", name: "counter", quantity: 0, tags: []))
        let before = try await items.findOneAndUpdate(filter: ["_id": "x"], update: ["$inc": ["quantity": 1]],
                                                      returnDocument: .before, as: Item.self)
        #expect(before?.quantity == 0)
        let after = try await items.findOneAndUpdate(filter: ["_id": "x"], update: ["$inc": ["quantity": 1]], as: Item.self)
        #expect(after?.quantity == 2)
        // A conditional filter that does not match changes nothing.
        let none = try await items.findOneAndUpdate(filter: ["_id": "x", "quantity": ["$lt": 1]],
                                                    update: ["$set": ["name": "nope"]], as: Item.self)
        #expect(none == nil)
        let created = try await items.findOneAndUpdate(filter: ["_id": "y"], update: ["$setOnInsert": ["name": "new", "quantity": 1, "tags": []]],
                                                       upsert: true, as: Item.self)
        #expect(created == Item(_id: "y", name: "new", quantity: 1, tags: []))
        try await items.drop()
    }

    @Test func uniqueIndexRejectsDuplicatesAndTTLIndexIsCreated() async throws {
        let (_, items) = try collection()
        #expect(try await items.createIndex(IndexModel(keys: ["name": 1], unique: true)) == "name_1")
        _ = try await items.createIndex(IndexModel(keys: ["expires_at": 1], name: "expiry", expireAfterSeconds: 3600))
        try await items.insertOne(Item(_id: "1", name: "same", quantity: 1, tags: []))
        await #expect { try await items.insertOne(Item(_id: "2", name: "same", quantity: 1, tags: [])) } throws: { error in
            if case .duplicateKey(let message) = error as? MongoError { return message.contains("E11000") }
            return false
        }
        let indexes = try await items.listIndexes()
        #expect(indexes.contains { $0["name"] == "name_1" && $0["unique"] == true })
        #expect(indexes.contains { $0["name"] == "expiry" && $0["expireAfterSeconds"]?.intValue == 3600 })
        try await items.drop()
    }

    @Test func aggregatesWithGroupAndSort() async throws {
        struct Total: Codable, Equatable, Sendable { var _id: String; var total: Int }
        let (_, items) = try collection()
        try await items.insertMany([Item(_id: "1", name: "a", quantity: 2, tags: []), Item(_id: "2", name: "a", quantity: 3, tags: []),
                                    Item(_id: "3", name: "b", quantity: 10, tags: [])])
        let totals = try await items.aggregate([["$group": ["_id": "$name", "total": ["$sum": "$quantity"]]], ["$sort": ["total": -1]]],
                                               as: Total.self)
        #expect(totals == [Total(_id: "b", total: 10), Total(_id: "a", total: 5)])
        try await items.drop()
    }

    @Test func concurrentIncrementsFromManyTasksAreAllApplied() async throws {
        let (_, items) = try collection()
        try await items.insertOne(Item(_id: "c", name: "counter", quantity: 0, tags: []))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<100 {
                group.addTask { _ = try await items.updateOne(filter: ["_id": "c"], update: ["$inc": ["quantity": 1]]) }
            }
            try await group.waitForAll()
        }
        #expect(try await items.findOne(["_id": "c"], as: Item.self)?.quantity == 100)
        try await items.drop()
    }

    @Test func badURIAndUnreachableServerAreClearErrors() async throws {
        #expect { try MongoClient(uri: "postgres://nope") } throws: { error in
            if case .invalidURI = error as? MongoError { return true }
            return false
        }
        let unreachable = try MongoClient(uri: "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300&connectTimeoutMS=300")
        await #expect { try await unreachable.ping() } throws: { error in
            if case .connection = error as? MongoError { return true }
            return false
        }
    }
}
