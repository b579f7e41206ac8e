public import Foundation

/// A `loan-worker` process started by a test (clean signal mask), stopped by PID.
public final class WorkerProcess: Sendable {
    let child: ChildProcess
    public let log: URL
    public let hostname: String
    /// The environment the process was started with.
    public let environment: [String: String]

    public func environmentValue(_ name: String) -> String { environment[name] ?? "" }

    public static var binary: String {
        if let dir = ProcessInfo.processInfo.environment["CELERIAC_BIN_DIR"] { return "\(dir)/loan-worker" }
        return TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/loan-worker").path
    }

    public init(queues: [String], concurrency: Int, prefetch: Int? = nil, drainTimeout: Double = 30, name: String,
                environment extra: [String: String] = [:]) throws {
        hostname = "\(name)@localhost"
        var environment = ProcessInfo.processInfo.environment
        environment["WORKER_QUEUES"] = queues.joined(separator: ",")
        environment["WORKER_CONCURRENCY"] = String(concurrency)
        if let prefetch { environment["WORKER_PREFETCH"] = String(prefetch) }
        environment["WORKER_DRAIN_TIMEOUT"] = String(drainTimeout)
        environment["WORKER_HOSTNAME"] = hostname
        environment["LOG_LEVEL"] = "warning"
        environment.merge(extra) { $1 }
        self.environment = environment
        log = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).log")
        child = try ChildProcess(Self.binary, [], environment: environment, output: log)
    }

    public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    public func signal(_ number: Int32) { child.signal(number) }

    public func waitForExit(timeout: Double) async -> Int32? { await child.waitForExit(timeout: timeout) }

    public func stop() async { await child.stop() }
}
