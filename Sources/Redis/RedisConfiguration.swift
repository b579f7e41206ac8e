public import ClientSupport

/// Where and how to connect to Redis.
public struct RedisConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// ACL user; nil sends the one-argument `AUTH password` (the `default` user).
    public var user: String?
    public var password: String?
    public var database: Int
    public var connectTimeout: Duration
    /// A reply slower than this counts as a dead connection.
    public var commandTimeout: Duration
    /// Waits between reconnect attempts.
    public var reconnectBackoff: Backoff
    /// Shown by `CLIENT LIST`.
    public var connectionName: String?

    public init(host: String = "127.0.0.1", port: Int = 6379, user: String? = nil, password: String? = nil,
                database: Int = 0, connectTimeout: Duration = .seconds(5), commandTimeout: Duration = .seconds(30),
                reconnectBackoff: Backoff = Backoff(initial: .milliseconds(50), maximum: .seconds(2)),
                connectionName: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectBackoff = reconnectBackoff
        self.connectionName = connectionName
    }

    /// Parses `redis://[user][:password]@host[:port][/db]`. `redis://:pw@host` authenticates
    /// with the one-argument `AUTH pw`, which is what Redis expects for the default user.
    public init(url: String) throws(RedisError) {
        let parsed: ServiceURL
        do { parsed = try ServiceURL(url, schemes: ["redis"]) } catch { throw RedisError(.configuration(error.description)) }
        var database = 0
        if !parsed.path.isEmpty {
            guard let db = Int(parsed.path), db >= 0 else {
                throw RedisError(.configuration("invalid database '\(parsed.path)' in \(parsed.redacted): expected a number"))
            }
            database = db
        }
        self.init(host: parsed.host, port: parsed.port ?? 6379, user: parsed.user, password: parsed.password,
                  database: database)
    }

    var endpoint: String { "\(host):\(port)/\(database)" }
}
