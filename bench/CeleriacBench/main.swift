// End-to-end Celeriac benchmark client (release build). Workers are separate `loan-worker`
// processes started by scripts/bench.sh on the queue `bench.demo`.
//   celeriac-bench tasks N      demo.add × N, time until every result is stored
//   celeriac-bench tasks-ignored N   demo.add × N with results ignored (see EndToEndBench.tasksIgnored)
//   celeriac-bench wait-consumers N  wait until BENCH_QUEUE has N consumers
//   celeriac-bench purge 0      empty BENCH_QUEUE (declaring it, as a worker would)
//   celeriac-bench chords M     chord([demo.add, demo.add], demo.sum) × M, chords/s and send→callback latency
//   celeriac-bench latency K    K sequential send → result round trips, p50/p99
//   celeriac-bench loans L      L sample loans through the evaluation chord with MongoDB updates
//                               (needs MONGO_URL and the credit/property/decision pools running)
import Celeriac
import DemoTasks
import Foundation
import LoanStore
import LoanTasks
import Mongo
import Logging
import Redis

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}
let environment = ProcessInfo.processInfo.environment
guard let amqpURL = environment["AMQP_URL"], let redisURL = environment["REDIS_URL"] else {
    FileHandle.standardError.write(Data("celeriac-bench: AMQP_URL and REDIS_URL must be set\n".utf8))
    exit(2)
}
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2, let count = Int(arguments[1]), count >= 0 else {
    FileHandle.standardError.write(Data("usage: celeriac-bench tasks|tasks-ignored|chords|latency|loans|wait-consumers|purge COUNT\n".utf8))
    exit(2)
}
let queue = environment["BENCH_QUEUE"] ?? "bench.demo"
do {
    let broker = try RabbitMQBroker(url: amqpURL, name: "bench")
    let backend = try RedisResultBackend(url: redisURL)
    try await broker.connect()
    try await backend.connect()
    let client = CeleriacClient(broker: broker, backend: backend)
    let bench = EndToEndBench(client: client, backend: backend, redisURL: redisURL, queue: queue)

    switch arguments[0] {
    case "tasks": try await bench.tasks(count)
    case "tasks-ignored": try await bench.tasksIgnored(count)
    case "wait-consumers": try await bench.waitForConsumers(count)
    case "purge":
        try await broker.declareTaskQueue(queue)
        _ = try await broker.purge(queue)
    case "chords": try await bench.chords(count)
    case "latency": try await bench.latency(count)
    case "loans":
        guard let mongoURL = environment["MONGO_URL"], let database = try MongoClient(uri: mongoURL).defaultDatabase else {
            FileHandle.standardError.write(Data("celeriac-bench loans: MONGO_URL with a database must be set\n".utf8))
            exit(2)
        }
        let store = LoanStore(database: database)
        try await store.prepare()
        try await LoanBench(bench: bench, pipeline: LoanPipeline(store: store, client: client, tasks: LoanTasks(),
                                                                 notifier: RedisLoanNotifier(redis: backend.redis))).loans(count)
    default:
        FileHandle.standardError.write(Data("unknown benchmark \(arguments[0])\n".utf8))
        exit(2)
    }
    await broker.close()
    await backend.close()
} catch {
    // A failed run is reported, not a crash: the comparison script prints this and stops.
    FileHandle.standardError.write(Data("celeriac-bench \(arguments[0]): \(error)\n".utf8))
    exit(1)
}
