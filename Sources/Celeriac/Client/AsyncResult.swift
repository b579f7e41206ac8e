/// A handle on a sent task's result (Celery's `AsyncResult`).
public struct AsyncResult<Output: Decodable & Sendable>: Sendable {
    public let id: String
    let backend: any ResultBackend

    public init(id: String, backend: any ResultBackend) {
        self.id = id
        self.backend = backend
    }

    /// The stored state; `PENDING` when nothing is stored (unknown and not-yet-started look alike,
    /// as in Celery — use ``exists()`` to tell them apart).
    public func state() async throws -> TaskState {
        try await backend.result(for: id)?.status ?? .pending
    }

    /// Whether any state is stored for the task (Celery 5.7's `AsyncResult.exists()`).
    public func exists() async throws -> Bool {
        try await backend.result(for: id) != nil
    }

    /// The stored meta, or nil.
    public func meta() async throws -> ResultMeta? {
        try await backend.result(for: id)
    }

    /// Waits for the task to finish and returns its value. Throws ``TaskFailedError`` when it
    /// failed or was revoked, ``ResultTimeoutError`` after `timeout`.
    public func get(timeout: Duration = .seconds(60)) async throws -> Output {
        let meta = try await backend.waitForReady(id, timeout: timeout)
        guard meta.status == .success else {
            throw TaskFailedError(taskID: id, state: meta.status,
                                  exception: meta.exception ?? ExceptionInfo(type: "Exception", message: "task \(meta.status.rawValue)"),
                                  traceback: meta.traceback)
        }
        return try meta.result.decode(as: Output.self)
    }

    /// Deletes the stored result.
    public func forget() async throws {
        try await backend.forget(id)
    }
}

/// The task ended in FAILURE or REVOKED.
public struct TaskFailedError: Error, CustomStringConvertible, Sendable {
    public var taskID: String
    public var state: TaskState
    public var exception: ExceptionInfo
    public var traceback: String?
    public var description: String { "task \(taskID) \(state.rawValue): \(exception)" }
}
