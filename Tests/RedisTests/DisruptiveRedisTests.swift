import Redis
import Testing
import TestSupport

/// Restarts the test Redis: run on their own (scripts/test.sh runs `Disruptive` suites last).
@Suite(.serialized) struct DisruptiveRedisTests {
    @Test func clientsRecoverAfterARedisRestart() async throws {
        let configuration = try RedisConfiguration(url: TestEnvironment.redisURL)
        let connection = RedisConnection(configuration: configuration)
        let pool = RedisPool(configuration: configuration, size: 2)
        let subscriber = RedisSubscriber(configuration: configuration)
        try await connection.connect()
        try await pool.connect()
        let key = TestEnvironment.uniqueName("restart")
        _ = try await connection.send("SET", RedisArgument(key), "before")
        let channel = TestEnvironment.uniqueName("restart-chan")
        let subscription = try await subscriber.subscribe([channel])

        try TestStack.restart(.redis)

        // The same objects work again (appendonly keeps the data).
        var value: String?
        for _ in 0..<50 {
            value = try? await connection.send("GET", RedisArgument(key)).string
            if value != nil { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(value == "before")
        #expect(try await pool.send("PING") == .status("PONG"))
        #expect(try await pool.send("PING") == .status("PONG"))
        // The subscriber re-subscribed by itself; publish until it has.
        let receiver = Task { () -> String? in
            var iterator = subscription.makeAsyncIterator()
            return await iterator.next().map { String(decoding: $0.payload, as: UTF8.self) }
        }
        var delivered = 0
        for _ in 0..<100 where delivered == 0 {
            delivered = try await connection.send("PUBLISH", RedisArgument(channel), "after").int ?? 0
            if delivered == 0 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(delivered == 1)
        #expect(await receiver.value == "after")
        await subscriber.close()
        await pool.close()
        await connection.close()
    }
}
