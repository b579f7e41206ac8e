import Foundation
public import Logging

/// Sends tasks and reads their results: the producer side of Celeriac (Celery's `app.send_task`
/// and `Task.apply_async`). Messages are Celery protocol v2 and are confirmed by the broker
/// before the call returns.
public final class CeleriacClient: Sendable {
    public let broker: any Broker
    public let backend: any ResultBackend
    /// Sender node name put in the `origin` header (`gen<pid>@<host>` like Celery clients).
    public let origin: String
    let logger: Logger

    public init(broker: any Broker, backend: any ResultBackend, origin: String? = nil,
                logger: Logger = Logger(label: "celeriac.client")) {
        self.broker = broker
        self.backend = backend
        self.origin = origin ?? "gen\(ProcessInfo.processInfo.processIdentifier)@\(ProcessInfo.processInfo.hostName)"
        self.logger = logger
    }

    /// Sends a typed task.
    public func apply<A, O>(_ task: TaskHandle<A, O>, _ arguments: A, options: SendOptions = SendOptions()) async throws -> AsyncResult<O> {
        let (message, queue) = try prepare(task, arguments, options: options)
        try await publish(message, queue: queue)
        return AsyncResult(id: message.id, backend: backend)
    }

    /// A typed call ready for ``publish(_:)``, to send many at once:
    /// `try await client.publish(inputs.map { try client.publication(task, $0) })`.
    public func publication<A, O>(_ task: TaskHandle<A, O>, _ arguments: A,
                                  options: SendOptions = SendOptions()) throws -> Publication {
        let (message, queue) = try prepare(task, arguments, options: options)
        return Publication(message, to: queue)
    }

    /// The message for a typed call and the queue it goes to (the task's defaults fill what
    /// `options` leaves unset).
    func prepare<A, O>(_ task: TaskHandle<A, O>, _ arguments: A, options: SendOptions) throws -> (TaskMessage, String) {
        let (args, kwargs) = try arguments.celeryArguments()
        var options = options
        if options.queue == nil { options.queue = task.options.queue }
        if options.priority == nil { options.priority = task.options.priority }
        if options.ignoreResult == nil, task.options.ignoreResult { options.ignoreResult = true }
        return prepare(name: task.name, args: args, kwargs: kwargs, options: options)
    }

    /// The message for a call by name and the queue it goes to (Celery's default `celery` when
    /// `options` names none).
    private func prepare(name: String, args: [JSONValue], kwargs: [String: JSONValue], options: SendOptions) -> (TaskMessage, String) {
        (message(name: name, args: args, kwargs: kwargs, options: options), options.queue ?? "celery")
    }

    /// Sends a task by name with JSON arguments (for tasks implemented elsewhere, e.g. in Python).
    public func send(_ name: String, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:],
                     options: SendOptions = SendOptions()) async throws -> AsyncResult<JSONValue> {
        let (message, queue) = prepare(name: name, args: args, kwargs: kwargs, options: options)
        try await publish(message, queue: queue)
        return AsyncResult(id: message.id, backend: backend)
    }

    /// Builds the protocol v2 message for a call.
    public func message(name: String, args: [JSONValue], kwargs: [String: JSONValue], options: SendOptions) -> TaskMessage {
        var message = TaskMessage(id: options.taskID ?? TaskMessage.newID(), task: name, args: args, kwargs: kwargs)
        message.eta = options.eta ?? options.countdown.map { Date().addingTimeInterval($0) }
        message.expires = options.expires
        message.retries = options.retries
        message.timeLimit = options.timeLimit
        message.softTimeLimit = options.softTimeLimit
        message.ignoreResult = options.ignoreResult ?? false
        message.parentID = options.parentID
        message.rootID = options.rootID
        message.origin = origin
        message.priority = options.priority
        message.extraHeaders = options.headers
        return message
    }

    /// Publishes a prepared message; an ETA in the future goes through the broker's delay queues.
    public func publish(_ message: TaskMessage, queue: String) async throws {
        try await publish([Publication(message, to: queue)])
    }

    /// Publishes prepared messages with one hand-off to the broker, pipelined, and returns once
    /// all are confirmed: cheaper than one ``publish(_:queue:)`` each when many go at once
    /// (build them with ``message(name:args:kwargs:options:)``; `Publication(message, to:)`
    /// keeps an ETA). Throws the first failure; messages before it may have been sent.
    public func publish(_ batch: [Publication]) async throws {
        try await broker.publish(batch)
        guard logger.logLevel <= .debug else { return }
        for publication in batch {
            logger.debug("task sent", metadata: ["task_id": .string(publication.message.id),
                                                 "task_name": .string(publication.message.task),
                                                 "queue": .string(publication.queue)])
        }
    }

    /// A handle on any task id's result.
    public func result<Output: Decodable & Sendable>(_ id: String, as type: Output.Type = JSONValue.self) -> AsyncResult<Output> {
        AsyncResult(id: id, backend: backend)
    }

    /// Revokes a task on every worker (Celery's `app.control.revoke`): a worker that receives it
    /// afterwards stores REVOKED instead of running it.
    public func revoke(_ taskID: String) async throws {
        try await broker.broadcastControl(method: "revoke", arguments: ["task_id": .string(taskID), "terminate": false,
                                                                         "signal": "SIGTERM"])
    }
}

extension CeleriacClient {
    var canvas: CanvasPublisher { CanvasPublisher(broker: broker, backend: backend, origin: origin) }

    /// Starts a workflow: a task signature, a chain, a group or a chord.
    /// For a chain the result is the last step's; for a chord, the body's; for a group, see
    /// ``CanvasResult/group``.
    public func apply(_ signature: Signature) async throws -> CanvasResult {
        result(of: try await canvas.apply(signature))
    }

    /// Starts several workflows with all their messages in one batch to the broker (see
    /// ``publish(_:)``): cheaper than one ``apply(_:)-(Signature)`` each when many start at
    /// once. The results are in the order of `signatures`. Throws the first failure; workflows
    /// before it may have started.
    public func apply(_ signatures: [Signature]) async throws -> [CanvasResult] {
        try await canvas.apply(all: signatures).map(result(of:))
    }

    private func result(of applied: CanvasPublisher.Applied) -> CanvasResult {
        switch applied {
        case .task(let id): CanvasResult(id: id, group: nil, backend: backend)
        case .group(let group): CanvasResult(id: group.id, group: group, backend: backend)
        }
    }
}

/// What starting a workflow returns.
public struct CanvasResult: Sendable {
    /// The task id to follow (last chain step, chord body), or the group id.
    public let id: String
    /// The parts, when a group was applied.
    public let group: GroupResult?
    let backend: any ResultBackend

    /// The result of the workflow's final task.
    public var result: AsyncResult<JSONValue> { AsyncResult(id: id, backend: backend) }
}
