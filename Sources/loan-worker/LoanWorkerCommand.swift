import ArgumentParser
import Celeriac
import DemoTasks
import LoanTasks
import ServiceEnvironment
import Foundation
import Logging

/// `loan-worker`: one worker process of a pool. Everything is read from the environment (the
/// names compose and Kubernetes use); flags override it.
@main
struct LoanWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loan-worker",
        abstract: "Run a Celeriac worker process that consumes task queues.",
        discussion: """
        Environment: AMQP_URL, REDIS_URL, MONGO_URL (loan tasks), LOAN_QUEUE_PREFIX (default loan),
        WORKER_QUEUES (comma-separated), WORKER_CONCURRENCY, WORKER_PREFETCH, WORKER_DRAIN_TIMEOUT
        (seconds), WORKER_EVENTS (1/0), WORKER_CONSUMER_THREAD (1/0), WORKER_HOSTNAME,
        RESULT_EXPIRES (seconds), LOG_LEVEL, WORKER_HEALTH_FILE (rewritten every 5 s; read by
        `loan-worker health-check`).
        The first SIGTERM/SIGINT stops consuming and lets running tasks finish (up to the drain
        timeout); a second one exits at once and unfinished tasks are redelivered to other workers.
        """,
        subcommands: [HealthCheckCommand.self])

    @Option(help: "Queues to consume, comma-separated (default: every registered task's queue).")
    var queues: String?
    @Option(help: "Tasks run at the same time.")
    var concurrency: Int?
    @Option(help: "Unacknowledged messages prefetched per queue.")
    var prefetch: Int?
    @Option(help: "Seconds in-flight tasks may take to finish on shutdown.")
    var drainTimeout: Double?
    @Option(help: "Node name shown in events (default celeriac-<pid>@<host>).")
    var hostname: String?
    @Flag(inversion: .prefixedNo, help: "Send task events and heartbeats.")
    var events: Bool?
    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Run tasks on the thread that receives deliveries instead of the shared thread pool.",
        discussion: "Saves a thread switch per task; only for tasks that suspend rather than block."))
    var consumerThread: Bool?

    func run() async throws {
        // Signals first: a SIGTERM during start-up must not kill the process with messages half-handled.
        let shutdown = ShutdownRequest()
        let signals = ShutdownSignals { await shutdown.request() }
        defer { signals.cancel() }
        let env = Environment()
        // Reported from the start, so a worker still connecting counts as alive (not ready).
        let health = env.string("WORKER_HEALTH_FILE").map(WorkerHealthReporter.init(path:))
        health?.start()
        defer { health?.stop() }
        LoggingSystem.bootstrap { label in
            // Deferred: the worker changes task_id/task_name for every task, and StreamLogHandler
            // would re-render its metadata on each change.
            var handler = DeferredMetadataLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = env.logLevel
            return handler
        }
        let logger = Logger(label: "loan-worker")
        var registry = TaskRegistry()
        DemoTasks.register(in: &registry)

        let configuration = WorkerConfiguration(
            hostname: hostname ?? env.string("WORKER_HOSTNAME"),
            queues: (queues ?? env.string("WORKER_QUEUES") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            concurrency: try concurrency ?? env.int("WORKER_CONCURRENCY") ?? 4,
            prefetch: try prefetch ?? env.int("WORKER_PREFETCH"),
            drainTimeout: .seconds(try drainTimeout ?? env.double("WORKER_DRAIN_TIMEOUT") ?? 30),
            sendEvents: try events ?? env.bool("WORKER_EVENTS") ?? true,
            runsOnConsumerThread: try consumerThread ?? env.bool("WORKER_CONSUMER_THREAD") ?? false)

        let broker = try RabbitMQBroker(url: try env.required("AMQP_URL"), name: configuration.hostname, logger: logger)
        let backend = try RedisResultBackend(url: try env.required("REDIS_URL"), expires: try env.int("RESULT_EXPIRES") ?? 86_400, logger: logger)
        try await broker.connect()
        try await backend.connect()
        let loans = try await LoanWiring(env: env, queues: configuration.queues, registry: &registry, results: backend, logger: logger)
        defer { withExtendedLifetime(loans) {} }
        let worker = Worker(registry: registry, broker: broker, backend: backend, configuration: configuration, logger: logger)
        await shutdown.onRequest {
            health?.advance(to: .draining)
            await worker.shutdown()
        }
        if let health {
            Task { await worker.waitUntilReady(); health.advance(to: .consuming) }
        }
        try await worker.run()
        await broker.close()
        await backend.close()
    }
}
