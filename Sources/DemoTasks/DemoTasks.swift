public import Celeriac

/// The `demo.*` tasks used by smoke tests, interoperability tests and benchmarks.
///
/// | task | arguments | result |
/// |---|---|---|
/// | `demo.add` | `x: Int, y: Int` | `x + y` |
/// | `demo.echo` | `value: Any JSON` | `value` |
/// | `demo.sum` | `values: [Int]` | the sum (a chord body: receives the header results) |
/// | `demo.fail` | `message: String` | raises `ValueError(message)` |
/// | `demo.sleep` | `seconds: Double` | `seconds`, after sleeping (cancellable) |
public enum DemoTasks {
    /// The queue the demo tasks are routed to.
    public static let queue = "demo"

    public struct AddArguments: TaskArguments, Equatable {
        public var x: Int
        public var y: Int
        public static let positional = ["x", "y"]
        public init(x: Int, y: Int) { self.x = x; self.y = y }
    }

    public struct EchoArguments: TaskArguments {
        public var value: JSONValue
        public static let positional = ["value"]
        public init(value: JSONValue) { self.value = value }
    }

    public struct SumArguments: TaskArguments {
        public var values: [Int]
        public static let positional = ["values"]
        public init(values: [Int]) { self.values = values }
    }

    public struct FailArguments: TaskArguments {
        public var message: String
        public static let positional = ["message"]
        public init(message: String) { self.message = message }
    }

    public struct SleepArguments: TaskArguments {
        public var seconds: Double
        public static let positional = ["seconds"]
        public init(seconds: Double) { self.seconds = seconds }
    }

    public static let add = TaskHandle<AddArguments, Int>("demo.add", options: TaskOptions(queue: queue))
    public static let echo = TaskHandle<EchoArguments, JSONValue>("demo.echo", options: TaskOptions(queue: queue))
    public static let sum = TaskHandle<SumArguments, Int>("demo.sum", options: TaskOptions(queue: queue))
    public static let fail = TaskHandle<FailArguments, JSONValue>("demo.fail", options: TaskOptions(queue: queue))
    public static let sleep = TaskHandle<SleepArguments, Double>("demo.sleep", options: TaskOptions(queue: queue))

    /// Registers every demo task in `registry`.
    public static func register(in registry: inout TaskRegistry) {
        registry.register(add) { arguments, _ in arguments.x + arguments.y }
        registry.register(echo) { arguments, _ in arguments.value }
        registry.register(sum) { arguments, _ in arguments.values.reduce(0, +) }
        registry.register(fail) { arguments, _ in
            throw ExceptionInfo(type: "ValueError", message: arguments.message)
        }
        registry.register(sleep) { arguments, _ in
            try await Task.sleep(for: .seconds(arguments.seconds))
            return arguments.seconds
        }
    }
}
