import Celeriac
import Foundation
import LoanDomain
import LoanStore
import LoanTasks
import Logging
import Mongo
import Redis
import Testing
import TestSupport

/// Real RabbitMQ, Redis and MongoDB (SecantusDB) for one test: its own queue prefix and its own
/// database, so tests running side by side never see each other's loans or messages.
struct LoanHarness {
    let broker: RabbitMQBroker
    let backend: RedisResultBackend
    let client: CeleriacClient
    let mongo: MongoClient
    let database: MongoDatabase
    let store: LoanStore
    let tasks: LoanTasks
    let notifier: RedisLoanNotifier
    let pipeline: LoanPipeline

    static func connect(_ name: String, retry: RetryPolicy = LoanTasks.defaultRetry) async throws -> LoanHarness {
        let logger = Logger(label: "test")
        let broker = try RabbitMQBroker(url: TestEnvironment.amqpURL, name: name, logger: logger)
        let backend = try RedisResultBackend(url: TestEnvironment.redisURL, logger: logger)
        try await broker.connect()
        try await backend.connect()
        let mongo = try MongoClient(uri: TestEnvironment.mongoURL, logger: logger)
        let database = mongo.database(TestEnvironment.uniqueName(name))
        let store = LoanStore(database: database)
        try await store.prepare()
        let client = CeleriacClient(broker: broker, backend: backend)
        let tasks = LoanTasks(queues: LoanQueues(prefix: TestEnvironment.uniqueName(name)), retry: retry)
        let notifier = RedisLoanNotifier(redis: backend.redis)
        return LoanHarness(broker: broker, backend: backend, client: client, mongo: mongo, database: database, store: store,
                           tasks: tasks, notifier: notifier,
                           pipeline: LoanPipeline(store: store, client: client, tasks: tasks, notifier: notifier))
    }

    /// A registry with the loan tasks, optionally with other rules for the checks.
    func registry(_ evaluators: LoanEvaluators = .standard) -> TaskRegistry {
        var registry = TaskRegistry()
        tasks.register(in: &registry, LoanTaskDependencies(store: store, notifier: notifier, results: backend, evaluators: evaluators))
        return registry
    }

    /// An in-process worker consuming all three loan queues.
    func startWorker(_ registry: TaskRegistry) async -> (Worker, Task<Void, any Error>) {
        let worker = Worker(registry: registry, broker: broker, backend: backend,
                            configuration: WorkerConfiguration(hostname: "loan-test-\(UUID().uuidString.prefix(6))@localhost",
                                                               queues: tasks.queues.all, concurrency: 8),
                            logger: Logger(label: "test.worker"))
        return (worker, await worker.start())
    }

    /// Polls MongoDB until the loan satisfies `condition` (the errback path has no result to wait on).
    func waitForLoan(_ id: String, timeout: Duration = .seconds(30), until condition: (LoanDocument) -> Bool) async throws -> LoanDocument {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let loan = try await store.loan(id), condition(loan) { return loan }
            guard ContinuousClock.now < deadline else {
                throw LoanTimeout(description: "loan \(id) did not reach the expected state within \(timeout): \(String(describing: try await store.loan(id)))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func close() async {
        try? await database.drop()
        await broker.close()
        await backend.close()
    }
}

struct LoanTimeout: Error, CustomStringConvertible { var description: String }

/// The checks every evaluated loan must pass: its terminal state and decision are exactly what
/// the pure domain function gives for its request, and its history has no repeated event.
func expectEvaluatedCorrectly(_ loan: LoanDocument, sourceLocation: SourceLocation = #_sourceLocation) {
    let expected = LoanDecision.evaluate(loan.request)
    #expect(loan.status == (expected.approved ? .approved : .denied), "loan \(loan.id)", sourceLocation: sourceLocation)
    #expect(loan.decision == expected, "loan \(loan.id)", sourceLocation: sourceLocation)
    #expect(Set(loan.reasons) == Set(expected.reasons), "loan \(loan.id)", sourceLocation: sourceLocation)
    #expect(loan.checks.credit == CreditCheck.evaluate(loan.request), sourceLocation: sourceLocation)
    #expect(loan.checks.property == PropertyCheck.evaluate(loan.request), sourceLocation: sourceLocation)
    let events = loan.history.map(\.event)
    #expect(Set(events).count == events.count, "duplicated history in loan \(loan.id): \(events)", sourceLocation: sourceLocation)
    #expect(events.first == .submitted && events.contains(.evaluationStarted) && events.contains(.decided), sourceLocation: sourceLocation)
}
