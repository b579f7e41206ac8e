public import Celeriac
public import Mongo
public import Redis

/// `GET /ready`: each backing server answers a cheap request within a deadline.
public struct ReadinessChecks: Sendable {
    let broker: any Broker
    /// A queue that exists: looking it up proves the broker answers.
    let queue: String
    let redis: any RedisClient
    let mongo: MongoClient
    let timeout: Duration

    public init(broker: any Broker, queue: String, redis: any RedisClient, mongo: MongoClient, timeout: Duration = .seconds(2)) {
        self.broker = broker
        self.queue = queue
        self.redis = redis
        self.mongo = mongo
        self.timeout = timeout
    }

    /// Each dependency's state: nil when reachable, else why not.
    public func run() async -> [String: String?] {
        async let rabbit = check { [broker, queue] in _ = try await broker.queueState(queue) }
        async let redisState = check { [redis] in _ = try await redis.send("PING") }
        async let mongoState = check { [mongo] in try await mongo.ping() }
        return ["rabbitmq": await rabbit, "redis": await redisState, "mongodb": await mongoState]
    }

    private func check(_ probe: @escaping @Sendable () async throws -> Void) async -> String? {
        switch await withDeadline(timeout, probe) {
        case .success?: nil
        case .failure(let error)?: "\(error)"
        case nil: "no answer within \(timeout)"
        }
    }
}

