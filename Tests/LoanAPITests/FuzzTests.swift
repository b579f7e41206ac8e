import Foundation
import Hummingbird
import HummingbirdTesting
import JSONCore
import LoanAPI
import Testing
import TestSupport

/// Property-based fuzzing of the live API from its own `/openapi.json` with schemathesis
/// (installed by scripts/test.sh in `.run/venv-schemathesis`): no 5xx, and every answer matches
/// the documented status codes, content types and schemas. One worker: schemathesis 4.32 with
/// several threads sometimes trips over its own lambda-source parsing (an internal error).
@Suite("LoanAPI schemathesis fuzz", .timeLimit(.minutes(3)))
struct FuzzTests {
    static var schemathesis: String {
        TestEnvironment.installedTool("SCHEMATHESIS", ".run/venv-schemathesis/bin/schemathesis")
    }

    @Test func noServerErrorsAndNoSchemaViolations() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.schemathesis),
                     "schemathesis is not installed: run the tests through scripts/test.sh")
        try await APIHarness.withClient("api-fuzz", .live) { harness, client in
            let port = try #require(client.port)
            let (token, _) = try await client.newAccount()
            let schema = "http://127.0.0.1:\(port)/openapi.json"
            // Applicant routes (the account itself last: its stateful run may delete it), then the operator routes.
            try await Self.run(schema, token: token, ["--exclude-path", "/accounts/me", "--exclude-path-regex", "^/api/"])
            try await Self.run(schema, token: APIHarness.adminToken, ["--include-path-regex", "^/api/"])
            try await Self.run(schema, token: token, ["--include-path", "/accounts/me"])
        }
    }

    static func run(_ schema: String, token: String, _ selection: [String]) async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("schemathesis-\(UUID().uuidString.prefix(8)).out")
        defer { try? FileManager.default.removeItem(at: log) }
        let seed = ProcessInfo.processInfo.environment["SCHEMATHESIS_SEED"] ?? "20261123"
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        let child = try ChildProcess(schemathesis, ["run", schema,
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "-H", "Authorization: Bearer \(token)", "--max-examples", "25", "--seed", seed, "--workers", "1"] + selection,
            environment: environment, output: log)
        let status = await child.waitForExit(timeout: 240)
        if status == nil { await child.stop(grace: 2) }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "schemathesis \(selection) exited \(String(describing: status)):\n\(output.suffix(6000))")
    }
}
