import Foundation
import Testing
import TestSupport

/// `scripts/pools.sh`: starts pools from workers/*.env, restarts a killed worker, stops by PID.
@Suite(.serialized) struct DisruptivePoolLauncherTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("pools"))

    func pools(_ arguments: String...) throws -> (status: Int32, output: String) {
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/pools.sh").path
        let log = directory.appendingPathComponent("launcher-\(UUID().uuidString.prefix(6)).out")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["POOLS_DIR"] = directory.path
        environment["LOAN_WORKER_BIN"] = WorkerProcess.binary
        let child = try ChildProcess("/bin/bash", [script] + arguments, environment: environment, output: log)
        let status = child.waitUntilExit()
        return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    func pid(_ name: String) -> Int32? {
        (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    func alive(_ pid: Int32?) -> Bool { pid.map { kill($0, 0) == 0 } ?? false }

    func eventually(_ seconds: Double, _ condition: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return condition()
    }

    @Test func restartsAKilledWorkerAndStopsEveryProcess() async throws {
        let started = try pools("start", "--scale", "2", "credit")
        #expect(started.status == 0, "\(started.output)")
        #expect(started.output.contains("credit: 2 process(es)"))
        #expect(try await eventually(10) { alive(pid("credit-1.worker.pid")) && alive(pid("credit-2.worker.pid")) })
        let supervisors = [pid("credit-1.pid"), pid("credit-2.pid")]

        let victim = try #require(pid("credit-1.worker.pid"))
        kill(victim, SIGKILL)
        #expect(try await eventually(10) { (pid("credit-1.worker.pid").map { $0 != victim } ?? false) && alive(pid("credit-1.worker.pid")) },
                "the supervisor starts a new worker")
        let log = (try? String(contentsOf: directory.appendingPathComponent("credit-1.log"), encoding: .utf8)) ?? ""
        #expect(log.contains("restarting"))

        let replacement = pid("credit-1.worker.pid")
        let stopped = try pools("stop")
        #expect(stopped.status == 0 && stopped.output.contains("stopped 2 process(es)"), "\(stopped.output)")
        #expect(!alive(replacement) && !supervisors.contains(where: alive))
        #expect(try pools("status").output.contains("none running"))
    }

    @Test func rejectsBadArguments() throws {
        let scale = try pools("start", "--scale", "zero")
        #expect(scale.status == 2 && scale.output.contains("--scale must be a positive integer"))
        let pool = try pools("start", "nosuchpool")
        #expect(pool.status == 2 && pool.output.contains("no pool 'nosuchpool'"))
    }
}
