public import Foundation
public import JSONCore

/// Drives Python Celery 5.7 (installed by scripts/test.sh in `.run/venv-celery`) for the
/// interoperability tests: one-shot client commands and worker processes stopped by PID.
public enum PythonCelery {
    static var python: String { TestEnvironment.installedTool("CELERY_PYTHON", ".run/venv-celery/bin/python") }

    static var interopDirectory: URL { TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Interop") }

    /// The environment with the interop modules importable.
    static var pythonEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = interopDirectory.path
        return environment
    }

    /// Runs `interop_client.py` with `arguments` and returns its JSON output.
    public static func client(_ arguments: [String]) async throws -> JSONValue {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("interop-client-\(UUID().uuidString.prefix(8)).out")
        let child = try ChildProcess(python, [interopDirectory.appendingPathComponent("interop_client.py").path] + arguments,
                                     environment: pythonEnvironment, output: log)
        let status = await child.waitForExit(timeout: 120)
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: log)
        guard status == 0, let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let json = try? JSONValue(parsing: String(line)) else {
            throw PythonError(message: "interop_client.py \(arguments.joined(separator: " ")) exited \(status.map(String.init) ?? "(still running)"): \(text)")
        }
        return json
    }

    /// Starts `celery worker` on `queues` with the threads pool; stop it with ``Worker/stop()``.
    public static func startWorker(queues: [String], concurrency: Int = 2, name: String) throws -> Worker {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(6)).log")
        let child = try ChildProcess(python, ["-m", "celery", "-A", "interop_app", "worker", "-Q", queues.joined(separator: ","),
                                              "-P", "threads", "-c", String(concurrency), "-n", "\(name)@localhost",
                                              "--without-gossip", "--without-mingle", "-l", "WARNING"],
                                     environment: pythonEnvironment, output: log)
        return Worker(child: child, log: log)
    }

    /// A running Python worker process.
    public final class Worker: Sendable {
        public let child: ChildProcess
        public let log: URL

        init(child: ChildProcess, log: URL) {
            self.child = child
            self.log = log
        }

        /// Warm shutdown (SIGTERM), SIGKILL after `grace` seconds.
        public func stop(grace: Double = 20) async { await child.stop(grace: grace) }

        public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    public struct PythonError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
