import Foundation
import TestSupport

/// A `loan-worker` process started by a test (clean signal mask), stopped by PID.
final class WorkerProcess: Sendable {
    let child: ChildProcess
    let log: URL
    let hostname: String

    static var binary: String {
        if let dir = ProcessInfo.processInfo.environment["CELERIAC_BIN_DIR"] { return "\(dir)/loan-worker" }
        return TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/loan-worker").path
    }

    init(queues: [String], concurrency: Int, prefetch: Int? = nil, drainTimeout: Double = 30, name: String) throws {
        hostname = "\(name)@localhost"
        var environment = ProcessInfo.processInfo.environment
        environment["WORKER_QUEUES"] = queues.joined(separator: ",")
        environment["WORKER_CONCURRENCY"] = String(concurrency)
        if let prefetch { environment["WORKER_PREFETCH"] = String(prefetch) }
        environment["WORKER_DRAIN_TIMEOUT"] = String(drainTimeout)
        environment["WORKER_HOSTNAME"] = hostname
        environment["LOG_LEVEL"] = "warning"
        log = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).log")
        child = try ChildProcess(Self.binary, [], environment: environment, output: log)
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { child.signal(number) }

    func waitForExit(timeout: Double) async -> Int32? { await child.waitForExit(timeout: timeout) }

    func stop() async { await child.stop() }
}
