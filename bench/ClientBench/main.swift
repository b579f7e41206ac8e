// Client micro benchmarks (release build): AMQP publish+consume with confirms and manual acks,
// Redis pipelined and auto-pipelined SETs. Run through scripts/bench.sh, which starts the stack.
import Foundation

let environment = ProcessInfo.processInfo.environment
guard let amqpURL = environment["AMQP_URL"], let redisURL = environment["REDIS_URL"] else {
    FileHandle.standardError.write(Data("client-bench: AMQP_URL and REDIS_URL must be set (scripts/bench.sh sets them)\n".utf8))
    exit(2)
}
let arguments = CommandLine.arguments.dropFirst()
let only = arguments.first

var results: [BenchResult] = []
if only == nil || only == "redis" {
    results += try await RedisBench(url: redisURL).run()
}
if only == nil || only == "amqp" {
    results += try await AMQPBench(url: amqpURL).run()
}
print(BenchResult.table(results))
