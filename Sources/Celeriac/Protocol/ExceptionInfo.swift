/// An exception as Celery's JSON result serializer stores it:
/// `{"exc_type": "ValueError", "exc_message": ["bureau timeout"], "exc_module": "builtins"}`.
public struct ExceptionInfo: Sendable, Hashable, Error, CustomStringConvertible {
    /// The exception class name, e.g. `ValueError`, `NotRegistered`, `TimeLimitExceeded`.
    public var type: String
    /// The exception arguments (`exc_message`); usually one string.
    public var arguments: [JSONValue]
    /// The Python module of the class (`builtins`, `celery.exceptions`), used to re-create it.
    public var module: String

    public init(type: String, message: String, module: String = "builtins") {
        self.init(type: type, arguments: [.string(message)], module: module)
    }

    public init(type: String, arguments: [JSONValue], module: String) {
        self.type = type
        self.arguments = arguments
        self.module = module
    }

    /// The arguments joined as text, the way Python prints `str(exc)` for one argument.
    public var message: String {
        if arguments.count == 1, let s = arguments[0].stringValue { return s }
        if arguments.isEmpty { return "" }
        return arguments.map { $0.stringValue ?? $0.description }.joined(separator: ", ")
    }

    public var description: String { message.isEmpty ? type : "\(type): \(message)" }

    /// `ValueError('boom')`, as Celery quotes a dependency's exception in a `ChordError`.
    public var pythonRepr: String {
        let args = arguments.map { arg -> String in
            if let s = arg.stringValue { return "'" + s.replacingOccurrences(of: "'", with: "\\'") + "'" }
            return arg.description
        }
        return "\(type)(\(args.joined(separator: ", ")))"
    }

    public var json: JSONValue {
        .object(["exc_type": .string(type), "exc_message": .array(arguments), "exc_module": .string(module)])
    }

    /// Reads the stored form; a plain string or another shape becomes a generic `Exception`.
    public init(json: JSONValue) {
        guard let object = json.objectValue, let type = object["exc_type"]?.stringValue else {
            self.init(type: "Exception", message: json.stringValue ?? json.description)
            return
        }
        let arguments: [JSONValue]
        switch object["exc_message"] {
        case .array(let items)?: arguments = items
        case .some(let value) where !value.isNull: arguments = [value]
        default: arguments = []
        }
        self.init(type: type, arguments: arguments, module: object["exc_module"]?.stringValue ?? "builtins")
    }
}

extension ExceptionInfo {
    static func celery(_ type: String, _ message: String) -> ExceptionInfo {
        ExceptionInfo(type: type, message: message, module: "celery.exceptions")
    }

    /// The task name is not registered with the worker that received it.
    public static func notRegistered(_ name: String) -> ExceptionInfo { celery("NotRegistered", name) }
    /// The hard time limit passed.
    public static func timeLimitExceeded(_ seconds: Double) -> ExceptionInfo {
        ExceptionInfo(type: "TimeLimitExceeded", arguments: [.double(seconds)], module: "billiard.exceptions")
    }
    /// The soft time limit passed and the task gave up.
    public static func softTimeLimitExceeded() -> ExceptionInfo {
        ExceptionInfo(type: "SoftTimeLimitExceeded", arguments: [.string("SoftTimeLimitExceeded()")], module: "billiard.exceptions")
    }
    /// A chord header part failed.
    public static func chordError(_ message: String) -> ExceptionInfo { celery("ChordError", message) }
    /// The task was revoked or expired.
    public static func taskRevoked(_ reason: String) -> ExceptionInfo { celery("TaskRevokedError", reason) }
}
