public import Foundation
import Logging

/// Where the integration tests find the real servers.
///
/// `scripts/test.sh` starts a private stack and exports `AMQP_URL`, `REDIS_URL` and `MONGO_URL`.
/// A test run without them fails loudly instead of silently skipping the integration tests.
public enum TestEnvironment {
    public static var amqpURL: String { required("AMQP_URL") }
    public static var redisURL: String { required("REDIS_URL") }
    public static var mongoURL: String { required("MONGO_URL") }

    /// The repository root (this file lives in Tests/TestSupport/).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Tests log at `warning` (or `TEST_LOG_LEVEL`), so failures are not buried in connection chatter.
    static let logging: Void = {
        let level = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }()

    static func required(_ name: String) -> String {
        _ = logging
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            fatalError("\(name) is not set: run the tests through scripts/test.sh, which starts the servers")
        }
        return value
    }

    /// A program scripts/test.sh installs under `.run/` (`relativePath`, e.g.
    /// `.run/venv-celery/bin/python`), or the path in the environment variable `variable` when set.
    public static func installedTool(_ variable: String, _ relativePath: String) -> String {
        ProcessInfo.processInfo.environment[variable] ?? repositoryRoot.appendingPathComponent(relativePath).path
    }

    /// A name unique to this test run, for queues, keys and collections.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// Starts, stops and restarts the test stack's servers through `scripts/stack.sh`,
/// which stops them by PID. Used by the tests that prove reconnects.
public enum TestStack {
    public enum Service: String, Sendable { case rabbitmq, redis, mongo }

    public static func restart(_ service: Service) throws { try run("restart", service.rawValue) }
    public static func stop(_ service: Service) throws { try run("stop", service.rawValue) }
    public static func start(_ service: Service) throws { try run("start", service.rawValue) }

    /// What `rabbitmqctl eval` printed for `expression` on the test stack's RabbitMQ node.
    public static func rabbitmqEval(_ expression: String) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("rabbitmq-eval"))
        defer { try? FileManager.default.removeItem(at: output) }
        let command = "source \"$1\" && stack_load_env && stack_rabbitmqctl -q eval \"$2\""
        let child = try ChildProcess("/bin/bash", ["-c", command, "bash", script, expression], output: output)
        let status = child.waitUntilExit()
        let printed = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw StackError(message: "rabbitmqctl eval exited \(status): \(printed)") }
        return printed.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static let script = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/stack.sh").path

    private static func run(_ arguments: String...) throws {
        let child = try ChildProcess("/bin/bash", [script] + arguments)
        let status = child.waitUntilExit()
        guard status == 0 else {
            throw StackError(message: "scripts/stack.sh \(arguments.joined(separator: " ")) exited \(status)")
        }
    }

    public struct StackError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
