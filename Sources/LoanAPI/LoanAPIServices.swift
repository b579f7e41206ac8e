public import Celeriac
import Foundation
public import LoanStore
public import LoanTasks
public import Logging
public import Mongo
public import Redis

/// Everything the routes use, connected: MongoDB stores, the Celeriac client, the Redis
/// subscriber for live updates, tokens, the login limiter, metrics and readiness checks.
public struct LoanAPIServices: Sendable {
    public let configuration: APIConfiguration
    public let broker: RabbitMQBroker
    public let backend: RedisResultBackend
    public let mongo: MongoClient
    public let accounts: AccountStore
    public let loans: LoanStore
    public let pipeline: LoanPipeline
    public let subscriber: RedisSubscriber
    public let tokens: TokenService
    public let loginLimiter: LoginRateLimiter
    public let metrics: APIMetrics
    public let readiness: ReadinessChecks
    public let logger: Logger

    /// Connects to RabbitMQ, Redis and MongoDB and prepares the collections' indexes.
    /// `database` overrides the database named in `MONGO_URL` (tests use a unique one).
    public static func connect(_ configuration: APIConfiguration, database: String? = nil, metrics: APIMetrics = APIMetrics(),
                               logger: Logger) async throws -> LoanAPIServices {
        let broker = try RabbitMQBroker(url: configuration.amqpURL, name: "loan-api", logger: logger)
        let backend = try RedisResultBackend(url: configuration.redisURL, logger: logger)
        try await broker.connect()
        try await backend.connect()
        var redisConfiguration = try RedisConfiguration(url: configuration.redisURL)
        redisConfiguration.connectionName = "loan-api events"
        let subscriber = RedisSubscriber(configuration: redisConfiguration, logger: logger)
        try await subscriber.connect()
        let mongo = try MongoClient(uri: configuration.mongoURL, logger: logger)
        guard let db = database.map(mongo.database) ?? mongo.defaultDatabase else {
            throw APIStartupError(description: "MONGO_URL names no database (mongodb://host:port/DATABASE)")
        }
        let accounts = AccountStore(database: db)
        try await accounts.prepare()
        let loans = LoanStore(database: db)
        try await loans.prepare()
        let client = CeleriacClient(broker: broker, backend: backend, logger: logger)
        let queues = LoanQueues(prefix: configuration.loanQueuePrefix)
        // Declared as the workers declare them: the readiness check and queue lengths look them up.
        for queue in queues.all { try await broker.declareTaskQueue(queue) }
        let pipeline = LoanPipeline(store: loans, client: client, tasks: LoanTasks(queues: queues),
                                    notifier: RedisLoanNotifier(redis: backend.redis))
        return LoanAPIServices(
            configuration: configuration, broker: broker, backend: backend, mongo: mongo, accounts: accounts, loans: loans,
            pipeline: pipeline, subscriber: subscriber,
            tokens: await TokenService(secret: configuration.jwtSecret, lifetime: configuration.tokenLifetime),
            loginLimiter: LoginRateLimiter(maxFailures: configuration.loginMaxFailures, window: configuration.loginWindow),
            metrics: metrics, readiness: ReadinessChecks(broker: broker, queue: queues.decision, redis: backend.redis, mongo: mongo), logger: logger)
    }

    public var client: CeleriacClient { pipeline.client }

    /// Closes the connections (after the HTTP server has stopped).
    public func close() async {
        await subscriber.close()
        await broker.close()
        await backend.close()
    }
}

/// The API cannot start with this configuration.
public struct APIStartupError: Error, CustomStringConvertible {
    public var description: String
}
