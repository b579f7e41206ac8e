/// A failed MongoDB operation.
public enum MongoError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The connection string could not be parsed.
    case invalidURI(String)
    /// A unique index refused the write (server code 11000/11001).
    case duplicateKey(message: String)
    /// The server refused the operation.
    case server(code: Int, message: String)
    /// No server could be reached (server selection timed out, connection refused, ...).
    case connection(String)
    case encoding(String)
    case decoding(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidURI(let message): "invalid MongoDB URI: \(message)"
        case .duplicateKey(let message): "duplicate key: \(message)"
        case .server(let code, let message): "MongoDB error \(code): \(message)"
        case .connection(let message): "cannot reach MongoDB: \(message)"
        case .encoding(let message): "BSON encoding failed: \(message)"
        case .decoding(let message): "BSON decoding failed: \(message)"
        case .invalidArgument(let message): message
        }
    }
}
