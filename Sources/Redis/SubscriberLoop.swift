import ClientSupport
import Foundation
import Logging

/// The pub/sub owner thread: keeps the connection, (re)subscribes, and routes messages.
struct SubscriberLoop {
    let owner: OwnerThread
    let state: SubscriberState
    let closed: StopFlag
    let configuration: RedisConfiguration
    let logger: Logger

    func run() {
        var context: HiredisContext?
        var failures = 0
        while !closed.isSet {
            owner.runJobs()
            let needsConnection = state.wantsConnect || !state.entries.isEmpty || !state.pendingAdds.isEmpty
            if context == nil && needsConnection {
                do {
                    let fresh = try HiredisContext(configuration)
                    context = fresh
                    if failures > 0 { logger.info("redis pub/sub reconnected", metadata: ["endpoint": .string(configuration.endpoint)]) }
                    failures = 0
                    try resubscribeAll(fresh)
                    finishConnectWaiters(.success(()))
                } catch let error as RedisError {
                    context = nil
                    failures += 1
                    // Someone waiting on connect() or subscribe() learns at once; live
                    // subscriptions just keep waiting for the server to come back.
                    finishConnectWaiters(.failure(error))
                    for add in state.pendingAdds { add.ready(.failure(error)); add.continuation.finish() }
                    state.pendingAdds.removeAll()
                    let delay = configuration.reconnectBackoff.delay(forAttempt: min(failures, 8))
                    _ = owner.wait(timeoutMilliseconds: Int32(max(10, delay.seconds * 1000)))
                    continue
                } catch {
                    continue
                }
            }
            guard let connection = context else {
                _ = owner.wait(timeoutMilliseconds: 1000)
                continue
            }
            if !state.connectWaiters.isEmpty { finishConnectWaiters(.success(())) }
            do {
                try applyChanges(connection)
                let wakeup = owner.wait(readable: connection.fileDescriptor, timeoutMilliseconds: 1000)
                if wakeup.readable {
                    for reply in try connection.readAvailable() { handle(reply) }
                }
            } catch {
                logger.warning("redis pub/sub connection lost", metadata: ["endpoint": .string(configuration.endpoint),
                                                                          "error": .string("\(error)")])
                context = nil
                failures += 1
            }
        }
        owner.runJobs()
        for add in state.pendingAdds { add.ready(.failure(RedisError(.closed))); add.continuation.finish() }
        for entry in state.entries.values { entry.continuation.finish() }
        state.entries.removeAll()
        finishConnectWaiters(.failure(RedisError(.closed)))
    }

    private func finishConnectWaiters(_ result: Result<Void, RedisError>) {
        state.wantsConnect = false
        for waiter in state.connectWaiters { waiter(result) }
        state.connectWaiters.removeAll()
    }

    private func subscribed(pattern: Bool) -> Set<String> {
        state.entries.values.filter { $0.pattern == pattern }.reduce(into: Set<String>()) { $0.formUnion($1.names) }
    }

    private func resubscribeAll(_ connection: HiredisContext) throws {
        let channels = subscribed(pattern: false)
        let patterns = subscribed(pattern: true)
        if !channels.isEmpty { try connection.append(["SUBSCRIBE"] + channels.map { RedisArgument($0) }) }
        if !patterns.isEmpty { try connection.append(["PSUBSCRIBE"] + patterns.map { RedisArgument($0) }) }
        try connection.flush()
    }

    /// Sends SUBSCRIBE/UNSUBSCRIBE for subscriptions added or removed since the last pass.
    private func applyChanges(_ connection: HiredisContext) throws {
        for id in state.pendingRemovals {
            guard let entry = state.entries.removeValue(forKey: id) else { continue }
            entry.continuation.finish()
            let stillWanted = subscribed(pattern: entry.pattern)
            let drop = entry.names.subtracting(stillWanted)
            if !drop.isEmpty {
                try connection.append([entry.pattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE"] + drop.map { RedisArgument($0) })
            }
        }
        state.pendingRemovals.removeAll()
        for add in state.pendingAdds {
            let already = subscribed(pattern: add.pattern)
            state.entries[add.id] = .init(names: add.names, pattern: add.pattern, continuation: add.continuation)
            let missing = add.names.subtracting(already)
            if missing.isEmpty {
                add.ready(.success(()))
            } else {
                try connection.append([add.pattern ? "PSUBSCRIBE" : "SUBSCRIBE"] + missing.map { RedisArgument($0) })
                state.awaiting.append((missing, add.pattern, add.ready))
            }
        }
        state.pendingAdds.removeAll()
        try connection.flush()
    }

    private func handle(_ reply: RedisValue) {
        guard let parts = reply.array, let kind = parts.first?.string else { return }
        switch kind {
        case "message" where parts.count == 3:
            guard let channel = parts[1].string, let payload = parts[2].bytes else { return }
            let message = RedisMessage(channel: channel, pattern: nil, payload: payload)
            for entry in state.entries.values where !entry.pattern && entry.names.contains(channel) {
                entry.continuation.yield(message)
            }
        case "pmessage" where parts.count == 4:
            guard let pattern = parts[1].string, let channel = parts[2].string, let payload = parts[3].bytes else { return }
            let message = RedisMessage(channel: channel, pattern: pattern, payload: payload)
            for entry in state.entries.values where entry.pattern && entry.names.contains(pattern) {
                entry.continuation.yield(message)
            }
        case "subscribe", "psubscribe":
            guard let name = parts.count > 1 ? parts[1].string : nil else { return }
            let pattern = kind == "psubscribe"
            for index in state.awaiting.indices where state.awaiting[index].pattern == pattern {
                state.awaiting[index].names.remove(name)
            }
            let done = state.awaiting.filter { $0.names.isEmpty }
            state.awaiting.removeAll { $0.names.isEmpty }
            for waiter in done { waiter.ready(.success(())) }
        default:
            break
        }
    }
}
