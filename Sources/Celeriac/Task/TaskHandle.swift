/// A task's public face: its name, argument and result types, and default options.
///
/// Producers and workers share the handle; the worker registers an implementation for it
/// (``TaskRegistry/register(_:run:)``), producers apply it (``CeleriacClient/apply(_:_:options:)``).
/// ```swift
/// let add = TaskHandle<AddArguments, Int>("demo.add")
/// ```
public struct TaskHandle<Arguments: TaskArguments, Output: Codable & Sendable>: Sendable {
    public let name: String
    public var options: TaskOptions

    public init(_ name: String, options: TaskOptions = TaskOptions()) {
        self.name = name
        self.options = options
    }

    /// A signature of this task with the given arguments (for canvas use).
    public func signature(_ arguments: Arguments, immutable: Bool = false) throws -> Signature {
        let (args, kwargs) = try arguments.celeryArguments()
        var options: [String: JSONValue] = [:]
        if self.options.queue != "celery" { options["queue"] = .string(self.options.queue) }
        return Signature(task: name, args: args, kwargs: kwargs, options: options, immutable: immutable)
    }
}
