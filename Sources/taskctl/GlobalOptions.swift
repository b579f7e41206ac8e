import ArgumentParser
import Celeriac
import Foundation
import ServiceEnvironment

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Result backend URL (default: REDIS_URL, else the local stack from .env).")
    var redis: String?
    @Option(help: "Broker URL (default: AMQP_URL, else the local stack from .env).")
    var broker: String?
    @Flag(help: "Print JSON instead of text.")
    var json = false

    var redisURL: String { redis ?? Environment().string("REDIS_URL") ?? LocalStack.redisURL }
    var brokerURL: String { broker ?? Environment().string("AMQP_URL") ?? LocalStack.amqpURL }

    /// Connects the result backend; unreachable servers exit 3 with the reason.
    func backend() async throws -> RedisResultBackend {
        try await connecting("Redis at \(redisURL)") {
            let backend = try RedisResultBackend(url: redisURL, poolSize: 2)
            try await backend.connect()
            return backend
        }
    }

    func rabbit() async throws -> RabbitMQBroker {
        try await connecting("RabbitMQ at \(brokerURL)") {
            let broker = try RabbitMQBroker(url: brokerURL, name: "taskctl")
            try await broker.connect()
            return broker
        }
    }

    /// Runs `body` with a connected result backend, closed afterwards; failures get the
    /// documented exit codes.
    func withBackend(_ body: (RedisResultBackend) async throws -> Void) async throws {
        try await running {
            let backend = try await backend()
            do { try await body(backend) } catch { await backend.close(); throw error }
            await backend.close()
        }
    }

    /// Runs `body` with a connected broker, closed afterwards.
    func withBroker(_ body: (RabbitMQBroker) async throws -> Void) async throws {
        try await running {
            let broker = try await rabbit()
            do { try await body(broker) } catch { await broker.close(); throw error }
            await broker.close()
        }
    }

    private func connecting<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch {
            let shown = what.replacingOccurrences(of: #"//([^:/@]*):[^@]*@"#, with: "//$1:***@", options: .regularExpression)
            throw TaskctlFailure.connection("cannot connect to \(shown): \(error)")
        }
    }
}

/// Failures with their documented exit codes.
enum TaskctlFailure: Error, CustomStringConvertible {
    case notFound(String)
    case taskFailed(String)
    case connection(String)

    var description: String {
        switch self {
        case .notFound(let text), .taskFailed(let text), .connection(let text): text
        }
    }

    var exitCode: Int32 {
        switch self {
        case .notFound, .taskFailed: 1
        case .connection: 3
        }
    }
}

/// Runs a command body, mapping failures to the documented exit codes and messages on stderr.
func running(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as TaskctlFailure {
        FileHandle.standardError.write(Data("taskctl: \(failure)\n".utf8))
        throw ExitCode(failure.exitCode)
    }
}

/// The local stack's URLs from `.env` (as scripts/stack.sh derives them), for `taskctl` run from
/// a checkout without REDIS_URL/AMQP_URL set.
enum LocalStack {
    static var values: [String: String] {
        let path = FileManager.default.currentDirectoryPath + "/.env"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let parts = content.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            values[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return values
    }

    static func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }

    static var redisURL: String {
        let v = values
        return "redis://:\(encoded(v["REDIS_PASSWORD"] ?? ""))@127.0.0.1:\(v["REDIS_PORT"] ?? "6479")/0"
    }

    static var amqpURL: String {
        let v = values
        return "amqp://\(v["RABBITMQ_USER"] ?? "celeriac"):\(encoded(v["RABBITMQ_PASSWORD"] ?? ""))@127.0.0.1:\(v["RABBITMQ_PORT"] ?? "5772")/\(encoded(v["RABBITMQ_VHOST"] ?? "celeriac"))"
    }
}
