import CMongoc

/// A database of a ``MongoClient``.
public struct MongoDatabase: Sendable {
    let client: MongoClient
    public let name: String

    public func collection(_ name: String) -> MongoCollection { MongoCollection(database: self, name: name) }

    /// Runs a database command and returns the server's reply.
    @discardableResult
    public func runCommand(_ command: BSONDocument) async throws(MongoError) -> BSONDocument {
        let command = try BSONBuffer(command)
        let name = self.name
        return try await client.withClient { client throws(MongoError) in
            let database = mongoc_client_get_database(client, name)!
            defer { mongoc_database_destroy(database) }
            let reply = BSONReply()
            var error = bson_error_t()
            guard mongoc_database_command_simple(database, command.pointer, nil, reply.pointer, &error) else { throw error.mongoError }
            return try reply.document()
        }
    }

    /// Drops the whole database.
    public func drop() async throws(MongoError) {
        _ = try await runCommand(["dropDatabase": 1])
    }
}
