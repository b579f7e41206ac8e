import ArgumentParser
import Celeriac
import Foundation
import LoanDomain
import LoanStore
import LoanTasks
import Logging
import Mongo
import ServiceEnvironment

/// `loan-demo`: submits sample loans to the running pools and prints how each ended.
///
/// Exits 1 when a loan does not reach a terminal state in time or its outcome differs from the
/// domain rules, so the main command fails loudly when the system does.
@main
struct LoanDemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loan-demo",
        abstract: "Submit sample loans through the evaluation pipeline and print their outcomes.",
        discussion: "Environment: AMQP_URL, REDIS_URL, MONGO_URL, LOAN_QUEUE_PREFIX (default loan), LOG_LEVEL.")

    @Option(help: "How many loans (cycling through the sample applicants).")
    var count: Int = SampleRequests.archetypes.count
    @Option(help: "Seconds to wait for each loan's evaluation.")
    var timeout: Double = 60

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        let env = Environment()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = env.string("LOG_LEVEL").flatMap { Logger.Level(rawValue: $0) } ?? .warning
            return handler
        }
        let logger = Logger(label: "loan-demo")
        let broker = try RabbitMQBroker(url: try env.required("AMQP_URL"), name: "loan-demo", logger: logger)
        let backend = try RedisResultBackend(url: try env.required("REDIS_URL"), logger: logger)
        try await broker.connect()
        try await backend.connect()
        let mongo = try MongoClient(uri: try env.required("MONGO_URL"), logger: logger)
        guard let database = mongo.defaultDatabase else { throw ConfigurationError("MONGO_URL names no database") }
        let store = LoanStore(database: database)
        try await store.prepare()
        let pipeline = LoanPipeline(store: store, client: CeleriacClient(broker: broker, backend: backend),
                                    tasks: LoanTasks(queues: LoanQueues(prefix: env.string("LOAN_QUEUE_PREFIX") ?? "loan")),
                                    notifier: RedisLoanNotifier(redis: backend.redis))

        let names = SampleRequests.archetypes.map(\.name)
        let requests = SampleRequests.mixed(count)
        let started = ContinuousClock.now
        var submitted: [(name: String, loan: LoanDocument, evaluation: AsyncResult<JSONValue>)] = []
        for (index, request) in requests.enumerated() {
            let (loan, evaluation) = try await pipeline.submit(request, owner: "demo")
            submitted.append((names[index % names.count], loan, evaluation))
        }
        var report = Report()
        for entry in submitted {
            _ = try? await entry.evaluation.get(timeout: .seconds(timeout))
            report.add(name: entry.name, loan: try await store.loan(entry.loan.id), request: entry.loan.request)
        }
        let elapsed = ContinuousClock.now - started
        print(report.render(elapsed: elapsed))
        await broker.close()
        await backend.close()
        if !report.allCorrect { throw ExitCode(1) }
    }
}
