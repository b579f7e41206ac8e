import Redis

/// Redis: explicit pipelines of SETs, and many concurrent callers auto-pipelined on one connection.
struct RedisBench {
    let url: String

    func run() async throws -> [BenchResult] {
        let configuration = try RedisConfiguration(url: url)
        let redis = RedisConnection(configuration: configuration)
        try await redis.connect()
        var results: [BenchResult] = []

        let total = 200_000
        let batch = 1_000
        let value = RedisArgument(String(repeating: "x", count: 100))
        let pipelined = try await measure {
            for start in stride(from: 0, to: total, by: batch) {
                let commands: [[RedisArgument]] = (start..<start + batch).map { ["SET", RedisArgument("bench:p:\($0)"), value] }
                _ = try await redis.pipeline(commands)
            }
        }
        results.append(BenchResult(name: "redis SET, pipelines of 1,000", operations: total, seconds: pipelined))

        let concurrent = 100_000
        let callers = 64
        let auto = try await measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for caller in 0..<callers {
                    group.addTask {
                        for i in stride(from: caller, to: concurrent, by: callers) {
                            _ = try await redis.send("SET", RedisArgument("bench:a:\(i)"), value)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        results.append(BenchResult(name: "redis SET, 64 callers auto-pipelined", operations: concurrent, seconds: auto))

        let sequential = 20_000
        let oneByOne = try await measure {
            for i in 0..<sequential { _ = try await redis.send("SET", RedisArgument("bench:s:\(i)"), value) }
        }
        results.append(BenchResult(name: "redis SET, one caller round trips", operations: sequential, seconds: oneByOne))
        await redis.close()
        return results
    }
}
