public import Foundation
public import Mongo

/// An applicant's account as stored in MongoDB (collection `accounts`, unique `email`).
public struct Account: Sendable, Hashable, Codable {
    /// A 24-hex-digit ObjectId string, stored as `_id`; the `sub` of the account's tokens and the
    /// `owner` of its loans.
    public var id: String
    /// Lower-cased, unique.
    public var email: String
    /// bcrypt hash (`$2b$…`).
    public var passwordHash: String
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id = "_id", email, passwordHash = "password_hash", createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// Accounts in MongoDB.
public struct AccountStore: Sendable {
    public let collection: MongoCollection

    public init(database: MongoDatabase, collection: String = "accounts") {
        self.collection = database.collection(collection)
    }

    /// Creates the unique email index (idempotent).
    public func prepare() async throws(MongoError) {
        _ = try await collection.createIndex(IndexModel(keys: ["email": 1], name: "email_unique", unique: true))
    }

    /// Stores a new account; nil when the email is taken.
    public func create(email: String, passwordHash: String) async throws(MongoError) -> Account? {
        let now = Self.now()
        let account = Account(id: BSONObjectID().hex, email: email, passwordHash: passwordHash, createdAt: now, updatedAt: now)
        do {
            _ = try await collection.insertOne(account)
        } catch .duplicateKey {
            return nil
        }
        return account
    }

    public func account(id: String) async throws(MongoError) -> Account? {
        try await collection.findOne(["_id": .string(id)], as: Account.self)
    }

    public func account(email: String) async throws(MongoError) -> Account? {
        try await collection.findOne(["email": .string(email)], as: Account.self)
    }

    /// Changes the email and/or the password hash; false when the new email is taken.
    public func update(id: String, email: String?, passwordHash: String?) async throws(MongoError) -> Bool {
        var set: BSONDocument = ["updated_at": .datetime(Self.now())]
        if let email { set = set.merging(["email": .string(email)]) }
        if let passwordHash { set = set.merging(["password_hash": .string(passwordHash)]) }
        do {
            _ = try await collection.updateOne(filter: ["_id": .string(id)], update: ["$set": .document(set)])
        } catch .duplicateKey {
            return false
        }
        return true
    }

    /// Deletes the account; false when it did not exist.
    public func delete(id: String) async throws(MongoError) -> Bool {
        try await collection.deleteOne(["_id": .string(id)]) > 0
    }

    /// BSON dates hold milliseconds: rounded so an account reads back equal to what was written.
    static func now() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
