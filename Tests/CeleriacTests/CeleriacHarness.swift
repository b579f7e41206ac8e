import AMQP
import Celeriac
import DemoTasks
import Foundation
import Logging
import Redis
import TestSupport

/// Connected broker/backend/client for integration tests, plus in-process workers.
struct CeleriacHarness {
    let broker: RabbitMQBroker
    let backend: RedisResultBackend
    let client: CeleriacClient

    static func connect(name: String = "test") async throws -> CeleriacHarness {
        let logger = Logger(label: "test")
        let broker = try RabbitMQBroker(url: TestEnvironment.amqpURL, name: name, logger: logger)
        let backend = try RedisResultBackend(url: TestEnvironment.redisURL, logger: logger)
        try await broker.connect()
        try await backend.connect()
        return CeleriacHarness(broker: broker, backend: backend, client: CeleriacClient(broker: broker, backend: backend))
    }

    /// A registry with the demo tasks, routed to `queue` instead of `demo` so tests don't share queues.
    static func demoRegistry(queue: String, extra: (inout TaskRegistry) -> Void = { _ in }) -> TaskRegistry {
        var registry = TaskRegistry()
        DemoTasks.register(in: &registry)
        extra(&registry)
        return registry
    }

    /// Starts an in-process worker on `queues`; returns it and the task running it.
    func startWorker(_ registry: TaskRegistry, queues: [String], concurrency: Int = 4, prefetch: Int? = nil,
                     drainTimeout: Duration = .seconds(10),
                     runLeaseLifetime: Duration = .seconds(15),
                     onConsumerThread: Bool = false) -> (Worker, Task<Void, any Error>) {
        let worker = Worker(registry: registry, broker: broker, backend: backend,
                            configuration: WorkerConfiguration(hostname: "test-\(UUID().uuidString.prefix(6))@localhost",
                                                               queues: queues, concurrency: concurrency, prefetch: prefetch,
                                                               drainTimeout: drainTimeout, runLeaseLifetime: runLeaseLifetime,
                                                               runsOnConsumerThread: onConsumerThread),
                            logger: Logger(label: "test.worker"))
        let task = Task { try await worker.run() }
        return (worker, task)
    }

    /// ``startWorker(_:queues:concurrency:prefetch:drainTimeout:runLeaseLifetime:onConsumerThread:)`` that returns once the worker is ready.
    func startReadyWorker(_ registry: TaskRegistry, queues: [String]) async -> (Worker, Task<Void, any Error>) {
        let (worker, task) = startWorker(registry, queues: queues)
        await worker.waitUntilReady()
        return (worker, task)
    }

    func close() async {
        await broker.close()
        await backend.close()
    }
}
