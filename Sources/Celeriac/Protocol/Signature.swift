/// A task invocation as a value: Celery's `Signature` dict
/// (`{"task", "args", "kwargs", "options", "subtask_type", "immutable"}`).
///
/// Signatures travel inside task messages (`embed.chain`, `embed.chord`, callbacks) and are
/// how canvas primitives (group, chain, chord) are encoded.
public struct Signature: Sendable, Hashable {
    public var task: String
    public var args: [JSONValue]
    public var kwargs: [String: JSONValue]
    /// Any `apply_async` option: `task_id`, `group_id`, `queue`, `priority`, `link`, `link_error`, ...
    public var options: [String: JSONValue]
    /// `nil` for a plain task; `"chain"`, `"group"` or `"chord"` for composites.
    public var subtaskType: String?
    /// An immutable signature does not receive its parent's result as first argument.
    public var immutable: Bool

    public init(task: String, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:],
                options: [String: JSONValue] = [:], subtaskType: String? = nil, immutable: Bool = false) {
        self.task = task
        self.args = args
        self.kwargs = kwargs
        self.options = options
        self.subtaskType = subtaskType
        self.immutable = immutable
    }

    /// The id the task will run under, when frozen (`options.task_id`).
    public var taskID: String? {
        get { options["task_id"]?.stringValue }
        set { options["task_id"] = .string(newValue) }
    }

    /// The signature in Celery's JSON form.
    public var json: JSONValue {
        .object([
            "task": .string(task),
            "args": .array(args),
            "kwargs": .object(kwargs),
            "options": .object(options),
            "subtask_type": .string(subtaskType),
            "immutable": .bool(immutable),
        ])
    }

    /// Reads a signature from Celery's JSON form; missing optional fields take their defaults.
    public init(json: JSONValue) throws(ProtocolError) {
        guard let object = json.objectValue else { throw ProtocolError("a signature must be a JSON object, got \(json)") }
        guard let task = object["task"]?.stringValue, !task.isEmpty else {
            throw ProtocolError("a signature needs a 'task' name")
        }
        self.task = task
        switch object["args"] ?? .null {
        case .null: args = []
        case .array(let a): args = a
        default: throw ProtocolError("signature args of \(task) must be a list")
        }
        switch object["kwargs"] ?? .null {
        case .null: kwargs = [:]
        case .object(let o): kwargs = o
        default: throw ProtocolError("signature kwargs of \(task) must be an object")
        }
        switch object["options"] ?? .null {
        case .null: options = [:]
        case .object(let o): options = o
        default: throw ProtocolError("signature options of \(task) must be an object")
        }
        subtaskType = object["subtask_type"]?.stringValue
        immutable = object["immutable"]?.boolValue ?? false
    }

    /// The signatures of a composite's `kwargs.tasks` (chain and group), in forward order.
    public var childTasks: [Signature] {
        get throws(ProtocolError) {
            guard let list = kwargs["tasks"]?.arrayValue else { return [] }
            var result: [Signature] = []
            for item in list { result.append(try Signature(json: item)) }
            return result
        }
    }
}
