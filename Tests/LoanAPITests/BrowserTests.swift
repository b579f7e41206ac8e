import Celeriac
import Foundation
import JSONCore
import LoanAPI
import LoanDomain
import Testing
import TestSupport

/// The web front end in headless Chromium (Debian's `chromium` and `chromium-driver`, driven by
/// Tests/Browser/browser_test.py with selenium from `.run/venv-browser`, both installed by
/// scripts/test.sh) against this API on the real servers with an in-process loan worker.
///
/// The worker starts only once the page shows the new loan Pending (the script asks for it by
/// creating a file), so the page must follow the evaluation live to see it Approved. Full-page
/// screenshots of every main screen, at desktop and phone width, go to .build/screenshots/.
/// Runs in the serial phase of scripts/test.sh: a browser is too heavy to share two cores with
/// the parallel suites.
@Suite("LoanAPI web front end in Chromium", .timeLimit(.minutes(6)))
struct BrowserTests {
    static var python: String { TestEnvironment.installedTool("BROWSER_PYTHON", ".run/venv-browser/bin/python") }

    @Test func applicantJourneys() async throws {
        for tool in [Self.python, "/usr/bin/chromium", "/usr/bin/chromedriver"] {
            try #require(FileManager.default.isExecutableFile(atPath: tool),
                         "\(tool) is missing: run the tests through scripts/test.sh, which installs the browser and selenium")
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("browser"))
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let samples = work.appendingPathComponent("samples.json")
        try Data(Self.samples().serialized()).write(to: samples)
        let screenshots = TestEnvironment.repositoryRoot.appendingPathComponent(".build/screenshots")
        try? FileManager.default.removeItem(at: screenshots)  // only this run's pictures
        let log = work.appendingPathComponent("browser.log")
        let needWorker = work.appendingPathComponent("need-worker")

        try await APIHarness.withClient("web-browser", .live) { harness, client in
            let port = try #require(client.port)
            let script = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/Browser/browser_test.py").path
            let child = try ChildProcess(Self.python, ["-u", script, "--base-url", "http://127.0.0.1:\(port)",
                                                       "--samples", samples.path, "--screenshots", screenshots.path,
                                                       "--worker-control", work.path], output: log)
            let exit = Task { await Self.waitOnThread(child, timeout: 300) }
            // Start the loan worker when the page asks for it (it shows the loan Pending first).
            var worker: (Worker, Task<Void, any Error>)?
            while child.isRunning && worker == nil {
                if FileManager.default.fileExists(atPath: needWorker.path) { worker = await harness.startWorker() }
                try await Task.sleep(for: .milliseconds(100))
            }
            let status = await exit.value
            if let (running, task) = worker {
                await running.shutdown()
                _ = try? await task.value
            }
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(worker != nil, "the page never showed the loan Pending:\n\(output.suffix(4000))")
            #expect(status == 0, "the browser script exited \(String(describing: status)):\n\(output.suffix(8000))")
            // The script's last line counts its checks: a run that checked little is no pass.
            let summary = output.split(separator: "\n").last(where: { $0.hasPrefix("browser: ") }).map(String.init) ?? ""
            let passed = Int(summary.dropFirst("browser: ".count).prefix { $0.isNumber }) ?? 0
            #expect(passed >= 60 && summary.contains(" 0 failed"), "\(summary)")
            let pictures = (try? FileManager.default.contentsOfDirectory(atPath: screenshots.path)) ?? []
            #expect(pictures.filter { $0.hasSuffix(".png") }.count >= 15, "screenshots: \(pictures.sorted())")
        }
    }

    /// The loans the browser submits, from the domain's own samples, with what the rules decide.
    static func samples() throws -> JSONValue {
        let approvable = try #require(SampleRequests.archetypes.first { $0.name == "salaried couple, primary home" }).request
        let denied = try #require(SampleRequests.archetypes.first { $0.name == "recent default" }).request
        #expect(LoanDecision.evaluate(approvable).approved)
        let reasons = LoanDecision.evaluate(denied).reasons
        #expect(!reasons.isEmpty)
        let encoder = JSONEncoder()
        return [
            "approvable": ["request": try JSONValue(parsing: Array(try encoder.encode(approvable)))],
            "denied": ["request": try JSONValue(parsing: Array(try encoder.encode(denied))),
                       "reasons": .array(reasons.map { .string($0) })],
        ]
    }

    /// Waits for the script on a thread of its own (never blocking a cooperative thread of the
    /// 2-core machine); after `timeout` seconds stops it (SIGTERM lets it quit the browser,
    /// SIGKILL 10 s later). The exit status, nil when it had to be stopped.
    static func waitOnThread(_ child: ChildProcess, timeout: Double) async -> Int32? {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                let deadline = Date().addingTimeInterval(timeout)
                while child.isRunning && Date() < deadline { usleep(50_000) }
                if child.isRunning {
                    child.signal(SIGTERM)
                    let grace = Date().addingTimeInterval(10)
                    while child.isRunning && Date() < grace { usleep(50_000) }
                    if child.isRunning { child.signal(SIGKILL) }
                    _ = child.waitUntilExit()
                    continuation.resume(returning: nil)
                } else {
                    continuation.resume(returning: child.exitStatus)
                }
            }
            thread.start()
        }
    }
}
