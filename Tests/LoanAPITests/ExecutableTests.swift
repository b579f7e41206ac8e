import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSONCore
import LoanAPI
import ServiceEnvironment
import Testing
import TestSupport

@Suite("LoanAPI executable and configuration")
struct ExecutableTests {
    static var binary: String {
        if let dir = ProcessInfo.processInfo.environment["CELERIAC_BIN_DIR"] { return "\(dir)/loan-api" }
        return TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/loan-api").path
    }

    @Test func configurationErrorsNameTheVariable() throws {
        let base = ["JWT_SECRET": String(repeating: "s", count: 32), "AMQP_URL": "amqp://x", "REDIS_URL": "redis://x",
                    "MONGO_URL": "mongodb://x/db"]
        let configuration = try APIConfiguration(environment: Environment(base.merging(["CORS_ORIGINS": "https://a.example, *"]) { $1 }))
        #expect(configuration.port == 8080 && configuration.corsOrigins == ["https://a.example", "*"] && configuration.bcryptCost == 12)
        for (name, value, fragment) in [("JWT_SECRET", "short", "JWT_SECRET"), ("BCRYPT_COST", "3", "BCRYPT_COST"),
                                        ("API_PORT", "70000", "API_PORT"), ("JWT_TTL_SECONDS", "soon", "JWT_TTL_SECONDS")] {
            #expect { try APIConfiguration(environment: Environment(base.merging([name: value]) { $1 })) } throws: { error in
                "\(error)".contains(fragment)
            }
        }
        #expect(throws: ConfigurationError.self) { try APIConfiguration(environment: Environment([:])) }
    }

    /// The real executable: serves, logs JSON lines (libmongoc's own warnings too: the URL
    /// carries an option it does not know), and exits 0 on SIGTERM after closing its connections.
    @Test func servesAndShutsDownGracefully() async throws {
        let port = TestEnvironment.freePort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("loan-api-\(UUID().uuidString.prefix(8)).log")
        defer { try? FileManager.default.removeItem(at: log) }
        var environment = ProcessInfo.processInfo.environment
        environment["API_PORT"] = String(port)
        environment["JWT_SECRET"] = APIHarness.secret
        environment["LOG_LEVEL"] = "info"
        let mongoURL = TestEnvironment.mongoURL
        environment["MONGO_URL"] = mongoURL + (mongoURL.contains("?") ? "&" : "?") + "notAnOption=1"
        let child = try ChildProcess(Self.binary, [], environment: environment, output: log)
        var healthy = false
        for _ in 0..<100 where !healthy {
            try await Task.sleep(for: .milliseconds(100))
            if let (data, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health")!),
               (response as? HTTPURLResponse)?.statusCode == 200, (try? JSONValue(parsing: Array(data)))?["status"] == "ok" {
                healthy = true
            }
        }
        child.signal(SIGTERM)
        let status = await child.waitForExit(timeout: 20)
        if status == nil { await child.stop(grace: 1) }
        let lines = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(healthy, "\(lines.suffix(10))")
        #expect(status == 0)
        let notJSON = lines.filter { (try? JSONValue(parsing: String($0)))?.objectValue == nil }
        #expect(notJSON.isEmpty, "every log line is JSON: \(notJSON.prefix(3))")
        let driverWarning = lines.first { $0.lowercased().contains("notanoption") }.flatMap { try? JSONValue(parsing: String($0)) }
        #expect(driverWarning?["level"] == "warning" && driverWarning?["mongoc.domain"] != nil, "\(String(describing: driverWarning))")
        #expect(lines.contains { $0.contains(#""route":"/health""#) && $0.contains(#""status":"200""#) }, "access log")
        #expect(lines.last?.contains("loan-api stopped") == true, "\(lines.suffix(3))")
    }
}
