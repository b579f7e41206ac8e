/// Errors thrown by the AMQP client.
public enum AMQPError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The URL could not be parsed; the text explains why (without the password).
    case invalidURL(String)
    /// Connecting or logging in failed (refused, unreachable, login refused, unknown vhost...).
    case connectionFailed(String)
    /// The connection broke (socket error, missed heartbeats, broker shutdown) while the
    /// operation was in flight, or it did not come back within the reconnect wait timeout.
    /// The operation may or may not have reached the broker; the caller decides to retry.
    case connectionLost(String)
    /// The broker closed the whole connection with an error (for example 503 COMMAND_INVALID).
    case connectionClosed(code: UInt16, text: String)
    /// The broker closed the channel the operation ran on (404 NOT_FOUND, 406 PRECONDITION_FAILED...).
    /// The client reopens the channel; the connection stays usable.
    case channelClosed(code: UInt16, text: String)
    /// The broker refused a published message (basic.nack).
    case nacked
    /// A mandatory message could not be routed to any queue (basic.return).
    case unroutable(code: UInt16, text: String, exchange: String, routingKey: String)
    /// The delivery came from before a reconnect (or a channel reset): acking it is impossible,
    /// nothing was sent and the broker will redeliver the message.
    case staleDelivery
    /// The broker cancelled the consumer (for example its queue was deleted).
    case consumerCancelled(tag: String)
    /// The operation needs ``AMQPConnection/connect()`` to have succeeded first.
    case notConnected
    /// ``AMQPConnection/close()`` was called.
    case closed
    /// A broker call did not answer in time.
    case timeout
    /// A value could not be encoded (for example a field table key longer than 128 bytes).
    case invalidArgument(String)

    /// A human-readable description.
    public var description: String {
        switch self {
        case .invalidURL(let text): return text
        case .connectionFailed(let text): return "AMQP connection failed: \(text)"
        case .connectionLost(let text): return "AMQP connection lost: \(text)"
        case .connectionClosed(let code, let text): return "AMQP connection closed by the broker: \(code) \(text)"
        case .channelClosed(let code, let text): return "AMQP channel closed by the broker: \(code) \(text)"
        case .nacked: return "the broker refused (nacked) the message"
        case .unroutable(let code, let text, let exchange, let key):
            return "unroutable message to exchange '\(exchange)' with routing key '\(key)': \(code) \(text)"
        case .staleDelivery: return "the delivery predates a reconnect; it cannot be acknowledged and will be redelivered"
        case .consumerCancelled(let tag): return "the broker cancelled consumer '\(tag)'"
        case .notConnected: return "the AMQP connection has not been connected yet"
        case .closed: return "the AMQP connection was closed"
        case .timeout: return "the AMQP broker did not answer in time"
        case .invalidArgument(let text): return "invalid argument: \(text)"
        }
    }
}
