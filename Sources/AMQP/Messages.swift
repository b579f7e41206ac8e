/// A message to publish.
public struct OutgoingMessage: Sendable {
    /// The exchange; `""` is the default exchange (routing key = queue name).
    public var exchange: String
    public var routingKey: String
    public var body: [UInt8]
    public var properties: AMQPProperties
    /// Fail with ``AMQPError/unroutable(code:text:exchange:routingKey:)`` when no queue receives it.
    public var mandatory: Bool

    /// A message; persistent unless `properties` says otherwise.
    public init(exchange: String = "", routingKey: String, body: [UInt8],
                properties: AMQPProperties = AMQPProperties(deliveryMode: .persistent), mandatory: Bool = false) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.properties = properties
        self.mandatory = mandatory
    }
}

/// Identifies a delivery for acknowledgement: the broker's tag plus the connection/channel
/// generation it was received in, so that a tag from before a reconnect is never sent again.
public struct AMQPDeliveryTag: Sendable, Hashable, CustomStringConvertible {
    /// The broker's delivery tag (per channel).
    public let value: UInt64
    let generation: UInt64
    let connectionID: UInt64

    /// `tag@generation`.
    public var description: String { "\(value)@\(generation)" }
}

/// A message received by a consumer.
public struct AMQPDelivery: Sendable {
    public var body: [UInt8]
    public var properties: AMQPProperties
    /// The exchange it was published to.
    public var exchange: String
    public var routingKey: String
    /// True when the broker delivered it before (to this or another consumer) without an ack.
    public var redelivered: Bool
    public var consumerTag: String
    /// The tag to pass to ``AMQPConnection/ack(_:multiple:)`` and friends (through the delivery).
    public var deliveryTag: AMQPDeliveryTag
}

/// Connection lifecycle notifications.
public enum AMQPConnectionEvent: Sendable, Equatable {
    /// The first connect succeeded.
    case connected
    /// The connection broke; the client reconnects by itself.
    case disconnected(reason: String)
    /// The connection is back after `attempts` attempts; topology and consumers were restored.
    case reconnected(attempts: Int)
    /// ``AMQPConnection/close()`` finished.
    case closed
}
