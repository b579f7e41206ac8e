import Celeriac
import LoanStore
import LoanTasks
import ServiceEnvironment
import Logging
import Mongo

/// Registers the loan tasks when MongoDB is configured. A worker asked to consume a loan queue
/// without MONGO_URL refuses to start instead of failing every task.
struct LoanWiring {
    let mongo: MongoClient?

    /// `results` also carries the notifications (on its Redis connections).
    init(env: Environment, queues: [String], registry: inout TaskRegistry, results: RedisResultBackend, logger: Logger) async throws {
        let loanQueues = LoanQueues(prefix: env.string("LOAN_QUEUE_PREFIX") ?? "loan")
        guard let mongoURL = env.string("MONGO_URL") else {
            if let queue = queues.first(where: loanQueues.all.contains) {
                throw ConfigurationError("MONGO_URL is not set but queue \(queue) runs loan tasks, which need MongoDB")
            }
            mongo = nil
            return
        }
        let mongo = try MongoClient(uri: mongoURL, logger: logger)
        guard let database = mongo.defaultDatabase else {
            throw ConfigurationError("MONGO_URL=\(mongoURL) names no database (mongodb://host:port/DATABASE)")
        }
        let store = LoanStore(database: database)
        try await store.prepare()
        LoanTasks(queues: loanQueues).register(in: &registry, LoanTaskDependencies(
            store: store, notifier: RedisLoanNotifier(redis: results.redis), results: results))
        self.mongo = mongo
    }
}
