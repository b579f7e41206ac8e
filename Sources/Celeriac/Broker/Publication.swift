/// A task message on its way to a queue: one element of ``Broker/publish(_:)``.
public struct Publication: Sendable {
    public var message: TaskMessage
    public var queue: String

    public init(_ message: TaskMessage, to queue: String) {
        self.message = message
        self.queue = queue
    }

    /// How long the broker holds the message before it reaches `queue`: the message's
    /// ``TaskMessage/timeUntilDue``, nil for at once. Reckoned when read, so a publication built
    /// early and published later still waits only until its ETA.
    public var delay: Duration? { message.timeUntilDue }
}
