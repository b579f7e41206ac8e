import CMongoc

/// A collection: CRUD, find-and-modify, indexes, aggregation and counts, with Codable values.
/// Filters and update documents (`$set`, `$inc`, `$push`, ...) are ``BSONDocument``s.
public struct MongoCollection: Sendable {
    let database: MongoDatabase
    public let name: String

    private func run<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws(MongoError) -> T) async throws(MongoError) -> T {
        let databaseName = database.name
        let name = self.name
        return try await database.client.withClient { client throws(MongoError) in
            let collection = mongoc_client_get_collection(client, databaseName, name)!
            defer { mongoc_collection_destroy(collection) }
            return try body(collection)
        }
    }

    /// Runs a write that fills a reply document.
    private func write(_ body: @escaping @Sendable (OpaquePointer, OpaquePointer, UnsafeMutablePointer<bson_error_t>) -> Bool) async throws(MongoError) -> BSONDocument {
        try await run { collection throws(MongoError) in
            let reply = BSONReply()
            var error = bson_error_t()
            guard body(collection, reply.pointer, &error) else { throw error.mongoError }
            return try reply.document()
        }
    }

    // MARK: inserts

    /// Inserts one document; returns its `_id` when the value had one.
    @discardableResult
    public func insertOne<T: Encodable>(_ value: T) async throws(MongoError) -> BSONValue? {
        let document = try BSONEncoder().encode(value)
        let buffer = try BSONBuffer(document)
        _ = try await write { collection, reply, error in
            mongoc_collection_insert_one(collection, buffer.pointer, nil, reply, error)
        }
        return document["_id"]
    }

    /// Inserts documents in order; returns how many were inserted.
    @discardableResult
    public func insertMany<T: Encodable>(_ values: [T]) async throws(MongoError) -> Int {
        guard !values.isEmpty else { return 0 }
        var buffers: [BSONBuffer] = []
        for value in values { buffers.append(try BSONBuffer(try BSONEncoder().encode(value))) }
        let documents = buffers
        let reply = try await write { collection, reply, error in
            var pointers: [OpaquePointer?] = documents.map { $0.pointer }
            return mongoc_collection_insert_many(collection, &pointers, pointers.count, nil, reply, error)
        }
        return reply["insertedCount"]?.intValue ?? values.count
    }

    // MARK: queries

    /// Documents matching `filter`, decoded as `T`.
    public func find<T: Decodable & Sendable>(_ filter: BSONDocument = [:], as type: T.Type,
                                              options: FindOptions = FindOptions()) async throws(MongoError) -> [T] {
        try await findDocuments(filter, options: options).map { document throws(MongoError) in try BSONDecoder().decode(T.self, from: document) }
    }

    /// The first document matching `filter`.
    public func findOne<T: Decodable & Sendable>(_ filter: BSONDocument, as type: T.Type,
                                                 options: FindOptions = FindOptions()) async throws(MongoError) -> T? {
        var options = options
        options.limit = 1
        return try await find(filter, as: type, options: options).first
    }

    /// Documents matching `filter`, as BSON.
    public func findDocuments(_ filter: BSONDocument = [:], options: FindOptions = FindOptions()) async throws(MongoError) -> [BSONDocument] {
        let filterBuffer = try BSONBuffer(filter)
        let optionsBuffer = try BSONBuffer(options.document)
        return try await run { collection throws(MongoError) in
            let cursor = mongoc_collection_find_with_opts(collection, filterBuffer.pointer, optionsBuffer.pointer, nil)!
            defer { mongoc_cursor_destroy(cursor) }
            return try Self.drain(cursor)
        }
    }

    static func drain(_ cursor: OpaquePointer) throws(MongoError) -> [BSONDocument] {
        var documents: [BSONDocument] = []
        var current: OpaquePointer?
        while mongoc_cursor_next(cursor, &current), let current {
            documents.append(try BSONBuffer.document(current))
        }
        var error = bson_error_t()
        if mongoc_cursor_error(cursor, &error) { throw error.mongoError }
        return documents
    }

    /// Documents matching `filter` (an empty filter counts everything).
    public func countDocuments(_ filter: BSONDocument = [:]) async throws(MongoError) -> Int {
        let filterBuffer = try BSONBuffer(filter)  // libmongoc aborts on a NULL filter
        return try await run { collection throws(MongoError) in
            var error = bson_error_t()
            let count = mongoc_collection_count_documents(collection, filterBuffer.pointer, nil, nil, nil, &error)
            guard count >= 0 else { throw error.mongoError }
            return Int(count)
        }
    }

    /// Runs an aggregation pipeline and decodes its output.
    public func aggregate<T: Decodable & Sendable>(_ pipeline: [BSONDocument], as type: T.Type) async throws(MongoError) -> [T] {
        let pipelineBuffer = try BSONBuffer(["pipeline": .array(pipeline.map(BSONValue.document))])
        let documents = try await run { collection throws(MongoError) in
            let cursor = mongoc_collection_aggregate(collection, MONGOC_QUERY_NONE, pipelineBuffer.pointer, nil, nil)!
            defer { mongoc_cursor_destroy(cursor) }
            return try Self.drain(cursor)
        }
        return try documents.map { document throws(MongoError) in try BSONDecoder().decode(T.self, from: document) }
    }

    // MARK: updates

    public func updateOne(filter: BSONDocument, update: BSONDocument, upsert: Bool = false) async throws(MongoError) -> UpdateResult {
        try await performUpdate(filter: filter, update: update, upsert: upsert, many: false)
    }

    public func updateMany(filter: BSONDocument, update: BSONDocument, upsert: Bool = false) async throws(MongoError) -> UpdateResult {
        try await performUpdate(filter: filter, update: update, upsert: upsert, many: true)
    }

    private func performUpdate(filter: BSONDocument, update: BSONDocument, upsert: Bool, many: Bool) async throws(MongoError) -> UpdateResult {
        let selector = try BSONBuffer(filter)
        let change = try BSONBuffer(update)
        let options = try BSONBuffer(["upsert": .bool(upsert)])
        let reply = try await write { collection, reply, error in
            many ? mongoc_collection_update_many(collection, selector.pointer, change.pointer, options.pointer, reply, error)
                 : mongoc_collection_update_one(collection, selector.pointer, change.pointer, options.pointer, reply, error)
        }
        return Self.updateResult(reply)
    }

    /// Replaces the first matching document.
    public func replaceOne<T: Encodable>(filter: BSONDocument, replacement: T, upsert: Bool = false) async throws(MongoError) -> UpdateResult {
        let selector = try BSONBuffer(filter)
        let document = try BSONBuffer(try BSONEncoder().encode(replacement))
        let options = try BSONBuffer(["upsert": .bool(upsert)])
        let reply = try await write { collection, reply, error in
            mongoc_collection_replace_one(collection, selector.pointer, document.pointer, options.pointer, reply, error)
        }
        return Self.updateResult(reply)
    }

    static func updateResult(_ reply: BSONDocument) -> UpdateResult {
        UpdateResult(matchedCount: reply["matchedCount"]?.intValue ?? 0, modifiedCount: reply["modifiedCount"]?.intValue ?? 0,
                     upsertedID: reply["upsertedId"])
    }

    /// Atomically updates the first document matching `filter` (in `sort` order) and returns it
    /// before or after the change; nil when nothing matched (and no upsert).
    public func findOneAndUpdate<T: Decodable & Sendable>(filter: BSONDocument, update: BSONDocument,
                                                          returnDocument: ReturnDocument = .after, upsert: Bool = false,
                                                          sort: BSONDocument? = nil, projection: BSONDocument? = nil,
                                                          as type: T.Type) async throws(MongoError) -> T? {
        let query = try BSONBuffer(filter)
        let change = try BSONBuffer(update)
        let sortBuffer = try sort.map { (sort) throws(MongoError) in try BSONBuffer(sort) }
        let fields = try projection.map { (projection) throws(MongoError) in try BSONBuffer(projection) }
        let reply = try await run { collection throws(MongoError) in
            let options = mongoc_find_and_modify_opts_new()!
            defer { mongoc_find_and_modify_opts_destroy(options) }
            _ = mongoc_find_and_modify_opts_set_update(options, change.pointer)
            var flags = MONGOC_FIND_AND_MODIFY_NONE.rawValue
            if returnDocument == .after { flags |= MONGOC_FIND_AND_MODIFY_RETURN_NEW.rawValue }
            if upsert { flags |= MONGOC_FIND_AND_MODIFY_UPSERT.rawValue }
            _ = mongoc_find_and_modify_opts_set_flags(options, mongoc_find_and_modify_flags_t(rawValue: flags))
            if let sortBuffer { _ = mongoc_find_and_modify_opts_set_sort(options, sortBuffer.pointer) }
            if let fields { _ = mongoc_find_and_modify_opts_set_fields(options, fields.pointer) }
            let reply = BSONReply()
            var error = bson_error_t()
            guard mongoc_collection_find_and_modify_with_opts(collection, query.pointer, options, reply.pointer, &error) else {
                throw error.mongoError
            }
            return try reply.document()
        }
        guard case .document(let value)? = reply["value"] else { return nil }
        return try BSONDecoder().decode(T.self, from: value)
    }

    // MARK: deletes

    @discardableResult
    public func deleteOne(_ filter: BSONDocument) async throws(MongoError) -> Int {
        let selector = try BSONBuffer(filter)
        let reply = try await write { collection, reply, error in mongoc_collection_delete_one(collection, selector.pointer, nil, reply, error) }
        return reply["deletedCount"]?.intValue ?? 0
    }

    @discardableResult
    public func deleteMany(_ filter: BSONDocument) async throws(MongoError) -> Int {
        let selector = try BSONBuffer(filter)
        let reply = try await write { collection, reply, error in mongoc_collection_delete_many(collection, selector.pointer, nil, reply, error) }
        return reply["deletedCount"]?.intValue ?? 0
    }

    // MARK: administration

    /// Creates an index (no-op when an identical one exists); returns its name.
    @discardableResult
    public func createIndex(_ index: IndexModel) async throws(MongoError) -> String {
        try await database.runCommand(["createIndexes": .string(name), "indexes": [.document(index.document)]])
        return index.resolvedName
    }

    /// The collection's index specifications.
    public func listIndexes() async throws(MongoError) -> [BSONDocument] {
        let reply = try await database.runCommand(["listIndexes": .string(name)])
        return reply["cursor"]?.documentValue?["firstBatch"]?.arrayValue?.compactMap(\.documentValue) ?? []
    }

    /// Drops the collection (no error when it does not exist).
    public func drop() async throws(MongoError) {
        do {
            try await database.runCommand(["drop": .string(name)])
        } catch .server(let code, let message) where code == 26 || message.contains("ns not found") {
            return
        }
    }
}
