import Redis
import Testing
import TestSupport

@Suite struct PubSubTests {
    @Test func deliversToAsyncConsumersByChannelAndPattern() async throws {
        let configuration = try RedisConfiguration(url: TestEnvironment.redisURL)
        let redis = RedisConnection(configuration: configuration)
        let subscriber = RedisSubscriber(configuration: configuration)
        try await subscriber.connect()
        let a = TestEnvironment.uniqueName("chan-a")
        let b = TestEnvironment.uniqueName("chan-b")
        let onA = try await subscriber.subscribe([a])
        let onB = try await subscriber.subscribe([b])
        let onPattern = try await subscriber.psubscribe(["\(a)*"])
        // Published right after subscribe() returned: never missed.
        _ = try await redis.send("PUBLISH", RedisArgument(a), RedisArgument(bytes: [0, 255, 1]))
        _ = try await redis.send("PUBLISH", RedisArgument(b), "for b")
        var aIterator = onA.makeAsyncIterator()
        var bIterator = onB.makeAsyncIterator()
        var pIterator = onPattern.makeAsyncIterator()
        #expect(await aIterator.next()?.payload == [0, 255, 1])
        #expect(await bIterator.next().map { String(decoding: $0.payload, as: UTF8.self) } == "for b")
        let viaPattern = await pIterator.next()
        #expect(viaPattern?.channel == a)
        #expect(viaPattern?.pattern == "\(a)*")
        // Unsubscribing one subscription leaves the others working.
        await onA.unsubscribe()
        _ = try await redis.send("PUBLISH", RedisArgument(b), "still b")
        #expect(await bIterator.next().map { String(decoding: $0.payload, as: UTF8.self) } == "still b")
        await subscriber.close()
        await redis.close()
    }

    @Test func manySubscribersOfOneChannel() async throws {
        let configuration = try RedisConfiguration(url: TestEnvironment.redisURL)
        let redis = RedisConnection(configuration: configuration)
        let subscriber = RedisSubscriber(configuration: configuration)
        let channel = TestEnvironment.uniqueName("fan")
        let subscriptions = try await (0..<5).asyncMap { _ in try await subscriber.subscribe([channel]) }
        #expect(try await redis.send("PUBLISH", RedisArgument(channel), "hello").int == 1)  // one connection
        for subscription in subscriptions {
            var iterator = subscription.makeAsyncIterator()
            #expect(await iterator.next().map { String(decoding: $0.payload, as: UTF8.self) } == "hello")
        }
        await subscriber.close()
        await redis.close()
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
