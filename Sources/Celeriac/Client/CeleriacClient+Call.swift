import Synchronization

extension CeleriacClient {
    /// Sends a typed task and waits for its value (`apply(...).get()` in one call, faster).
    ///
    /// `apply` returns once the broker has confirmed the message, and RabbitMQ confirms a
    /// persistent message only when it is on disk or consumed and acknowledged — after the
    /// worker stored the result. Here the wait for the result starts as soon as the message is
    /// written and runs beside the wait for the confirm: a stored result proves the message
    /// arrived, so the call returns with it without waiting for the confirm; a refused or lost
    /// publish ends the call with the broker's error. Nothing is lost either way: the caller
    /// gets the value, or an error telling it the task was not accepted.
    ///
    /// Throws ``TaskFailedError`` when the task failed or was revoked, ``ResultTimeoutError``
    /// after `timeout`, the broker's error when the message was not accepted, and
    /// ``CallError`` for a task that ignores its result (there would be nothing to wait for).
    public func call<A, O>(_ task: TaskHandle<A, O>, _ arguments: A, options: SendOptions = SendOptions(),
                           timeout: Duration = .seconds(60)) async throws -> O {
        let (message, queue) = try prepare(task, arguments, options: options)
        guard !message.ignoreResult else {
            throw CallError(message: "\(task.name) ignores its result: send it with apply(_:_:options:) instead")
        }
        let result = AsyncResult<O>(id: message.id, backend: backend)
        let race = FirstOutcome<O>()
        return try await withTaskCancellationHandler {
            try await race.value { settle in
                let waiting = Task {
                    do { _ = settle(.success(try await result.get(timeout: timeout))) } catch { _ = settle(.failure(error)) }
                }
                Task {
                    do {
                        try await self.publish(message, queue: queue)
                    } catch {
                        if !settle(.failure(error)) {
                            // The call already ended: with the value (the message did arrive) or cancelled.
                            self.logger.warning("publish failed after the call had ended", metadata: [
                                "task_id": .string(message.id), "error": .string("\(error)")])
                        }
                        waiting.cancel()
                    }
                }
                return waiting
            }
        } onCancel: {
            race.cancel()
        }
    }
}

/// ``CeleriacClient/call(_:_:options:timeout:)`` was used the wrong way.
public struct CallError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// The first of several outcomes settles a wait; later ones are ignored. The waiting side is a
/// task that `cancel()` (the caller's cancellation) cancels.
private final class FirstOutcome<Value: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Value, any Error>?, waiting: Task<Void, Never>?,
                               cancelled: Bool)>((nil, nil, false))

    /// Runs `start`, which begins the work and returns the task to cancel on cancellation, and
    /// returns the first outcome passed to `settle` (which says whether it was the first).
    func value(_ start: (@escaping @Sendable (Result<Value, any Error>) -> Bool) -> Task<Void, Never>) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            state.withLock { $0.continuation = continuation }
            let waiting = start { outcome in
                guard let continuation = self.state.withLock({ state in
                    defer { state.continuation = nil }
                    return state.continuation
                }) else { return false }
                continuation.resume(with: outcome)
                return true
            }
            let cancelNow = state.withLock { state -> Bool in
                state.waiting = waiting
                return state.cancelled
            }
            if cancelNow { waiting.cancel() }
        }
    }

    func cancel() {
        let waiting = state.withLock { state -> Task<Void, Never>? in
            state.cancelled = true
            return state.waiting
        }
        waiting?.cancel()
    }
}
