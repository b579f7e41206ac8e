import Foundation
import Logging
import Synchronization

/// Publishes Celery events (`task-received`, `task-succeeded`, `worker-heartbeat`, ...) on the
/// `celeryev` topic exchange in Celery's format, so `celery events` and Flower can follow
/// Swift workers. Publishing is best effort: a lost event never fails a task.
final class EventEmitter: Sendable {
    private let broker: any Broker
    private let hostname: String
    private let enabled: Bool
    private let logger: Logger
    private let clock = Atomic<Int>(0)
    private let pid = Int(ProcessInfo.processInfo.processIdentifier)

    init(broker: any Broker, hostname: String, enabled: Bool, logger: Logger) {
        self.broker = broker
        self.hostname = hostname
        self.enabled = enabled
        self.logger = logger
    }

    /// Sends one event; `type` is e.g. `task-succeeded`. Fields are merged with the standard ones.
    /// `fields` is only built when events are on (a task-succeeded event renders the result).
    func send(_ type: String, _ fields: @autoclosure () -> [String: JSONValue]) async {
        guard enabled else { return }
        var event = fields()
        event["type"] = .string(type)
        event["hostname"] = .string(hostname)
        event["timestamp"] = .double(Date().timeIntervalSince1970)
        event["utcoffset"] = .int(Int64(-TimeZone.current.secondsFromGMT() / 3600))
        event["pid"] = .int(Int64(pid))
        event["clock"] = .int(Int64(clock.add(1, ordering: .relaxed).newValue))
        do {
            let routingKey = String(decoding: type.utf8.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: ".") : $0 }, as: UTF8.self)
            try await broker.publishEvent(event, routingKey: routingKey)
        } catch {
            logger.debug("event not sent", metadata: ["event": .string(type), "error": .string("\(error)")])
        }
    }

    func taskFields(_ message: TaskMessage) -> [String: JSONValue] {
        ["uuid": .string(message.id)]
    }

    func received(_ message: TaskMessage) async {
        await send("task-received", [
            "uuid": .string(message.id), "name": .string(message.task),
            "args": .string(message.argsrepr ?? JSONValue.array(message.args).description),
            "kwargs": .string(message.kwargsrepr ?? JSONValue.object(message.kwargs).description),
            "root_id": .string(message.rootID ?? message.id), "parent_id": .string(message.parentID),
            "retries": .int(Int64(message.retries)),
            "eta": .string(message.eta.map(CeleryDate.format)), "expires": .string(message.expires.map(CeleryDate.format)),
        ])
    }

    func workerFields(active: Int, processed: Int, frequency: Double) -> [String: JSONValue] {
        var load: [JSONValue] = [0, 0, 0]
        var values = [Double](repeating: 0, count: 3)
        if getloadavg(&values, 3) == 3 { load = values.map { .double(($0 * 100).rounded() / 100) } }
        return [
            "freq": .double(frequency), "sw_ident": "celeriac", "sw_ver": .string(CeleriacVersion.string),
            "sw_sys": "Linux", "active": .int(Int64(active)), "processed": .int(Int64(processed)),
            "loadavg": .array(load),
        ]
    }
}

/// The framework version reported in events and heartbeats.
public enum CeleriacVersion {
    public static let string = "0.1.0"
}
