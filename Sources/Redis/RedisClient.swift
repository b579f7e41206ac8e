/// Sending commands to Redis; implemented by ``RedisConnection`` and ``RedisPool``.
public protocol RedisClient: Sendable {
    /// Runs one command. An error reply throws ``RedisError`` (`.server`).
    func send(_ command: [RedisArgument]) async throws(RedisError) -> RedisValue

    /// Runs commands back to back on one connection; each gets its own result.
    func pipeline(_ commands: [[RedisArgument]]) async throws(RedisError) -> [Result<RedisValue, RedisError>]

    /// Runs commands inside `MULTI`/`EXEC` and returns `EXEC`'s replies (a command that failed
    /// at run time appears as a `.error` value). A command rejected while queueing throws
    /// (`EXECABORT`); a `nil` EXEC (a watched key changed) throws `.transactionAborted`.
    func transaction(_ commands: [[RedisArgument]]) async throws(RedisError) -> [RedisValue]
}

extension RedisClient {
    /// `send("SET", key, value)`.
    public func send(_ name: RedisArgument, _ arguments: RedisArgument...) async throws(RedisError) -> RedisValue {
        try await send([name] + arguments)
    }

    /// Runs a Lua script with `EVALSHA`, loading it with `EVAL` when the server does not know it
    /// (`NOSCRIPT` after a restart or `SCRIPT FLUSH`).
    public func evalScript(_ script: RedisScript, keys: [RedisArgument], arguments: [RedisArgument]) async throws(RedisError) -> RedisValue {
        let tail = [RedisArgument(keys.count)] + keys + arguments
        do {
            return try await send(["EVALSHA", RedisArgument(script.sha1)] + tail)
        } catch let error where error.serverMessage?.hasPrefix("NOSCRIPT") == true {
            return try await send(["EVAL", RedisArgument(script.source)] + tail)
        }
    }

    /// Iterates the keys matching `pattern` with `SCAN` (never `KEYS`): the server is never blocked
    /// for long. Keys present for the whole iteration are returned at least once.
    public func scan(match pattern: String? = nil, count: Int = 1000, type: String? = nil) -> AsyncThrowingStream<String, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var cursor = "0"
                repeat {
                    var command: [RedisArgument] = ["SCAN", RedisArgument(cursor)]
                    if let pattern { command += ["MATCH", RedisArgument(pattern)] }
                    command += ["COUNT", RedisArgument(count)]
                    if let type { command += ["TYPE", RedisArgument(type)] }
                    do {
                        let reply = try await send(command)
                        guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let keys = parts[1].array else {
                            throw RedisError(.protocolViolation("SCAN reply \(reply)"))
                        }
                        for key in keys { if let text = key.string { continuation.yield(text) } }
                        cursor = next
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                } while cursor != "0" && !Task.isCancelled
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
