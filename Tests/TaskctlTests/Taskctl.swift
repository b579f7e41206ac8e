import Foundation
import JSONCore
import TestSupport

/// Runs the built `taskctl` against the test stack and captures stdout, stderr and the exit code.
struct Taskctl {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        /// stdout parsed as JSON (for `--json` runs).
        var json: JSONValue { (try? JSONValue(parsing: Array(stdout.utf8))) ?? .null }
    }

    static var binary: String {
        if let dir = ProcessInfo.processInfo.environment["CELERIAC_BIN_DIR"] { return "\(dir)/taskctl" }
        return TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/taskctl").path
    }

    /// ``run(_:)`` on a thread of its own, for long runs (`events`): a blocked cooperative
    /// thread would starve the test's own tasks on a 2-core machine.
    static func runInBackground(_ arguments: String...) async throws -> Run {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try run(arguments) }) }
            thread.start()
        }
    }

    static func run(_ arguments: String...) throws -> Run { try run(arguments) }

    static func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["REDIS_URL"] = TestEnvironment.redisURL
        environment["AMQP_URL"] = TestEnvironment.amqpURL
        process.environment = environment
        process.currentDirectoryURL = TestEnvironment.repositoryRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read before waiting so a large output cannot fill the pipe and block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }
}
