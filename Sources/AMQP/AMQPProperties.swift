/// The basic-class properties of a message.
public struct AMQPProperties: Sendable, Hashable {
    /// Whether the broker stores a message on disk.
    public enum DeliveryMode: UInt8, Sendable, Hashable {
        /// Kept in memory only (1).
        case transient = 1
        /// Written to disk on durable queues (2).
        case persistent = 2
    }

    public var contentType: String?
    public var contentEncoding: String?
    public var headers: AMQPTable?
    public var deliveryMode: DeliveryMode?
    public var priority: UInt8?
    public var correlationID: String?
    public var replyTo: String?
    /// Per-message TTL in milliseconds, as a decimal string.
    public var expiration: String?
    public var messageID: String?
    /// Seconds since the Unix epoch.
    public var timestamp: UInt64?
    public var type: String?
    public var userID: String?
    public var appID: String?

    /// Properties with the given values; everything defaults to absent.
    public init(contentType: String? = nil, contentEncoding: String? = nil, headers: AMQPTable? = nil,
                deliveryMode: DeliveryMode? = nil, priority: UInt8? = nil, correlationID: String? = nil,
                replyTo: String? = nil, expiration: String? = nil, messageID: String? = nil,
                timestamp: UInt64? = nil, type: String? = nil, userID: String? = nil, appID: String? = nil) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.headers = headers
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.expiration = expiration
        self.messageID = messageID
        self.timestamp = timestamp
        self.type = type
        self.userID = userID
        self.appID = appID
    }
}
