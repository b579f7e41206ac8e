import Foundation
import JSONCore
import TestSupport

/// Runs the built `taskctl` against the test stack and captures stdout, stderr and the exit code.
struct Taskctl {
    typealias Run = ProgramOutput

    static var binary: String {
        if let dir = ProcessInfo.processInfo.environment["CELERIAC_BIN_DIR"] { return "\(dir)/taskctl" }
        return TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/taskctl").path
    }

    /// ``run(_:)`` on a thread of its own, for long runs (`events`): a blocked cooperative
    /// thread would starve the test's own tasks on a 2-core machine.
    static func runInBackground(_ arguments: String...) async throws -> Run {
        try await Program.runOffPool(binary, arguments, environment: environment, directory: TestEnvironment.repositoryRoot)
    }

    static func run(_ arguments: String...) throws -> Run { try run(arguments) }

    static func run(_ arguments: [String]) throws -> Run {
        try Program.run(binary, arguments, environment: environment, directory: TestEnvironment.repositoryRoot)
    }

    /// This process's environment with the test stack's URLs.
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["REDIS_URL"] = TestEnvironment.redisURL
        environment["AMQP_URL"] = TestEnvironment.amqpURL
        return environment
    }
}

extension ProgramOutput {
    /// stdout parsed as JSON (for `taskctl --json` runs).
    var json: JSONValue { (try? JSONValue(parsing: Array(stdout.utf8))) ?? .null }
}
