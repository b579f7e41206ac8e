import Foundation
import Testing
import TestSupport

@Suite("Deploy: Dockerfile")
struct DockerfileTests {
    /// Instructions of each stage, continuation lines joined and comments dropped.
    static func stages() throws -> [[String]] {
        let text = try DeployTools.read("Dockerfile").replacingOccurrences(of: "\\\n", with: " ")
        var stages: [[String]] = []
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) })
        where !line.isEmpty && !line.hasPrefix("#") {
            if line.hasPrefix("FROM ") { stages.append([]) }
            if !stages.isEmpty { stages[stages.count - 1].append(line) }
        }
        return stages
    }

    /// `ENV` of the runtime stage: variables every container of the image starts with.
    static func imageEnvironment() throws -> [String: String] {
        var values: [String: String] = [:]
        for line in try stages().last ?? [] where line.hasPrefix("ENV ") {
            for pair in line.dropFirst(4).split(separator: " ", omittingEmptySubsequences: true) {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
            }
        }
        return values
    }

    /// Debian packages the runtime stage installs (version pins removed).
    static func runtimePackages() throws -> Set<String> {
        let run = try #require(try stages().last?.first { $0.contains("apt-get install") })
        let words = run.components(separatedBy: "--no-install-recommends").last?.components(separatedBy: "&&").first ?? ""
        return Set(words.split(separator: " ").map { String($0.split(separator: "=").first ?? $0) })
    }

    static func lint(_ file: String) async throws -> DeployTools.Output {
        try await DeployTools.run(try DeployTools.hadolint(), ["--no-color", file], environment: DeployTools.cleanEnvironment,
                                  directory: DeployTools.root)
    }

    @Test func hadolintPasses() async throws {
        let output = try await Self.lint(DeployTools.path("Dockerfile"))
        #expect(output.status == 0, "\(output)")
    }

    /// A floating base tag and a root user are findings, so the linter is really consulted.
    @Test func hadolintRejectsABrokenCopy() async throws {
        let directory = try DeployTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try DeployTools.read("Dockerfile")
        let broken = original.replacingOccurrences(of: "FROM debian:bookworm-slim", with: "FROM debian:latest")
            .replacingOccurrences(of: "USER 10001:10001", with: "USER root")
        #expect(broken != original)
        let file = directory.appendingPathComponent("Dockerfile")
        try broken.write(to: file, atomically: true, encoding: .utf8)
        let output = try await Self.lint(file.path)
        #expect(output.status != 0 && output.text.contains("DL3007") && output.text.contains("DL3002"), "\(output)")
    }

    @Test func buildsTheExecutablesIntoANonRootImageWithAHealthCheck() throws {
        let stages = try Self.stages()
        #expect(stages.count == 2 && stages[0][0].hasPrefix("FROM swift:6") && stages[1][0] == "FROM debian:bookworm-slim")
        let build = try #require(stages[0].first { $0.contains("swift build -c release") })
        let manifest = try DeployTools.read("Package.swift")
        for product in ["loan-api", "loan-worker", "taskctl"] {
            #expect(build.contains(" \(product) ") && manifest.contains(".executable(name: \"\(product)\""), "\(product)")
        }
        let runtime = stages[1]
        // The Swift runtime libraries the executables load go where their RUNPATH points.
        #expect(build.contains("ldd /out/bin/*") && runtime.contains("COPY --from=build /out/swift/ /usr/lib/swift/linux/"))
        let user = try #require(runtime.last { $0.hasPrefix("USER ") }).dropFirst(5)
        #expect(user.split(separator: ":").allSatisfy { Int($0).map { $0 > 0 } == true }, "numeric non-root USER, got \(user)")
        #expect(runtime.contains { $0.hasPrefix("HEALTHCHECK ") && $0.hasSuffix("CMD [\"loan-worker\", \"health-check\"]") })
        #expect(runtime.last { $0.hasPrefix("CMD ") } == "CMD [\"loan-worker\"]")
        #expect(try Self.imageEnvironment()["WORKER_HEALTH_FILE"]?.hasPrefix("/tmp/") == true)
    }

    /// The runtime stage installs exactly the packages of the C libraries the executables link
    /// (read from the debug binaries; the Swift runtime is copied from the build stage) and the
    /// CA store.
    @Test func runtimeInstallsTheLinkedCLibraries() async throws {
        let binDir = ProcessInfo.processInfo.environment["CELERIAC_BIN_DIR"] ?? DeployTools.path(".build/debug")
        let base: Set = ["libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"]
        var sonames: Set<String> = []
        for binary in ["loan-api", "loan-worker", "taskctl"] {
            let output = try await DeployTools.run("/usr/bin/readelf", ["-d", "\(binDir)/\(binary)"])
            #expect(output.status == 0, "\(output)")
            for line in output.stdout.split(separator: "\n") where line.contains("(NEEDED)") {
                guard let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]") else { continue }
                let name = String(line[line.index(after: open)..<close])
                let swiftRuntime = name.contains("swift") || name.hasPrefix("libFoundation") || name.hasPrefix("lib_Foundation")
                    || name == "libdispatch.so" || name == "libBlocksRuntime.so"
                if !swiftRuntime && !base.contains(name) { sonames.insert(name) }
            }
        }
        #expect(sonames.contains("libmongoc-1.0.so.0") && sonames.contains("librabbitmq.so.4"), "\(sonames)")
        var needed: Set<String> = []
        for soname in sonames {
            let owner = try await DeployTools.run("/usr/bin/dpkg", ["-S", "*/\(soname)"])
            let package = try #require(owner.stdout.split(separator: "\n").first?.split(separator: ":").first, "\(soname): \(owner)")
            needed.insert(String(package))
        }
        #expect(try Self.runtimePackages() == needed.union(["ca-certificates"]))
    }
}
