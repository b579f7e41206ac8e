import Foundation
import JSONCore
import TestSupport

/// The offline validators `scripts/test.sh` installs (versions pinned in deploy/validators/) and
/// helpers that read the deployment files.
enum DeployTools {
    static let root = TestEnvironment.repositoryRoot

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func read(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }

    /// A tool's path from the variable scripts/test.sh exports; a run without it fails loudly.
    static func tool(_ variable: String) throws -> String {
        guard let path = ProcessInfo.processInfo.environment[variable], FileManager.default.isExecutableFile(atPath: path) else {
            throw DeployTestError("\(variable) is not set: run the tests through scripts/test.sh, which installs the validators")
        }
        return path
    }

    static func dockerCompose() throws -> String { try tool("DOCKER_COMPOSE") }
    static func hadolint() throws -> String { try tool("HADOLINT") }
    static func kubernetesValidate() throws -> String { try tool("KUBERNETES_VALIDATE") }
    /// The deploy venv's Python, which has PyYAML.
    static func python() throws -> String { try tool("DEPLOY_PYTHON") }

    /// The validators judge the files alone: scripts/test.sh exports every .env value, and
    /// compose would let those win over the env file under test.
    static let cleanEnvironment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"]

    typealias Output = ProgramOutput

    /// Runs a program to completion, off the cooperative pool (blocking those 2 threads starves
    /// every other suite).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    directory: URL? = nil) async throws -> Output {
        try await Program.runOffPool(executable, arguments, environment: environment, directory: directory)
    }

    /// Every YAML document of each file, as JSON values (PyYAML safe_load_all).
    static func yamlDocuments(_ paths: [String]) async throws -> [[JSONValue]] {
        let script = "import json, sys, yaml; json.dump([list(yaml.safe_load_all(open(p))) for p in sys.argv[1:]], sys.stdout)"
        let output = try await run(try python(), ["-c", script] + paths, environment: cleanEnvironment)
        guard output.status == 0 else { throw DeployTestError("YAML parse failed: \(output)") }
        guard let files = try JSONValue(parsing: output.stdout).arrayValue?.map({ $0.arrayValue ?? [] }) else {
            throw DeployTestError("unexpected YAML dump")
        }
        return files
    }

    /// `KEY=VALUE` lines of an env file; comments, blank lines and `# KEY=` examples are skipped.
    static func envFile(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            values[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        return values
    }

    /// A fresh directory under the system temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-tests-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The worker pools defined in workers/ that compose and Kubernetes deploy.
    static let pools = ["credit", "property", "decision"]

    /// The margin on top of WORKER_DRAIN_TIMEOUT that compose and Kubernetes give a stopping
    /// worker (storing the last results, requeueing prefetched messages, closing connections).
    static let drainMargin = 15
}

struct DeployTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension JSONValue {
    /// `value[path[0]][path[1]]…`, array indices as numbers.
    subscript(path path: String...) -> JSONValue? {
        var current: JSONValue? = self
        for key in path {
            if let index = Int(key), let array = current?.arrayValue {
                current = array.indices.contains(index) ? array[index] : nil
            } else {
                current = current?[key]
            }
        }
        return current
    }

    /// Scalars as text (YAML numbers and strings both), nil for containers and null.
    var text: String? {
        switch self {
        case .string(let string): string
        case .int(let int): String(int)
        case .double(let double): String(double)
        case .bool(let bool): String(bool)
        default: nil
        }
    }
}
