public import ClientSupport

/// How to reach and talk to a RabbitMQ broker.
public struct AMQPConfiguration: Sendable, Equatable {
    /// Broker host name or address.
    public var host: String
    /// Broker port (5672 by default).
    public var port: Int
    /// User name for PLAIN authentication.
    public var user: String
    /// Password for PLAIN authentication.
    public var password: String
    /// Virtual host (`/` by default).
    public var vhost: String
    /// Heartbeat interval proposed to the broker; `.zero` disables heartbeats.
    public var heartbeat: Duration
    /// Largest frame size proposed to the broker.
    public var frameMax: Int
    /// Name shown for this connection in the broker's management UI.
    public var connectionName: String?
    /// Time allowed for the TCP connect and for the AMQP handshake.
    public var connectTimeout: Duration
    /// Time allowed for a single synchronous broker call (declare, bind, consume...).
    public var rpcTimeout: Duration
    /// How long an operation submitted while the connection is down waits for the reconnect
    /// before it fails with ``AMQPError/connectionLost``.
    public var reconnectWaitTimeout: Duration
    /// Delays between reconnect attempts.
    public var reconnectBackoff: Backoff

    /// A configuration with explicit values.
    public init(host: String = "localhost", port: Int = 5672, user: String = "guest", password: String = "guest",
                vhost: String = "/", heartbeat: Duration = .seconds(30), frameMax: Int = 131_072,
                connectionName: String? = nil, connectTimeout: Duration = .seconds(10),
                rpcTimeout: Duration = .seconds(30), reconnectWaitTimeout: Duration = .seconds(30),
                reconnectBackoff: Backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.vhost = vhost
        self.heartbeat = heartbeat
        self.frameMax = frameMax
        self.connectionName = connectionName
        self.connectTimeout = connectTimeout
        self.rpcTimeout = rpcTimeout
        self.reconnectWaitTimeout = reconnectWaitTimeout
        self.reconnectBackoff = reconnectBackoff
    }

    /// Parses `amqp://user:pass@host:port/vhost?heartbeat=N`.
    ///
    /// User, password and vhost are percent-decoded (`%2F` is `/`); an empty path means vhost `/`.
    /// Missing credentials default to `guest`/`guest`. Throws ``AMQPError/invalidURL(_:)``.
    public init(url: String) throws(AMQPError) {
        let parsed: ServiceURL
        do {
            parsed = try ServiceURL(url, schemes: ["amqp"])
        } catch {
            throw .invalidURL(error.description)
        }
        self.init(host: parsed.host, port: parsed.port ?? 5672,
                  user: parsed.user ?? "guest", password: parsed.password ?? "guest",
                  vhost: parsed.path.isEmpty ? "/" : parsed.path)
        if let text = parsed.query["heartbeat"] {
            guard let seconds = Int(text), seconds >= 0, seconds <= 65535 else {
                throw .invalidURL("invalid URL '\(parsed.redacted)': heartbeat must be a number of seconds, got '\(text)'")
            }
            heartbeat = .seconds(seconds)
        }
        if let text = parsed.query["frame_max"] {
            guard let value = Int(text), value >= 4096 else {
                throw .invalidURL("invalid URL '\(parsed.redacted)': frame_max must be at least 4096, got '\(text)'")
            }
            frameMax = value
        }
        if let text = parsed.query["connection_timeout"] {
            guard let value = Double(text), value > 0 else {
                throw .invalidURL("invalid URL '\(parsed.redacted)': connection_timeout must be positive seconds, got '\(text)'")
            }
            connectTimeout = .milliseconds(Int64(value * 1000))
        }
        if let name = parsed.query["connection_name"] { connectionName = name }
    }

    /// The broker address for logs and errors, without the password.
    public var redactedURL: String {
        let encodedVhost = vhost == "/" ? "" : (vhost.addingPercentEncodingForPath())
        return "amqp://\(user):***@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(encodedVhost)"
    }
}

extension String {
    /// Percent-encodes everything but unreserved characters (RFC 3986).
    fileprivate func addingPercentEncodingForPath() -> String {
        var out = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
