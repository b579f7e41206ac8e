import Foundation
import Testing

/// One set of names everywhere: every variable the code reads is in .env.example and in the
/// README's table, and the table lists nothing that nobody reads.
@Suite("Deploy: environment variables")
struct EnvironmentVariableTests {
    /// Every environment variable read under Sources/: the `Environment` helpers
    /// (`env.string("X")`, `.required`, `.int`, `.double`, `.bool`), `ProcessInfo` dictionary
    /// look-ups (`environment["X"]`) and `getenv("X")`.
    static func namesReadByTheCode() throws -> Set<String> {
        let patterns = [#"\b(?:string|required|int|double|bool)\("([A-Z][A-Z0-9_]+)"\)"#,
                        #"environment\["([A-Z][A-Z0-9_]+)"\]"#,
                        #"getenv\("([A-Z][A-Z0-9_]+)"\)"#].map { try! NSRegularExpression(pattern: $0) }
        var names: Set<String> = []
        let sources = DeployTools.root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for pattern in patterns {
                for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    names.insert(String(text[Range(match.range(at: 1), in: text)!]))
                }
            }
        }
        return names
    }

    /// Names in .env.example: `NAME=value` lines and `# NAME=default` examples.
    static func envExampleNames() throws -> [String] {
        let pattern = try NSRegularExpression(pattern: #"^(?:# )?([A-Z][A-Z0-9_]+)="#, options: .anchorsMatchLines)
        let text = try DeployTools.read(".env.example")
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            String(text[Range($0.range(at: 1), in: text)!])
        }
    }

    /// The first column of the README's "Environment variables" table.
    static func readmeTableNames() throws -> Set<String> {
        let readme = try DeployTools.read("README.md")
        guard let start = readme.range(of: "\n## Environment variables\n") else { throw DeployTestError("README has no '## Environment variables' section") }
        let section = readme[start.upperBound...]
        let end = section.range(of: "\n## ")?.lowerBound ?? section.endIndex
        var names: Set<String> = []
        for line in section[..<end].split(separator: "\n") where line.hasPrefix("| `") {
            let cell = line.dropFirst(2).prefix { $0 != "|" }
            for name in cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter({ $0.offset % 2 == 1 }).map({ String($0.element) }) {
                names.insert(name)
            }
        }
        return names
    }

    @Test func theScannerFindsTheKnownReads() throws {
        let names = try Self.namesReadByTheCode()
        // If the scan misses these, its patterns no longer match how the code reads variables.
        for known in ["AMQP_URL", "REDIS_URL", "MONGO_URL", "JWT_SECRET", "API_PORT", "WORKER_QUEUES",
                      "WORKER_DRAIN_TIMEOUT", "WORKER_HEALTH_FILE", "LOAN_QUEUE_PREFIX", "LOG_LEVEL", "RESULT_EXPIRES"] {
            #expect(names.contains(known), "\(known) not found by the scan")
        }
    }

    @Test func everyVariableTheCodeReadsIsDocumented() throws {
        let code = try Self.namesReadByTheCode()
        let example = Set(try Self.envExampleNames())
        let table = try Self.readmeTableNames()
        #expect(code.subtracting(example).isEmpty, "missing from .env.example: \(code.subtracting(example).sorted())")
        #expect(code.subtracting(table).isEmpty, "missing from the README table: \(code.subtracting(table).sorted())")
        #expect(example.subtracting(table).isEmpty, ".env.example names missing from the README table: \(example.subtracting(table).sorted())")
    }

    @Test func envExampleHasACommentForEachVariableAndNoDuplicates() throws {
        let lines = try DeployTools.read(".env.example").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let variable = try NSRegularExpression(pattern: #"^(?:# )?[A-Z][A-Z0-9_]+="#)
        func isVariable(_ line: String) -> Bool { variable.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil }
        for (index, line) in lines.enumerated() where isVariable(line) {
            let previous = index > 0 ? lines[index - 1] : ""
            #expect(previous.hasPrefix("# ") && !isVariable(previous), "no comment right above: \(line)")
        }
        let names = try Self.envExampleNames()
        #expect(Set(names).count == names.count, "duplicates: \(names.sorted())")
    }

    /// Placeholders only, and URL-safe: compose puts the passwords into URLs unencoded.
    @Test func envExampleHoldsURLSafePlaceholders() throws {
        let values = DeployTools.envFile(try DeployTools.read(".env.example"))
        for (name, value) in values where name.hasSuffix("PASSWORD") || name.hasSuffix("SECRET") || name.hasSuffix("TOKEN") {
            #expect(value.isEmpty || value.hasPrefix("change-me"), "\(name) must be empty or a change-me placeholder")
            #expect(value.allSatisfy { $0.isLetter || $0.isNumber || "-._~".contains($0) }, "\(name) is not URL-safe")
        }
    }

    /// Every `${NAME}` docker-compose.yml interpolates is explained in .env.example.
    @Test func composeInterpolatesOnlyDocumentedNames() throws {
        let compose = try DeployTools.read("docker-compose.yml")
        let pattern = try NSRegularExpression(pattern: #"(?<!\$)\$\{([A-Z][A-Z0-9_]*)"#)
        let used = Set(pattern.matches(in: compose, range: NSRange(compose.startIndex..., in: compose)).map {
            String(compose[Range($0.range(at: 1), in: compose)!])
        })
        #expect(!used.isEmpty)
        let example = Set(try Self.envExampleNames())
        #expect(used.subtracting(example).isEmpty, "not in .env.example: \(used.subtracting(example).sorted())")
    }

    /// The table documents what is read by someone: the code, the scripts, compose (from .env)
    /// or a server image. A stale row fails here.
    @Test func theReadmeTableHasNoStaleRows() async throws {
        var known = try Self.namesReadByTheCode().union(try Self.envExampleNames())
        known.formUnion(try await ComposeModel.load().serverImageVariables)
        known.formUnion(try DockerfileTests.imageEnvironment().keys)
        known.formUnion(["REPLICAS"])   // workers/<pool>.env, read by scripts/pools.sh
        let stale = try Self.readmeTableNames().subtracting(known)
        #expect(stale.isEmpty, "README rows nobody reads: \(stale.sorted())")
    }
}
