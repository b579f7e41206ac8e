import ClientSupport
import Foundation
public import Logging
import Synchronization

/// One Redis connection with its own owner thread.
///
/// Every command from every caller is queued to the owner, which writes all queued commands
/// before reading their replies: concurrent callers are pipelined automatically. A broken
/// connection fails the commands in flight (`.connectionLost`: they may have run) and the
/// next commands reconnect, with a few quick retries before giving up (`.connection`).
public final class RedisConnection: RedisClient {
    public let configuration: RedisConfiguration
    let logger: Logger
    private let owner: OwnerThread
    private let state = OwnerState()
    private let closed = StopFlag()

    /// Reconnect attempts made for one batch of commands before they fail.
    static let connectAttempts = 3

    struct Request: Sendable {
        let commands: [[RedisArgument]]
        let complete: @Sendable (Result<[RedisValue], RedisError>) -> Void
    }

    /// Owned by the owner thread only.
    private final class OwnerState: @unchecked Sendable {
        var context: HiredisContext?
        var queue: [Request] = []
    }

    public init(configuration: RedisConfiguration, logger: Logger = Logger(label: "redis")) {
        self.configuration = configuration
        self.logger = logger
        owner = OwnerThread(name: "redis \(configuration.endpoint)")
        owner.start { [owner, state, closed, configuration, logger] in
            Self.run(owner: owner, state: state, closed: closed, configuration: configuration, logger: logger)
        }
    }

    deinit {
        closed.set()
        owner.wake()
    }

    /// Connects now (otherwise the first command does); throws clear errors for a refused
    /// connection or a wrong password.
    public func connect() async throws(RedisError) {
        let result: Result<Void, RedisError> = await withCheckedContinuation { continuation in
            owner.submit { [state, configuration] in
                if state.context != nil { continuation.resume(returning: .success(())); return }
                let connected = Result { () throws(RedisError) in try HiredisContext(configuration) }
                if case .success(let context) = connected { state.context = context }
                continuation.resume(returning: connected.map { _ in () })
            }
        }
        try result.get()
    }

    /// Closes the connection; pending commands fail with `.closed`.
    public func close() async {
        closed.set()
        owner.wake()
        await owner.joined()
    }

    /// How long commands wait out a server that is still loading its data after a restart.
    static let loadingPatience: Duration = .seconds(60)

    func execute(_ commands: [[RedisArgument]]) async throws(RedisError) -> [RedisValue] {
        let deadline = ContinuousClock.now + Self.loadingPatience
        var attempt = 0
        while true {
            let replies = try await executeOnce(commands)
            // Right after a restart Redis answers LOADING until its data is back: nothing ran, so retry.
            guard case .error(let message)? = replies.first, message.hasPrefix("LOADING"), ContinuousClock.now < deadline else {
                return replies
            }
            try? await Task.sleep(for: configuration.reconnectBackoff.delay(forAttempt: attempt))
            attempt += 1
        }
    }

    private func executeOnce(_ commands: [[RedisArgument]]) async throws(RedisError) -> [RedisValue] {
        guard !closed.isSet else { throw RedisError(.closed) }
        let result: Result<[RedisValue], RedisError> = await withCheckedContinuation { continuation in
            let request = Request(commands: commands) { continuation.resume(returning: $0) }
            owner.submit { [state] in state.queue.append(request) }
        }
        return try result.get()
    }

    public func send(_ command: [RedisArgument]) async throws(RedisError) -> RedisValue {
        let reply = try await execute([command])[0]
        if case .error(let message) = reply { throw RedisError(.server(message)) }
        return reply
    }

    public func pipeline(_ commands: [[RedisArgument]]) async throws(RedisError) -> [Result<RedisValue, RedisError>] {
        guard !commands.isEmpty else { return [] }
        return try await execute(commands).map { reply in
            if case .error(let message) = reply { return .failure(RedisError(.server(message))) }
            return .success(reply)
        }
    }

    public func transaction(_ commands: [[RedisArgument]]) async throws(RedisError) -> [RedisValue] {
        let replies = try await execute([["MULTI"]] + commands + [["EXEC"]])
        switch replies.last! {
        case .array(let results): return results
        case .null: throw RedisError(.transactionAborted)
        case .error(let message):
            let queued = replies.dropFirst().dropLast().compactMap { reply -> String? in
                if case .error(let m) = reply { m } else { nil }
            }
            throw RedisError(.server(([message] + queued).joined(separator: "; ")))
        default: throw RedisError(.protocolViolation("EXEC replied \(replies.last!)"))
        }
    }

    // MARK: owner loop

    private static func run(owner: OwnerThread, state: OwnerState, closed: StopFlag,
                            configuration: RedisConfiguration, logger: Logger) {
        while !closed.isSet {
            owner.runJobs()
            if state.queue.isEmpty {
                _ = owner.wait(timeoutMilliseconds: 1000)
                continue
            }
            let batch = state.queue
            state.queue.removeAll(keepingCapacity: true)
            process(batch, owner: owner, state: state, configuration: configuration, logger: logger)
        }
        owner.runJobs()
        for request in state.queue { request.complete(.failure(RedisError(.closed))) }
        state.queue.removeAll()
        state.context = nil
    }

    private static func process(_ batch: [Request], owner: OwnerThread, state: OwnerState, configuration: RedisConfiguration, logger: Logger) {
        let context: HiredisContext
        if let existing = state.context, !existing.isClosedByPeer {
            context = existing
        } else {
            var attempt = 0
            while true {
                do {
                    context = try HiredisContext(configuration)
                    state.context = context
                    if attempt > 0 { logger.info("redis reconnected", metadata: ["endpoint": .string(configuration.endpoint)]) }
                    break
                } catch {
                    attempt += 1
                    if attempt >= connectAttempts || error.kind.isAuthentication {
                        for request in batch { request.complete(.failure(error)) }
                        return
                    }
                    Thread.sleep(forTimeInterval: configuration.reconnectBackoff.delay(forAttempt: attempt).seconds)
                }
            }
        }
        var completed = 0
        do {
            for request in batch {
                for command in request.commands { try context.append(command) }
            }
            try context.flush()
            // The replies are usually microseconds away: look for them before blocking in read(2).
            owner.spin(untilReadable: context.fileDescriptor)
            for request in batch {
                var replies: [RedisValue] = []
                replies.reserveCapacity(request.commands.count)
                for _ in request.commands { replies.append(try context.readReply()) }
                request.complete(.success(replies))
                completed += 1
            }
        } catch {
            logger.warning("redis connection lost", metadata: ["endpoint": .string(configuration.endpoint), "error": .string(error.description)])
            state.context = nil
            for request in batch.dropFirst(completed) { request.complete(.failure(error)) }
        }
    }
}

extension RedisError.Kind {
    var isAuthentication: Bool { if case .authentication = self { true } else { false } }
}

/// A flag set once, read from any thread.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
