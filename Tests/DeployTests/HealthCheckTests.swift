import Foundation
import Testing
import TestSupport

/// The health checks compose, the image and Kubernetes run, against the real executables.
@Suite("Deploy: health checks", .timeLimit(.minutes(3)))
struct HealthCheckTests {
    static func binary(_ name: String) -> String {
        "\(ProcessInfo.processInfo.environment["CELERIAC_BIN_DIR"] ?? DeployTools.path(".build/debug"))/\(name)"
    }

    static func healthCheck(_ arguments: [String], file: String?) async throws -> DeployTools.Output {
        var environment = DeployTools.cleanEnvironment
        environment["WORKER_HEALTH_FILE"] = file
        return try await DeployTools.run(binary("loan-worker"), ["health-check"] + arguments, environment: environment)
    }

    @Test func workerHealthCheckJudgesTheFile() async throws {
        let directory = try DeployTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("loan-worker.health")
        #expect(try await Self.healthCheck([], file: nil).status == 2, "no file configured is a usage error")
        #expect(try await Self.healthCheck([], file: file.path).status == 1, "no file yet")

        try "consuming\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try await Self.healthCheck([], file: file.path).status == 0)
        #expect(try await Self.healthCheck(["--ready"], file: file.path).status == 0)
        try "starting\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try await Self.healthCheck([], file: file.path).status == 0, "a starting worker is alive")
        #expect(try await Self.healthCheck(["--ready"], file: file.path).status == 1, "but not ready")

        // A file the worker stopped rewriting a minute ago: the process is stuck.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: file.path)
        let stale = try await Self.healthCheck([], file: file.path)
        #expect(stale.status == 1 && stale.stdout.contains("unhealthy"), "\(stale)")
        #expect(try await Self.healthCheck(["--max-age", "120"], file: file.path).status == 0)
        #expect(try await Self.healthCheck(["--file", file.path, "--max-age", "120"], file: nil).status == 0)
    }

    /// A real worker: alive and then ready once it consumes, gone (file removed) after SIGTERM.
    @Test func aRunningWorkerReportsItsState() async throws {
        let directory = try DeployTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("loan-worker.health").path
        var environment = ProcessInfo.processInfo.environment
        _ = TestEnvironment.amqpURL   // fails loudly outside scripts/test.sh
        environment["WORKER_HEALTH_FILE"] = file
        environment["WORKER_QUEUES"] = TestEnvironment.uniqueName("deploy-health")
        environment["WORKER_EVENTS"] = "0"
        environment["LOG_LEVEL"] = "warning"
        let worker = try ChildProcess(Self.binary("loan-worker"), [], environment: environment,
                                      output: directory.appendingPathComponent("worker.log"))
        var ready = false
        for _ in 0..<150 where !ready && worker.isRunning {
            try await Task.sleep(for: .milliseconds(200))
            ready = try await Self.healthCheck(["--ready"], file: file).status == 0
        }
        let log = { (try? String(contentsOf: directory.appendingPathComponent("worker.log"), encoding: .utf8)) ?? "" }
        #expect(ready, "never ready: \(log())")
        #expect(try await Self.healthCheck([], file: file).status == 0)
        worker.signal(SIGTERM)
        let status = await worker.waitForExit(timeout: 40)
        if status == nil { await worker.stop(grace: 1) }
        #expect(status == 0, "\(log())")
        #expect(!FileManager.default.fileExists(atPath: file), "a cleanly stopped worker removes its health file")
        #expect(try await Self.healthCheck([], file: file).status == 1)
    }

    /// The API's compose health check (bash, no curl in the image) passes against a serving
    /// loan-api and fails once it is gone.
    @Test func composeAPIHealthCheckAsksTheAPI() async throws {
        let model = try await ComposeModel.load()
        let test = (model.services["api"]?[path: "healthcheck", "test"]?.arrayValue ?? []).compactMap(\.text)
        #expect(test.first == "CMD")
        // `docker-compose config` prints `$` escaped as `$$`; the container's shell sees one.
        let command = test.dropFirst().map { $0.replacingOccurrences(of: "$$", with: "$") }
        let port = TestEnvironment.freePort()
        var checkEnvironment = DeployTools.cleanEnvironment
        checkEnvironment["API_PORT"] = String(port)
        func check() async throws -> DeployTools.Output {
            try await DeployTools.run("/usr/bin/env", Array(command), environment: checkEnvironment)
        }
        #expect(try await check().status != 0, "nothing listens yet")

        let directory = try DeployTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = ProcessInfo.processInfo.environment
        _ = TestEnvironment.amqpURL
        environment["API_PORT"] = String(port)
        environment["JWT_SECRET"] = String(repeating: "k", count: 32)
        environment["LOG_LEVEL"] = "warning"
        let api = try ChildProcess(Self.binary("loan-api"), [], environment: environment, output: directory.appendingPathComponent("api.log"))
        var healthy = false
        for _ in 0..<100 where !healthy && api.isRunning {
            try await Task.sleep(for: .milliseconds(200))
            healthy = try await check().status == 0
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("api.log"), encoding: .utf8)) ?? ""
        #expect(healthy, "\(log)")
        await api.stop(grace: 20)
        #expect(try await check().status != 0, "the API is gone")
    }
}
