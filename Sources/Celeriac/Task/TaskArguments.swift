/// Typed task arguments that map to and from Celery's positional `args` and keyword `kwargs`.
///
/// A Codable struct lists which of its fields travel positionally, in order:
/// ```swift
/// struct AddArguments: TaskArguments { var x: Int; var y: Int
///     static let positional = ["x", "y"] }
/// ```
/// `AddArguments(x: 2, y: 3)` is sent as `args = [2, 3]`, exactly like Python's `add.delay(2, 3)`;
/// a message with `kwargs = {"x": 2, "y": 3}` (or any mix) decodes to the same value. Fields not
/// listed in `positional` travel as kwargs.
public protocol TaskArguments: Codable, Sendable {
    /// Field names that map to positional arguments, in order.
    static var positional: [String] { get }
}

extension TaskArguments {
    public static var positional: [String] { [] }

    /// Decodes from Celery `args`/`kwargs`. Extra positional arguments are an error, because
    /// silently dropping them would hide a caller's mistake.
    public init(args: [JSONValue], kwargs: [String: JSONValue]) throws {
        let names = Self.positional
        guard args.count <= names.count else {
            throw TaskArgumentError("takes \(names.count) positional argument(s) (\(names.joined(separator: ", "))) but \(args.count) were given")
        }
        var object = kwargs
        for (name, value) in zip(names, args) {
            if object[name] != nil { throw TaskArgumentError("got multiple values for argument '\(name)'") }
            object[name] = value
        }
        do {
            self = try JSONValue.object(object).decode(as: Self.self)
        } catch let error as DecodingError {
            throw TaskArgumentError(describing: error)
        }
    }

    /// The value as Celery `args` and `kwargs`.
    public func celeryArguments() throws -> (args: [JSONValue], kwargs: [String: JSONValue]) {
        guard case .object(var object) = try JSONValue(encoding: self) else {
            throw TaskArgumentError("task arguments must encode as an object")
        }
        var args: [JSONValue] = []
        for name in Self.positional {
            // Optional positionals encode as absent keys; keep later positions aligned with null.
            args.append(object.removeValue(forKey: name) ?? .null)
        }
        while let last = args.last, last.isNull, args.count > 0 { args.removeLast() }
        return (args, object)
    }
}

/// Arguments for a task that takes none.
public struct NoArguments: TaskArguments, Equatable {
    public init() {}
}

/// Arguments a task could not accept: wrong count, missing or mistyped field.
/// Stored as Python's `TypeError`, like a Python task called with bad arguments.
public struct TaskArgumentError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }

    init(describing error: DecodingError) {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _): message = "missing required argument '\(key.stringValue)'"
        case .typeMismatch(let type, let context): message = "argument '\(path(context))' must be \(type): \(context.debugDescription)"
        case .valueNotFound(let type, let context): message = "argument '\(path(context))' must be a \(type), got null"
        case .dataCorrupted(let context): message = "argument '\(path(context))' is invalid: \(context.debugDescription)"
        @unknown default: message = "invalid arguments: \(error)"
        }
    }

    public var description: String { message }
}
