public import Foundation

/// A finished program: its exit status and what it wrote.
public struct ProgramOutput: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Both streams, stdout first.
    public var text: String { stdout + stderr }
    public var description: String { "exit \(status): \(stdout)\(stderr)" }
}

/// Runs a program to completion and captures its output (the executables under test, the
/// validators scripts/test.sh installs).
public enum Program {
    /// Blocks the calling thread until the program exits. Both pipes are drained at once
    /// (stderr on a thread of its own), so neither can fill up and stall the child.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           directory: URL? = nil) throws -> ProgramOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw ChildProcessError(message: "cannot start \(executable): \(error)")
        }
        let errorRead = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var errorData = Data()
        Thread.detachNewThread {
            errorData = err.fileHandleForReading.readDataToEndOfFile()
            errorRead.signal()
        }
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        errorRead.wait()
        process.waitUntilExit()
        return ProgramOutput(status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
                             stderr: String(decoding: errorData, as: UTF8.self))
    }

    /// ``run(_:_:environment:directory:)`` on a thread of its own: waiting on a cooperative
    /// thread would starve the tests' own tasks on a 2-core machine.
    public static func runOffPool(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                                  directory: URL? = nil) async throws -> ProgramOutput {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try run(executable, arguments, environment: environment, directory: directory)
                })
            }
        }
    }
}
