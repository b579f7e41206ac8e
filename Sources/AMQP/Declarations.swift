/// An exchange to declare (and re-declare after every reconnect).
public struct ExchangeDeclaration: Sendable, Hashable {
    /// The exchange type.
    public enum Kind: String, Sendable, Hashable {
        case direct, fanout, topic, headers
    }

    public var name: String
    public var type: Kind
    /// Survives a broker restart.
    public var durable: Bool
    /// Deleted when the last binding is removed.
    public var autoDelete: Bool
    /// Cannot be published to directly, only through exchange-to-exchange bindings.
    public var `internal`: Bool
    public var arguments: AMQPTable

    /// An exchange declaration; durable by default.
    public init(name: String, type: Kind = .direct, durable: Bool = true, autoDelete: Bool = false,
                internal: Bool = false, arguments: AMQPTable = [:]) {
        self.name = name
        self.type = type
        self.durable = durable
        self.autoDelete = autoDelete
        self.internal = `internal`
        self.arguments = arguments
    }
}

/// A queue to declare (and re-declare after every reconnect).
public struct QueueDeclaration: Sendable, Hashable {
    public var name: String
    /// Survives a broker restart.
    public var durable: Bool
    /// Used by this connection only and deleted when it closes.
    public var exclusive: Bool
    /// Deleted when its last consumer is cancelled.
    public var autoDelete: Bool
    /// `x-` arguments; see the conveniences below.
    public var arguments: AMQPTable

    /// A queue declaration; durable by default.
    public init(name: String, durable: Bool = true, exclusive: Bool = false, autoDelete: Bool = false,
                arguments: AMQPTable = [:]) {
        self.name = name
        self.durable = durable
        self.exclusive = exclusive
        self.autoDelete = autoDelete
        self.arguments = arguments
    }

    /// `x-dead-letter-exchange`: where rejected and expired messages go.
    public var deadLetterExchange: String? {
        get { arguments["x-dead-letter-exchange"]?.stringValue }
        set { arguments["x-dead-letter-exchange"] = newValue.map { .string($0) } }
    }

    /// `x-dead-letter-routing-key`: the routing key dead-lettered messages get.
    public var deadLetterRoutingKey: String? {
        get { arguments["x-dead-letter-routing-key"]?.stringValue }
        set { arguments["x-dead-letter-routing-key"] = newValue.map { .string($0) } }
    }

    /// `x-max-priority`: enables message priorities 0...value.
    public var maxPriority: UInt8? {
        get { arguments["x-max-priority"]?.intValue.flatMap { UInt8(exactly: $0) } }
        set { arguments["x-max-priority"] = newValue.map { .int32(Int32($0)) } }
    }

    /// `x-message-ttl`: how long a message may wait in the queue.
    public var messageTTL: Duration? {
        get { arguments["x-message-ttl"]?.intValue.map { .milliseconds($0) } }
        set { arguments["x-message-ttl"] = newValue.map { .integer(Self.milliseconds($0)) } }
    }

    /// `x-expires`: the queue is deleted after being unused this long.
    public var expires: Duration? {
        get { arguments["x-expires"]?.intValue.map { .milliseconds($0) } }
        set { arguments["x-expires"] = newValue.map { .integer(Self.milliseconds($0)) } }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let c = duration.components
        return c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
    }
}

/// A binding from an exchange to a queue (re-created after every reconnect).
public struct QueueBinding: Sendable, Hashable {
    public var queue: String
    public var exchange: String
    public var routingKey: String
    public var arguments: AMQPTable

    /// A binding of `queue` to `exchange` with `routingKey`.
    public init(queue: String, exchange: String, routingKey: String, arguments: AMQPTable = [:]) {
        self.queue = queue
        self.exchange = exchange
        self.routingKey = routingKey
        self.arguments = arguments
    }
}

/// What the broker reports about a queue.
public struct QueueState: Sendable, Hashable {
    /// The queue's name (the generated one for a server-named queue).
    public var name: String
    /// Messages ready for delivery (not counting unacknowledged ones).
    public var messageCount: UInt32
    /// Active consumers.
    public var consumerCount: UInt32

    /// A queue state.
    public init(name: String, messageCount: UInt32, consumerCount: UInt32) {
        self.name = name
        self.messageCount = messageCount
        self.consumerCount = consumerCount
    }
}
