/// The tasks a worker can execute, by name.
public struct TaskRegistry: Sendable {
    /// A registered implementation: decodes the message's arguments, runs, encodes the result.
    public struct Entry: Sendable {
        public let name: String
        public let options: TaskOptions
        public let invoke: @Sendable (TaskMessage, TaskContext) async throws -> JSONValue
    }

    private var entries: [String: Entry] = [:]

    public init() {}

    /// Registers a typed implementation for `handle`. Registering a name twice replaces it.
    public mutating func register<A: TaskArguments, O: Codable & Sendable>(
        _ handle: TaskHandle<A, O>, run: @escaping @Sendable (A, TaskContext) async throws -> O
    ) {
        entries[handle.name] = Entry(name: handle.name, options: handle.options) { message, context in
            let arguments = try A(args: message.args, kwargs: message.kwargs)
            return try JSONValue(encoding: try await run(arguments, context))
        }
    }

    /// Registers an untyped implementation that sees the raw `args`/`kwargs` (for tasks whose
    /// signature is only known at run time).
    public mutating func register(
        name: String, options: TaskOptions = TaskOptions(),
        run: @escaping @Sendable (_ args: [JSONValue], _ kwargs: [String: JSONValue], TaskContext) async throws -> JSONValue
    ) {
        entries[name] = Entry(name: name, options: options) { message, context in
            try await run(message.args, message.kwargs, context)
        }
    }

    /// The implementation registered under `name`.
    public subscript(name: String) -> Entry? { entries[name] }

    /// Every registered name, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// The queues the registered tasks are routed to, sorted.
    public var queues: [String] { Set(entries.values.map(\.options.queue)).sorted() }
}
