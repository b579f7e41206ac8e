public import Foundation
public import ServiceEnvironment

/// Everything `loan-api` reads from the environment, with defaults fit for local use.
public struct APIConfiguration: Sendable {
    /// `API_HOST` (default `127.0.0.1`) and `API_PORT` (default `8080`).
    public var host: String
    public var port: Int
    /// `JWT_SECRET`: HMAC-SHA256 key of the bearer tokens (required, at least 32 bytes).
    public var jwtSecret: String
    /// `JWT_TTL_SECONDS`: token lifetime (default 3600).
    public var tokenLifetime: TimeInterval
    /// `ADMIN_TOKEN`: bearer token of the operator routes under `/api/`; unset disables them (403).
    public var adminToken: String?
    /// `API_MAX_BODY_BYTES`: larger request bodies answer 413 (default 65536).
    public var maxBodyBytes: Int
    /// `CORS_ORIGINS`: `*`, or comma-separated allowed origins; unset sends no CORS headers.
    public var corsOrigins: [String]
    /// `LOGIN_MAX_FAILURES` failed logins per email within `LOGIN_WINDOW_SECONDS` before 429 (defaults 5 and 300).
    public var loginMaxFailures: Int
    public var loginWindow: TimeInterval
    /// `BCRYPT_COST` (default 12; 4 is the lowest bcrypt allows, for tests).
    public var bcryptCost: UInt8
    /// `AMQP_URL`, `REDIS_URL`, `MONGO_URL` (database in the path).
    public var amqpURL: String
    public var redisURL: String
    public var mongoURL: String
    /// `LOAN_QUEUE_PREFIX`: prefix of the loan pools' queues (default `loan`).
    public var loanQueuePrefix: String

    public init(host: String = "127.0.0.1", port: Int = 8080, jwtSecret: String, tokenLifetime: TimeInterval = 3600,
                adminToken: String? = nil, maxBodyBytes: Int = 65_536, corsOrigins: [String] = [],
                loginMaxFailures: Int = 5, loginWindow: TimeInterval = 300, bcryptCost: UInt8 = 12,
                amqpURL: String, redisURL: String, mongoURL: String, loanQueuePrefix: String = "loan") {
        self.host = host
        self.port = port
        self.jwtSecret = jwtSecret
        self.tokenLifetime = tokenLifetime
        self.adminToken = adminToken
        self.maxBodyBytes = maxBodyBytes
        self.corsOrigins = corsOrigins
        self.loginMaxFailures = loginMaxFailures
        self.loginWindow = loginWindow
        self.bcryptCost = bcryptCost
        self.amqpURL = amqpURL
        self.redisURL = redisURL
        self.mongoURL = mongoURL
        self.loanQueuePrefix = loanQueuePrefix
    }

    /// Reads the configuration; a missing or malformed value is a ``ConfigurationError`` naming it.
    public init(environment env: Environment) throws {
        let secret = try env.required("JWT_SECRET")
        guard secret.utf8.count >= 32 else { throw ConfigurationError("JWT_SECRET must be at least 32 bytes long (HS256 key)") }
        let cost = try env.int("BCRYPT_COST") ?? 12
        guard (4...31).contains(cost) else { throw ConfigurationError("BCRYPT_COST=\(cost) is not within 4...31") }
        let port = try env.int("API_PORT") ?? 8080
        guard port <= 65_535 else { throw ConfigurationError("API_PORT=\(port) is not a TCP port") }
        self.init(host: env.string("API_HOST") ?? "127.0.0.1", port: port, jwtSecret: secret,
                  tokenLifetime: TimeInterval(try env.int("JWT_TTL_SECONDS") ?? 3600),
                  adminToken: env.string("ADMIN_TOKEN"), maxBodyBytes: try env.int("API_MAX_BODY_BYTES") ?? 65_536,
                  corsOrigins: (env.string("CORS_ORIGINS") ?? "").split(separator: ",")
                      .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                  loginMaxFailures: try env.int("LOGIN_MAX_FAILURES") ?? 5,
                  loginWindow: TimeInterval(try env.int("LOGIN_WINDOW_SECONDS") ?? 300), bcryptCost: UInt8(cost),
                  amqpURL: try env.required("AMQP_URL"), redisURL: try env.required("REDIS_URL"),
                  mongoURL: try env.required("MONGO_URL"), loanQueuePrefix: env.string("LOAN_QUEUE_PREFIX") ?? "loan")
    }
}
