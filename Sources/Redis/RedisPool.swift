public import Logging
import Synchronization

/// A few ``RedisConnection``s used in turn, for more parallelism than one connection's
/// automatic pipelining gives. MULTI/EXEC groups and pipelines stay on one connection.
public final class RedisPool: RedisClient {
    public let connections: [RedisConnection]
    private let next = Atomic<Int>(0)

    public init(configuration: RedisConfiguration, size: Int = 4, logger: Logger = Logger(label: "redis")) {
        precondition(size > 0, "a pool needs at least one connection")
        connections = (0..<size).map { index in
            var configuration = configuration
            configuration.connectionName = configuration.connectionName.map { "\($0)-\(index)" }
            return RedisConnection(configuration: configuration, logger: logger)
        }
    }

    /// Connects every connection; the first failure is thrown.
    public func connect() async throws(RedisError) {
        for connection in connections { try await connection.connect() }
    }

    public func close() async {
        for connection in connections { await connection.close() }
    }

    private var connection: RedisConnection {
        connections[next.add(1, ordering: .relaxed).oldValue % connections.count]
    }

    public func send(_ command: [RedisArgument]) async throws(RedisError) -> RedisValue {
        try await connection.send(command)
    }

    public func pipeline(_ commands: [[RedisArgument]]) async throws(RedisError) -> [Result<RedisValue, RedisError>] {
        try await connection.pipeline(commands)
    }

    public func transaction(_ commands: [[RedisArgument]]) async throws(RedisError) -> [RedisValue] {
        try await connection.transaction(commands)
    }
}
