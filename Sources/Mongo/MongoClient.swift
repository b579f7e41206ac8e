import ClientSupport
import CMongoc
public import Logging

/// A MongoDB client over libmongoc's thread-safe client pool.
///
/// Every driver call is blocking, so each one runs on this client's own
/// ``ClientSupport/BlockingThreadPool`` (never on Swift's cooperative threads) with a client
/// popped from the pool. libmongoc reconnects by itself; failures surface as ``MongoError``.
public final class MongoClient: Sendable {
    let pool: PoolHandle
    let threads: BlockingThreadPool
    let logger: Logger
    /// The database named in the URI path, if any.
    public let defaultDatabaseName: String?

    private static let initialized: Bool = {
        mongoc_init()
        return true
    }()

    /// Parses `uri` (`mongodb://host:port/db?options`) and prepares the pool; nothing is
    /// connected until the first operation. A bad URI is a clear error.
    public init(uri: String, threads: Int = 4, logger: Logger = Logger(label: "mongo")) throws(MongoError) {
        _ = Self.initialized
        DriverLog.route(to: logger)
        var error = bson_error_t()
        guard let parsed = mongoc_uri_new_with_error(uri, &error) else { throw MongoError.invalidURI(error.text) }
        defer { mongoc_uri_destroy(parsed) }
        if !uri.contains("serverSelectionTimeoutMS") {
            _ = mongoc_uri_set_option_as_int32(parsed, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 10_000)
        }
        if !uri.contains("appname") { _ = mongoc_uri_set_appname(parsed, "celeriac") }
        defaultDatabaseName = mongoc_uri_get_database(parsed).map { String(cString: $0) }
        guard let pool = mongoc_client_pool_new(parsed) else { throw MongoError.invalidURI("libmongoc could not create a pool") }
        mongoc_client_pool_set_error_api(pool, 2)
        mongoc_client_pool_max_size(pool, UInt32(threads))
        self.pool = PoolHandle(pool)
        self.threads = BlockingThreadPool(name: "mongo", threads: threads)
        self.logger = logger
    }

    deinit { threads.shutdown() }

    /// Checks that the server answers (`ping`).
    public func ping() async throws(MongoError) {
        _ = try await database("admin").runCommand(["ping": 1])
    }

    public func database(_ name: String) -> MongoDatabase { MongoDatabase(client: self, name: name) }

    /// The database named in the URI, if any.
    public var defaultDatabase: MongoDatabase? { defaultDatabaseName.map(database) }

    /// Runs `body` on a pool thread with a client of the pool.
    func withClient<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws(MongoError) -> T) async throws(MongoError) -> T {
        let pool = self.pool
        let result: Result<T, MongoError> = await withCheckedContinuation { continuation in
            threads.submit {
                let client = mongoc_client_pool_pop(pool.pointer)!
                defer { mongoc_client_pool_push(pool.pointer, client) }
                continuation.resume(returning: Result { () throws(MongoError) in try body(client) })
            }
        }
        return try result.get()
    }
}

/// The C pool; libmongoc documents `mongoc_client_pool_t` as thread-safe.
final class PoolHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { mongoc_client_pool_destroy(pointer) }
}
