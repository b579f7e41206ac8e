public import Foundation

/// Drives Python Celery 5.7 (installed by scripts/test.sh in `.run/venv-celery`) for the
/// interoperability tests: one-shot client commands and worker processes stopped by PID.
public enum PythonCelery {
    static var python: String {
        ProcessInfo.processInfo.environment["CELERY_PYTHON"]
            ?? TestEnvironment.repositoryRoot.appendingPathComponent(".run/venv-celery/bin/python").path
    }

    static var interopDirectory: URL { TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Interop") }

    /// Runs `interop_client.py` with `arguments` and returns its JSON output, parsed.
    public static func client(_ arguments: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [interopDirectory.appendingPathComponent("interop_client.py").path] + arguments
        process.currentDirectoryURL = interopDirectory
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw PythonError(message: "interop_client.py \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(errorText)")
        }
        return object
    }

    /// Starts `celery worker` on `queues` with the threads pool; stop it with ``Worker/stop()``.
    public static func startWorker(queues: [String], concurrency: Int = 2, name: String) throws -> Worker {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "celery", "-A", "interop_app", "worker", "-Q", queues.joined(separator: ","),
                             "-P", "threads", "-c", String(concurrency), "-n", "\(name)@localhost",
                             "--without-gossip", "--without-mingle", "-l", "WARNING"]
        process.currentDirectoryURL = interopDirectory
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return Worker(process: process, log: log)
    }

    /// A running Python worker process.
    public final class Worker: @unchecked Sendable {
        let process: Process
        public let log: URL

        init(process: Process, log: URL) {
            self.process = process
            self.log = log
        }

        /// Sends SIGTERM (warm shutdown) and waits; SIGKILL after `timeout` seconds.
        public func stop(timeout: Double = 20) {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    public struct PythonError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
