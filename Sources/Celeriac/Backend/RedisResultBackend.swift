import ClientSupport
import Foundation
public import Logging
public import Redis

/// ``ResultBackend`` in Celery's Redis format: `celery-task-meta-<id>` JSON values with an
/// expiry, announced on the channel of the same name, never overwriting a SUCCESS.
public final class RedisResultBackend: ResultBackend {
    let client: RedisPool
    let subscriber: RedisSubscriber
    public let keys: ResultKeys
    /// Result lifetime in seconds (Celery's `result_expires`, default one day); 0 keeps results forever.
    public let expires: Int
    let logger: Logger
    let storeScript = RedisScript(ResultScripts.storeResult)
    let partReturnScript = RedisScript(ChordScripts.partReturn)
    let storeAndPartReturnScript = RedisScript(ChordScripts.storeAndPartReturn)
    let claimExtendScript = RedisScript(ChordScripts.claimExtend)
    let cleanupScript = RedisScript(ChordScripts.cleanup)
    let releaseLeaseScript = RedisScript(ResultScripts.releaseLease)
    let renewLeaseScript = RedisScript(ResultScripts.renewLease)
    let startChordBodyScript = RedisScript(ResultScripts.startChordBody)
    let storeReleasingLeaseScript = RedisScript(ResultScripts.storeReleasingLease)

    /// `poolSize` is the number of command connections. One is the fastest for result traffic:
    /// a connection pipelines every concurrent caller's commands into one write and one read,
    /// and more connections only split those batches (each with its own owner thread and
    /// wake-ups). Raise it when the backend's ``redis`` client also carries slow commands.
    public init(url: String, poolSize: Int = 1, expires: Int = 86_400, keys: ResultKeys = ResultKeys(),
                logger: Logger = Logger(label: "celeriac.results")) throws {
        let configuration = try RedisConfiguration(url: url)
        client = RedisPool(configuration: configuration, size: poolSize, logger: logger)
        subscriber = RedisSubscriber(configuration: configuration, logger: logger)
        self.keys = keys
        self.expires = expires
        self.logger = logger
    }

    /// Connects the command pool and the pub/sub connection.
    public func connect() async throws {
        try await client.connect()
        try await subscriber.connect()
    }

    /// The command connection pool, for other Redis work that shares the backend's connections.
    public var redis: any RedisClient { client }

    @discardableResult
    public func store(_ meta: ResultMeta) async throws -> Bool {
        let reply = try await client.evalScript(storeScript, keys: [RedisArgument(keys.task(meta.taskID))],
                                                arguments: [RedisArgument(bytes: meta.serialized()), RedisArgument(expires)])
        return reply.int == 1
    }

    public func result(for taskID: String) async throws -> ResultMeta? {
        let reply = try await client.send("GET", RedisArgument(keys.task(taskID)))
        guard let bytes = reply.bytes else { return nil }
        return try ResultMeta(json: try JSONValue(parsing: bytes), taskID: taskID)
    }

    public func waitForReady(_ taskID: String, timeout: Duration) async throws -> ResultMeta {
        let key = keys.task(taskID)
        // Often the result is already there (a caller waits for the publish confirm first, and
        // RabbitMQ confirms a consumed message once the worker acknowledged it, i.e. after the
        // result was stored): one GET, no subscription.
        if let meta = try await result(for: taskID), meta.status.isReady { return meta }
        // Otherwise subscribe first, then read: a result stored in between is seen either way.
        let subscription = try await subscriber.subscribe([key])
        defer { Task { await subscription.unsubscribe() } }
        if let meta = try await result(for: taskID), meta.status.isReady { return meta }
        return try await withThrowingTaskGroup(of: ResultMeta?.self) { group in
            group.addTask {
                for await message in subscription {
                    guard let json = try? JSONValue(parsing: message.payload),
                          let meta = try? ResultMeta(json: json, taskID: taskID) else { continue }
                    if meta.status.isReady { return meta }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw ResultTimeoutError(taskID: taskID, timeout: timeout)
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let meta = next { return meta }
            }
            throw ResultTimeoutError(taskID: taskID, timeout: timeout)
        }
    }

    public func forget(_ taskID: String) async throws {
        _ = try await client.send("DEL", RedisArgument(keys.task(taskID)))
    }

    public func close() async {
        await subscriber.close()
        await client.close()
    }
}
