import Foundation

/// A task message on its way to a queue: one element of ``Broker/publish(_:)``.
public struct Publication: Sendable {
    public var message: TaskMessage
    public var queue: String

    public init(_ message: TaskMessage, to queue: String) {
        self.message = message
        self.queue = queue
    }

    /// How long the broker holds the message before it reaches `queue`: until its ETA, when that
    /// is more than 5 ms away (closer, waiting in the broker costs more than it defers); nil for
    /// at once. Reckoned when read, so a publication built early and published later still
    /// waits only until its ETA.
    public var delay: Duration? {
        guard let eta = message.eta else { return nil }
        let seconds = eta.timeIntervalSinceNow
        return seconds > 0.005 ? .seconds(seconds) : nil
    }
}
