public import Celeriac
public import Foundation

/// Live workers (from their heartbeats) and live task events, from the `celeryev` exchange —
/// the same events Flower and `celery events` read.
public struct EventInspector: Sendable {
    public let broker: RabbitMQBroker

    public init(broker: RabbitMQBroker) { self.broker = broker }

    /// Listens for `window` and reports every worker that sent a heartbeat (or came online) in
    /// it, latest event per host. Workers that said `worker-offline` are left out.
    public func workers(window: Duration) async throws -> [WorkerReport] {
        let events = try await broker.events(bindingKeys: ["worker.#"])
        let deadline = ContinuousClock.now + window
        let collector = Task {
            var latest: [String: WorkerReport] = [:]
            for await event in events {
                guard let host = event["hostname"]?.stringValue, let type = event["type"]?.stringValue else { continue }
                if type == "worker-offline" { latest[host] = nil; continue }
                latest[host] = WorkerReport(event: event, host: host)
                if ContinuousClock.now >= deadline { break }
            }
            return latest
        }
        try? await Task.sleep(until: deadline)
        collector.cancel()
        return await collector.value.values.sorted { $0.host < $1.host }
    }

    /// Task events (`task-received`, `task-succeeded`, …) as they happen.
    public func taskEvents() async throws -> AsyncStream<[String: JSONValue]> {
        try await broker.events(bindingKeys: ["task.#"])
    }
}

/// A worker as its latest heartbeat describes it.
public struct WorkerReport: Sendable, Equatable {
    public var host: String
    public var pid: Int?
    public var active: Int
    public var processed: Int
    public var lastSeen: Date?
    public var software: String?

    init(event: [String: JSONValue], host: String) {
        self.host = host
        pid = event["pid"]?.intValue
        active = event["active"]?.intValue ?? 0
        processed = event["processed"]?.intValue ?? 0
        lastSeen = event["timestamp"].flatMap { value -> Date? in
            if case .double(let seconds) = value { return Date(timeIntervalSince1970: seconds) }
            return value.intValue.map { Date(timeIntervalSince1970: Double($0)) }
        }
        software = [event["sw_ident"]?.stringValue, event["sw_ver"]?.stringValue].compactMap { $0 }.joined(separator: " ")
    }
}
