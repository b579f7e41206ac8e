import Celeriac
import Foundation
import Hummingbird
import HummingbirdTesting
import JSONCore
import LoanAPI
import LoanStore
import LoanTasks
import Logging
import Testing
import TestSupport

/// A `loan-api` over the real servers for one test: its own MongoDB database and loan queue
/// prefix, optionally with in-process loan workers, so tests running side by side never meet.
struct APIHarness {
    static let secret = "test-secret-0123456789abcdef-0123456789"
    static let adminToken = "test-admin-token"
    let services: LoanAPIServices
    let database: String

    static func connect(_ name: String, configure: (inout APIConfiguration) -> Void = { _ in }) async throws -> APIHarness {
        var configuration = APIConfiguration(port: 0, jwtSecret: secret, adminToken: adminToken, maxBodyBytes: 16_384,
                                             loginMaxFailures: 3, loginWindow: 60, bcryptCost: 4,
                                             amqpURL: TestEnvironment.amqpURL, redisURL: TestEnvironment.redisURL,
                                             mongoURL: TestEnvironment.mongoURL, loanQueuePrefix: TestEnvironment.uniqueName(name))
        configure(&configuration)
        let database = TestEnvironment.uniqueName(name)
        let services = try await LoanAPIServices.connect(configuration, database: database, logger: Logger(label: "test.api"))
        return APIHarness(services: services, database: database)
    }

    /// Runs `body` against a fresh harness's application (`.router` by default, `.live` for
    /// WebSockets and external clients) and closes the harness afterwards, whatever happens.
    static func withClient(_ name: String, _ setup: TestingSetup = .router, configure: (inout APIConfiguration) -> Void = { _ in },
                           _ body: @escaping @Sendable (APIHarness, any TestClientProtocol) async throws -> Void) async throws {
        let harness = try await connect(name, configure: configure)
        do {
            try await harness.application.test(setup) { client in try await body(harness, client) }
        } catch {
            await harness.close()
            throw error
        }
        await harness.close()
    }

    var application: some ApplicationProtocol {
        LoanAPIApplication.application(services, port: 0, logger: Logger(label: "test.api"))
    }

    /// In-process loan workers consuming this harness's queues.
    func startWorker() async -> (Worker, Task<Void, any Error>) {
        var registry = TaskRegistry()
        let tasks = services.pipeline.tasks
        tasks.register(in: &registry, LoanTaskDependencies(store: services.loans, notifier: services.pipeline.notifier,
                                                           results: services.backend))
        let worker = Worker(registry: registry, broker: services.broker, backend: services.backend,
                            configuration: WorkerConfiguration(hostname: "api-test-\(UUID().uuidString.prefix(6))@localhost",
                                                               queues: tasks.queues.all, concurrency: 8),
                            logger: Logger(label: "test.worker"))
        return (worker, await worker.start())
    }

    func close() async {
        try? await services.mongo.database(database).drop()
        await services.close()
    }
}

/// Request helpers over a test client.
extension TestClientProtocol {
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, json: JSONValue, headers: HTTPFields) {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        let response = try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let bytes = Array(response.body.readableBytesView)
        let value = bytes.isEmpty ? JSONValue.null : ((try? JSONValue(parsing: bytes)) ?? .string(String(decoding: bytes, as: UTF8.self)))
        return (response.status, value, response.headers)
    }

    /// Signs up and logs in; returns the token and the account id.
    func newAccount(_ email: String = "user-\(UUID().uuidString.prefix(8).lowercased())@example.com",
                    password: String = "correct horse") async throws -> (token: String, id: String) {
        let created = try await call(.post, "/accounts", json: #"{"email": "\#(email)", "password": "\#(password)"}"#)
        #expect(created.status == .created, "\(created.json)")
        let login = try await call(.post, "/auth/login", json: #"{"email": "\#(email)", "password": "\#(password)"}"#)
        #expect(login.status == .ok, "\(login.json)")
        return (try #require(login.json["access_token"]?.stringValue), try #require(created.json["id"]?.stringValue))
    }
}

enum Samples {
    /// An approvable request (the salaried couple archetype).
    static let approvable = """
    {"applicant": {"monthly_net_income": 6200, "monthly_debt_payments": 300, "employment_type": "permanent",
                   "employment_years": 8, "defaults_last_24_months": 0, "late_payments_last_24_months": 0, "age": 38},
     "property": {"estimated_value": 320000, "type": "apartment", "postcode": "69003", "purpose": "primary_home"},
     "loan": {"amount": 250000, "down_payment": 70000, "term_months": 240}}
    """
}
