import AMQP
import Foundation
import JSONCore
import Mongo
import Redis
import Testing

/// docker-compose.yml as `docker-compose config` resolves it with .env.example.
struct ComposeModel: Sendable {
    let config: JSONValue

    static let resolved = Task<ComposeModel, any Error> {
        let output = try await DeployTools.run(try DeployTools.dockerCompose(), [
            "--env-file", DeployTools.path(".env.example"), "-f", DeployTools.path("docker-compose.yml"), "config",
        ], environment: DeployTools.cleanEnvironment, directory: DeployTools.root)
        guard output.status == 0 else { throw DeployTestError("docker-compose config failed: \(output)") }
        let file = try DeployTools.temporaryDirectory().appendingPathComponent("config.yml")
        try output.stdout.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        guard let config = try await DeployTools.yamlDocuments([file.path]).first?.first else { throw DeployTestError("empty config") }
        return ComposeModel(config: config)
    }

    static func load() async throws -> ComposeModel { try await resolved.value }

    static let servers: Set = ["rabbitmq", "redis", "mongo"]
    static let applications = Set(["api"] + DeployTools.pools.map { "worker-\($0)" })

    var services: [String: JSONValue] { config["services"]?.objectValue ?? [:] }

    func environment(_ service: String) -> [String: String] {
        (services[service]?["environment"]?.objectValue ?? [:]).compactMapValues(\.text)
    }

    /// Variables the compose file hands to the server images (documented in the README table).
    var serverImageVariables: Set<String> { Set(Self.servers.flatMap { environment($0).keys }) }
}

@Suite("Deploy: docker-compose.yml")
struct ComposeTests {
    @Test func validWithEnvExample() async throws {
        let services = Set(try await ComposeModel.load().services.keys)
        #expect(services == ComposeModel.servers.union(ComposeModel.applications))
    }

    /// A copy with one unknown key, and the real file with an env file that lacks a required
    /// secret: both are rejected, so the validator really judges these files.
    @Test func brokenCopiesAreRejected() async throws {
        let directory = try DeployTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = FileManager.default
        try files.createDirectory(at: directory.appendingPathComponent("workers"), withIntermediateDirectories: true)
        for name in ["rabbitmq.conf"] + DeployTools.pools.map({ "workers/\($0).env" }) {
            try files.copyItem(atPath: DeployTools.path(name), toPath: directory.appendingPathComponent(name).path)
        }
        let compose = try DeployTools.read("docker-compose.yml")
        let broken = compose.replacingOccurrences(of: "    command: [\"loan-api\"]\n", with: "    command: [\"loan-api\"]\n    restart_policy: always\n")
        #expect(broken != compose)
        try broken.write(to: directory.appendingPathComponent("docker-compose.yml"), atomically: true, encoding: .utf8)
        let example = try DeployTools.read(".env.example")
        try example.write(to: directory.appendingPathComponent("good.env"), atomically: true, encoding: .utf8)
        let withoutSecret = example.split(separator: "\n").filter { !$0.hasPrefix("JWT_SECRET=") }.joined(separator: "\n")
        try withoutSecret.write(to: directory.appendingPathComponent("no-secret.env"), atomically: true, encoding: .utf8)

        func config(_ composeFile: String, _ envFile: String) async throws -> DeployTools.Output {
            try await DeployTools.run(try DeployTools.dockerCompose(), ["--env-file", envFile, "-f", composeFile, "config", "-q"],
                                      environment: DeployTools.cleanEnvironment, directory: directory)
        }
        let unknownKey = try await config(directory.appendingPathComponent("docker-compose.yml").path,
                                          directory.appendingPathComponent("good.env").path)
        #expect(unknownKey.status != 0 && unknownKey.text.contains("restart_policy"), "\(unknownKey)")
        let missingSecret = try await config(DeployTools.path("docker-compose.yml"), directory.appendingPathComponent("no-secret.env").path)
        #expect(missingSecret.status != 0 && missingSecret.text.contains("JWT_SECRET"), "\(missingSecret)")
    }

    /// Compose's RabbitMQ gets the heap allocator flags the local stack's node runs with
    /// (BrokerRuntimeTests checks that node).
    @Test func brokerHeapFlagsMatchTheLocalStack() async throws {
        let flags = try await ComposeModel.load().environment("rabbitmq")["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"]
        let stack = try DeployTools.read("scripts/stack.sh")
        #expect(flags == "+MHsbct 16384 +MHlmbcs 32768")
        #expect(flags.map { stack.contains("RMQ_ALLOC_ARGS='\($0)'") } == true)
    }

    /// Only the API is published on all interfaces; the management UI only on loopback.
    @Test func onlyTheAPIIsPublished() async throws {
        let model = try await ComposeModel.load()
        for (name, service) in model.services {
            let ports = service["ports"]?.arrayValue ?? []
            switch name {
            case "api":
                #expect(ports.count == 1 && ports.first?["target"]?.text == model.environment("api")["API_PORT"])
            case "rabbitmq":
                #expect(ports.count == 1 && ports.allSatisfy { $0.text?.hasPrefix("127.0.0.1:") == true || $0["host_ip"]?.text == "127.0.0.1" },
                        "\(ports)")
            default:
                #expect(ports.isEmpty, "\(name) publishes \(ports)")
            }
        }
    }

    @Test func everyServiceHasAHealthCheckAndTheAppsWaitForHealthyServers() async throws {
        let model = try await ComposeModel.load()
        for (name, service) in model.services {
            #expect(service["healthcheck"]?["test"]?.arrayValue?.isEmpty == false, "\(name) has no health check")
        }
        for name in ComposeModel.applications {
            let dependencies = model.services[name]?["depends_on"]?.objectValue ?? [:]
            #expect(Set(dependencies.keys) == ComposeModel.servers, "\(name)")
            #expect(dependencies.values.allSatisfy { $0["condition"]?.text == "service_healthy" }, "\(name)")
            #expect(model.services[name]?["image"] == model.services["api"]?["image"], "\(name) runs another image")
            #expect(model.services[name]?[path: "build", "context"]?.text == DeployTools.root.path, "\(name)")
        }
    }

    /// Each pool runs its workers/<pool>.env and gets its drain timeout plus the margin to stop.
    @Test func poolsFollowTheirDefinitions() async throws {
        let model = try await ComposeModel.load()
        for pool in DeployTools.pools {
            let service = try #require(model.services["worker-\(pool)"])
            let definition = DeployTools.envFile(try DeployTools.read("workers/\(pool).env"))
            let environment = model.environment("worker-\(pool)")
            for (name, value) in definition { #expect(environment[name] == value, "worker-\(pool) \(name)") }
            let drain = try #require(Int(definition["WORKER_DRAIN_TIMEOUT"] ?? ""))
            #expect(service["stop_grace_period"]?.text == "\(drain + DeployTools.drainMargin)s")
            #expect(service[path: "healthcheck", "test"] == ["CMD", "loan-worker", "health-check"])
            #expect(service["command"] == nil, "pools run the image's default command, loan-worker")
        }
        #expect(model.services["api"]?["command"] == ["loan-api"])
    }

    /// The URLs compose builds parse with the clients and carry the servers' own credentials.
    @Test func urlsParseAndMatchTheServers() async throws {
        let model = try await ComposeModel.load()
        let rabbit = model.environment("rabbitmq"), redis = model.environment("redis"), mongo = model.environment("mongo")
        for name in ComposeModel.applications {
            let environment = model.environment(name)
            let amqp = try AMQPConfiguration(url: try #require(environment["AMQP_URL"]))
            #expect(amqp.host == "rabbitmq" && amqp.port == 5672)
            #expect(amqp.user == rabbit["RABBITMQ_DEFAULT_USER"] && amqp.password == rabbit["RABBITMQ_DEFAULT_PASS"]
                    && amqp.vhost == rabbit["RABBITMQ_DEFAULT_VHOST"])
            let redisURL = try RedisConfiguration(url: try #require(environment["REDIS_URL"]))
            #expect(redisURL.host == "redis" && redisURL.port == 6379 && redisURL.password == redis["REDISCLI_AUTH"])
            let mongoURL = try #require(environment["MONGO_URL"])
            let credentials = "\(mongo["MONGO_INITDB_ROOT_USERNAME"] ?? "?"):\(mongo["MONGO_INITDB_ROOT_PASSWORD"] ?? "?")@mongo:27017/"
            #expect(mongoURL.contains(credentials) && mongoURL.hasSuffix("?authSource=admin"), "\(mongoURL)")
            // libmongoc accepts it and finds the database the services use.
            let database = try MongoClient(uri: mongoURL).defaultDatabaseName
            #expect(database == DeployTools.envFile(try DeployTools.read(".env.example"))["MONGO_DATABASE"])
        }
        #expect(model.services["redis"]?["command"]?.arrayValue?.contains(.string(redis["REDISCLI_AUTH"] ?? "?")) == true)
    }

    /// The API and the pools get only variables the executables read (REPLICAS rides along in
    /// workers/<pool>.env for scripts/pools.sh).
    @Test func applicationsGetOnlyVariablesTheCodeReads() async throws {
        let model = try await ComposeModel.load()
        let read = try EnvironmentVariableTests.namesReadByTheCode().union(["REPLICAS"])
        for name in ComposeModel.applications {
            let unknown = Set(model.environment(name).keys).subtracting(read)
            #expect(unknown.isEmpty, "\(name): \(unknown.sorted())")
        }
        #expect(model.environment("api")["API_HOST"] == "0.0.0.0", "the API must listen beyond the container's loopback")
    }
}
