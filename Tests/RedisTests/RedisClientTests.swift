import Foundation
import Redis
import Testing
import TestSupport

/// The Redis client against the real server.
@Suite struct RedisClientTests {
    func connection() async throws -> RedisConnection {
        let connection = RedisConnection(configuration: try RedisConfiguration(url: TestEnvironment.redisURL))
        try await connection.connect()
        return connection
    }

    @Test func tenThousandPipelinedSets() async throws {
        let redis = try await connection()
        let prefix = TestEnvironment.uniqueName("pipe")
        let sets: [[RedisArgument]] = (0..<10_000).map { ["SET", RedisArgument("\(prefix):\($0)"), RedisArgument("value-\($0)")] }
        let results = try await redis.pipeline(sets)
        #expect(results.count == 10_000)
        #expect(results.allSatisfy { (try? $0.get()) == .status("OK") })
        let gets: [[RedisArgument]] = (0..<10_000).map { ["GET", RedisArgument("\(prefix):\($0)")] }
        let values = try await redis.pipeline(gets).map { try $0.get().string }
        #expect(values == (0..<10_000).map { "value-\($0)" })
        // Concurrent single commands are pipelined automatically and each gets its own reply.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<2_000 {
                group.addTask {
                    let reply = try await redis.send("INCRBY", RedisArgument("\(prefix):counter"), RedisArgument(i))
                    #expect(reply.int != nil)
                }
            }
            try await group.waitForAll()
        }
        #expect(try await redis.send("GET", RedisArgument("\(prefix):counter")).int == (0..<2_000).reduce(0, +))
        await redis.close()
    }

    @Test func binarySafeValues() async throws {
        let redis = try await connection()
        let key = RedisArgument(TestEnvironment.uniqueName("bin"))
        let bytes: [UInt8] = [0, 1, 2, 0xFF, 0, 13, 10]
        _ = try await redis.send("SET", key, RedisArgument(bytes: bytes))
        #expect(try await redis.send("GET", key).bytes == bytes)
        #expect(try await redis.send("GET", RedisArgument(TestEnvironment.uniqueName("missing"))).isNull)
        await redis.close()
    }

    @Test func serverErrorsAreThrownClearly() async throws {
        let redis = try await connection()
        let key = RedisArgument(TestEnvironment.uniqueName("type"))
        _ = try await redis.send("LPUSH", key, "x")
        await #expect { try await redis.send("GET", key) } throws: { error in
            (error as? RedisError)?.serverMessage?.hasPrefix("WRONGTYPE") == true
        }
        // The connection is still fine afterwards.
        #expect(try await redis.send("PING") == .status("PONG"))
        await redis.close()
    }

    @Test func multiExecWithSetexAndPublish() async throws {
        let redis = try await connection()
        let subscriber = RedisSubscriber(configuration: try RedisConfiguration(url: TestEnvironment.redisURL))
        let key = TestEnvironment.uniqueName("celery-task-meta")
        let subscription = try await subscriber.subscribe([key])
        let replies = try await redis.transaction([
            ["SETEX", RedisArgument(key), "60", #"{"status": "SUCCESS"}"#],
            ["PUBLISH", RedisArgument(key), #"{"status": "SUCCESS"}"#],
        ])
        #expect(replies.first == .status("OK"))
        #expect(replies.last == .integer(1))
        var iterator = subscription.makeAsyncIterator()
        let message = await iterator.next()
        #expect(message.map { String(decoding: $0.payload, as: UTF8.self) } == #"{"status": "SUCCESS"}"#)
        let ttl = try await redis.send("TTL", RedisArgument(key)).int ?? -1
        #expect((1...60).contains(ttl))
        // A command the server rejects while queueing aborts the whole transaction.
        await #expect { try await redis.transaction([["SET", RedisArgument(key)], ["INCR", "x"]]) } throws: { error in
            (error as? RedisError)?.serverMessage?.contains("EXECABORT") == true
        }
        // A command failing at run time is reported in its slot; the others still ran.
        let mixed = try await redis.transaction([["SET", RedisArgument("\(key):a"), "1"], ["INCR", RedisArgument(key)]])
        #expect(mixed[0] == .status("OK"))
        if case .error(let message) = mixed[1] { #expect(message.contains("not an integer")) } else { Issue.record("expected an error slot") }
        await subscriber.close()
        await redis.close()
    }

    @Test func luaScriptViaEvalshaAfterScriptFlush() async throws {
        let redis = try await connection()
        let script = RedisScript("return {KEYS[1], ARGV[1], redis.call('INCRBY', KEYS[1], ARGV[1])}")
        #expect(try await redis.send("SCRIPT", "LOAD", RedisArgument(script.source)).string == script.sha1)
        _ = try await redis.send("SCRIPT", "FLUSH")
        let key = TestEnvironment.uniqueName("lua")
        let reply = try await redis.evalScript(script, keys: [RedisArgument(key)], arguments: ["5"])
        #expect(reply == .array([.bulk(Array(key.utf8)), .bulk(Array("5".utf8)), .integer(5)]))
        // Now cached by the server: EVALSHA succeeds directly.
        #expect(try await redis.send("SCRIPT", "EXISTS", RedisArgument(script.sha1)) == .array([.integer(1)]))
        #expect(try await redis.evalScript(script, keys: [RedisArgument(key)], arguments: ["2"]).array?.last == .integer(7))
        await redis.close()
    }

    @Test func scanFindsEveryMatchingKey() async throws {
        let redis = try await connection()
        let prefix = TestEnvironment.uniqueName("scan")
        _ = try await redis.pipeline((0..<5_000).map { ["SET", RedisArgument("\(prefix):\($0)"), "1"] })
        var seen = Set<String>()
        for try await key in redis.scan(match: "\(prefix):*", count: 500) { seen.insert(key) }
        #expect(seen.count == 5_000)
        await redis.close()
    }

    @Test func poolServesManyConcurrentCallers() async throws {
        let pool = RedisPool(configuration: try RedisConfiguration(url: TestEnvironment.redisURL), size: 3)
        try await pool.connect()
        let prefix = TestEnvironment.uniqueName("pool")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<1_000 {
                group.addTask {
                    _ = try await pool.send("SET", RedisArgument("\(prefix):\(i)"), RedisArgument(i * 2))
                    #expect(try await pool.send("GET", RedisArgument("\(prefix):\(i)")).int == i * 2)
                }
            }
            try await group.waitForAll()
        }
        await pool.close()
    }
}

@Suite struct RedisConfigurationTests {
    @Test func parsesURLForms() throws {
        let passwordOnly = try RedisConfiguration(url: "redis://:s3cret@127.0.0.1:6479/2")
        #expect(passwordOnly.user == nil)
        #expect(passwordOnly.password == "s3cret")
        #expect(passwordOnly.database == 2)
        let named = try RedisConfiguration(url: "redis://app:pw@localhost")
        #expect(named.user == "app")
        #expect(named.port == 6379)
    }

    @Test(arguments: ["http://localhost", "redis://host:port", "redis://host/notadb", "redis://:pw@host:70000"])
    func rejectsBadURLs(_ url: String) {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
    }

    @Test func wrongPasswordIsAClearAuthenticationError() async throws {
        var configuration = try RedisConfiguration(url: TestEnvironment.redisURL)
        configuration.password = "definitely-wrong"
        let redis = RedisConnection(configuration: configuration)
        await #expect { try await redis.connect() } throws: { error in
            guard let error = error as? RedisError, case .authentication(let message) = error.kind else { return false }
            return message.contains("WRONGPASS") || message.contains("invalid")
        }
        await redis.close()
    }

    @Test func unreachableServerIsAClearConnectionError() async throws {
        let redis = RedisConnection(configuration: RedisConfiguration(host: "127.0.0.1", port: 1))
        await #expect { try await redis.connect() } throws: { error in
            guard let error = error as? RedisError, case .connection(let message) = error.kind else { return false }
            return message.contains("127.0.0.1:1")
        }
        await redis.close()
    }
}
