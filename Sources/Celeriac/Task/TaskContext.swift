import Foundation
public import Logging

/// What a running task knows about its own invocation (Celery's `self.request`).
public struct TaskContext: Sendable {
    /// The message being executed.
    public let message: TaskMessage
    /// The worker's node name, e.g. `celeriac@host`.
    public let hostname: String
    /// A logger whose metadata carries `task_id` and `task_name`.
    public var logger: Logger

    public var id: String { message.id }
    public var name: String { message.task }
    /// 0 on the first attempt.
    public var retries: Int { message.retries }
    public var rootID: String { message.rootID ?? message.id }
    public var parentID: String? { message.parentID }
    public var groupID: String? { message.group }

    public init(message: TaskMessage, hostname: String, logger: Logger) {
        self.init(message: message, hostname: hostname, taskLogger: Self.taskLogger(logger, for: message))
    }

    /// For a logger made by ``taskLogger(_:for:)`` (the worker's, which already logs with it).
    init(message: TaskMessage, hostname: String, taskLogger: Logger) {
        self.message = message
        self.hostname = hostname
        self.logger = taskLogger
    }

    /// `logger` with the task's `task_id` and `task_name` metadata.
    static func taskLogger(_ logger: Logger, for message: TaskMessage) -> Logger {
        var logger = logger
        logger[metadataKey: "task_id"] = .string(message.id)
        logger[metadataKey: "task_name"] = .string(message.task)
        return logger
    }

    /// An error to throw to have the task retried (`throw context.retry(countdown: 5)`).
    public func retry(countdown: Double? = nil, reason: String = "retry requested") -> RetryRequest {
        RetryRequest(countdown: countdown, reason: reason)
    }
}

/// An error that knows how Celery should see it (exception type, module and arguments), so a
/// Python client reading the result gets the right exception class.
public protocol CeleryRepresentableError: Error {
    var exceptionInfo: ExceptionInfo { get }
}

extension ExceptionInfo: CeleryRepresentableError {
    public var exceptionInfo: ExceptionInfo { self }
}

extension TaskArgumentError: CeleryRepresentableError {
    public var exceptionInfo: ExceptionInfo { ExceptionInfo(type: "TypeError", message: message) }
}

extension ExceptionInfo {
    /// How any Swift error is stored: its own ``CeleryRepresentableError`` form, or the Swift type
    /// name with module `celeriac` and the error's description as message.
    public init(error: any Error) {
        if let representable = error as? any CeleryRepresentableError {
            self = representable.exceptionInfo
        } else if error is CancellationError {
            self = .softTimeLimitExceeded()
        } else {
            self.init(type: String(describing: Swift.type(of: error)), message: String(describing: error), module: "celeriac")
        }
    }
}
