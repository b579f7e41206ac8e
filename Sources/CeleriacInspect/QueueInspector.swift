public import Celeriac

/// Queue depth and consumers, with the dead-letter queue (`<queue>.dead`) beside each.
public struct QueueInspector: Sendable {
    public let broker: RabbitMQBroker

    public init(broker: RabbitMQBroker) { self.broker = broker }

    /// One row per queue; a queue that does not exist is reported as missing, not created.
    public func queues(_ names: [String]) async throws -> [QueueReport] {
        var reports: [QueueReport] = []
        for name in names {
            let state = try await broker.queueState(name)
            let dead = try await broker.queueState("\(name).dead")
            reports.append(QueueReport(name: name, exists: state != nil, messages: state?.messages ?? 0,
                                       consumers: state?.consumers ?? 0, deadLetters: dead?.messages ?? 0))
        }
        return reports
    }
}

public struct QueueReport: Sendable, Equatable {
    public var name: String
    public var exists: Bool
    public var messages: Int
    public var consumers: Int
    public var deadLetters: Int
}
