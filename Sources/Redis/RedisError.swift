/// A failed Redis operation.
public struct RedisError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The server answered with an error reply (`ERR ...`, `WRONGTYPE ...`, `NOSCRIPT ...`).
        case server(String)
        /// The password or user was refused.
        case authentication(String)
        /// Could not connect (refused, unreachable, timed out).
        case connection(String)
        /// The connection broke while the command was in flight: it may or may not have run.
        case connectionLost(String)
        /// `EXEC` returned nil: a watched key changed.
        case transactionAborted
        /// An unexpected reply shape.
        case protocolViolation(String)
        /// A bad URL or setting.
        case configuration(String)
        /// The client was closed.
        case closed
    }

    public var kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    public var description: String {
        switch kind {
        case .server(let message): "Redis error: \(message)"
        case .authentication(let message): "Redis authentication failed: \(message)"
        case .connection(let message): "cannot connect to Redis: \(message)"
        case .connectionLost(let message): "Redis connection lost: \(message)"
        case .transactionAborted: "Redis transaction aborted (EXEC returned nil)"
        case .protocolViolation(let message): "unexpected Redis reply: \(message)"
        case .configuration(let message): "Redis configuration error: \(message)"
        case .closed: "Redis client is closed"
        }
    }

    /// The server's error reply, if this is one.
    public var serverMessage: String? { if case .server(let m) = kind { m } else { nil } }
}
