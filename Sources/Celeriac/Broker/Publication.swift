import Foundation

/// A task message on its way to a queue: one element of ``Broker/publish(_:)``.
public struct Publication: Sendable {
    public var message: TaskMessage
    public var queue: String
    /// How long the broker holds the message before it reaches `queue`; nil for at once.
    public var delay: Duration?

    public init(_ message: TaskMessage, to queue: String, delay: Duration?) {
        self.message = message
        self.queue = queue
        self.delay = delay
    }

    /// `message` to `queue`, held by the broker until its ETA when that is more than 5 ms away
    /// (closer than that, waiting in the broker costs more than it defers).
    public init(_ message: TaskMessage, to queue: String) {
        self.init(message, to: queue, delay: Self.delay(until: message.eta))
    }

    static func delay(until eta: Date?) -> Duration? {
        guard let eta else { return nil }
        let seconds = eta.timeIntervalSinceNow
        return seconds > 0.005 ? .seconds(seconds) : nil
    }
}
