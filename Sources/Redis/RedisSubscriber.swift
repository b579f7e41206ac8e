import ClientSupport
import Foundation
public import Logging
import Synchronization

/// A message received on a subscribed channel.
public struct RedisMessage: Sendable, Hashable {
    public var channel: String
    /// The matching pattern, for `psubscribe` subscriptions.
    public var pattern: String?
    public var payload: [UInt8]
}

/// Pub/sub on its own connection and owner thread. Many subscriptions share the connection;
/// each receives only the channels (or patterns) it asked for, as an `AsyncSequence`.
/// After a reconnect every channel is subscribed again and the same sequences keep delivering.
public final class RedisSubscriber: Sendable {
    public let configuration: RedisConfiguration
    let logger: Logger
    private let owner: OwnerThread
    private let state = SubscriberState()
    private let closed = StopFlag()
    private let ids = Atomic<Int>(0)

    public init(configuration: RedisConfiguration, logger: Logger = Logger(label: "redis.pubsub")) {
        self.configuration = configuration
        self.logger = logger
        owner = OwnerThread(name: "redis pubsub \(configuration.endpoint)")
        owner.start { [owner, state, closed, configuration, logger] in
            SubscriberLoop(owner: owner, state: state, closed: closed, configuration: configuration, logger: logger).run()
        }
    }

    deinit {
        closed.set()
        owner.wake()
    }

    /// Connects now; throws clear errors (refused, wrong password).
    public func connect() async throws(RedisError) {
        let result: Result<Void, RedisError> = await withCheckedContinuation { continuation in
            owner.submit { [state] in
                state.connectWaiters.append { continuation.resume(returning: $0) }
                state.wantsConnect = true
            }
        }
        try result.get()
    }

    /// Subscribes to channels; returns once the server has confirmed, so nothing published
    /// afterwards can be missed.
    public func subscribe(_ channels: [String]) async throws(RedisError) -> RedisSubscription {
        try await add(channels, pattern: false)
    }

    /// Subscribes to glob patterns (`PSUBSCRIBE`).
    public func psubscribe(_ patterns: [String]) async throws(RedisError) -> RedisSubscription {
        try await add(patterns, pattern: true)
    }

    private func add(_ names: [String], pattern: Bool) async throws(RedisError) -> RedisSubscription {
        guard !closed.isSet else { throw RedisError(.closed) }
        let id = ids.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<RedisMessage>.makeStream(bufferingPolicy: .unbounded)
        let subscription = RedisSubscription(id: id, stream: stream, subscriber: self)
        let result: Result<Void, RedisError> = await withCheckedContinuation { ready in
            owner.submit { [state] in
                state.pendingAdds.append(.init(id: id, names: Set(names), pattern: pattern, continuation: continuation,
                                               ready: { ready.resume(returning: $0) }))
            }
        }
        try result.get()
        return subscription
    }

    func remove(_ id: Int) {
        owner.submit { [state] in state.pendingRemovals.append(id) }
    }

    /// Closes the connection; every subscription's sequence finishes.
    public func close() async {
        closed.set()
        owner.wake()
        await owner.joined()
    }
}

/// The messages of one subscription. Ends when unsubscribed or when the subscriber closes.
public final class RedisSubscription: AsyncSequence, Sendable {
    public typealias Element = RedisMessage
    let id: Int
    let stream: AsyncStream<RedisMessage>
    weak let subscriber: RedisSubscriber?

    init(id: Int, stream: AsyncStream<RedisMessage>, subscriber: RedisSubscriber) {
        self.id = id
        self.stream = stream
        self.subscriber = subscriber
    }

    public func makeAsyncIterator() -> AsyncStream<RedisMessage>.Iterator { stream.makeAsyncIterator() }

    /// Stops this subscription (other subscriptions on the same subscriber are unaffected).
    public func unsubscribe() async {
        subscriber?.remove(id)
    }

    deinit { subscriber?.remove(id) }
}

/// Everything the pub/sub owner thread keeps; touched only there.
final class SubscriberState: @unchecked Sendable {
    struct Add {
        let id: Int
        let names: Set<String>
        let pattern: Bool
        let continuation: AsyncStream<RedisMessage>.Continuation
        let ready: @Sendable (Result<Void, RedisError>) -> Void
    }
    struct Entry {
        let names: Set<String>
        let pattern: Bool
        let continuation: AsyncStream<RedisMessage>.Continuation
    }
    var wantsConnect = false
    var connectWaiters: [@Sendable (Result<Void, RedisError>) -> Void] = []
    var pendingAdds: [Add] = []
    var pendingRemovals: [Int] = []
    var entries: [Int: Entry] = [:]
    /// Adds waiting for the server to confirm these names.
    var awaiting: [(names: Set<String>, pattern: Bool, ready: @Sendable (Result<Void, RedisError>) -> Void)] = []
}
