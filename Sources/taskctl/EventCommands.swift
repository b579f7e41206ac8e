import ArgumentParser
import Celeriac
import CeleriacInspect
import Foundation

struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workers", abstract: "Live workers, from their heartbeats.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Seconds to listen (workers send a heartbeat every 2 s).") var window: Double = 2.5

    func validate() throws { guard window > 0 else { throw ValidationError("--window must be positive") } }

    func run() async throws {
        try await options.withBroker { broker in
            let workers = try await EventInspector(broker: broker).workers(window: .milliseconds(Int(window * 1000)))
            Output(json: options.json).emit(.array(workers.map { worker in
                .object(["hostname": .string(worker.host), "pid": worker.pid.map { .int(Int64($0)) } ?? .null,
                         "active": .int(Int64(worker.active)), "processed": .int(Int64(worker.processed)),
                         "last_seen": worker.lastSeen.map { .string(CeleryDate.format($0)) } ?? .null])
            }), text: workers.isEmpty ? "no worker heartbeats in \(window) s" : table(["WORKER", "PID", "ACTIVE", "PROCESSED", "LAST SEEN"], workers.map {
                [$0.host, $0.pid.map(String.init) ?? "-", String($0.active), String($0.processed), $0.lastSeen.map(CeleryDate.format) ?? "-"]
            }))
        }
    }
}

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Tail task events live (Ctrl-C to stop).")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Stop after this many events.") var count: Int?
    @Option(help: "Stop after this many seconds.") var timeout: Double?

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("--count must be positive") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        try await options.withBroker { broker in
            let events = try await EventInspector(broker: broker).taskEvents()
            let output = Output(json: options.json)
            let limit = count
            let tail = Task {
                var seen = 0
                for await event in events {
                    let type = event["type"]?.stringValue ?? "?"
                    let state = type.replacingOccurrences(of: "task-", with: "").uppercased()
                    output.emit(.object(event), text: [event["timestamp"].flatMap { value -> String? in
                        if case .double(let seconds) = value { return CeleryDate.format(Date(timeIntervalSince1970: seconds)) }
                        return nil
                    } ?? "-", output.state(state), event["uuid"]?.stringValue ?? "-", event["name"]?.stringValue ?? "",
                    event["hostname"]?.stringValue ?? ""].joined(separator: "  "))
                    fflush(nil)  // nil: every stream (stdout is a C global Swift 6 will not touch)
                    seen += 1
                    if let limit, seen >= limit { break }
                }
            }
            if let timeout {
                let timer = Task { try? await Task.sleep(for: .milliseconds(Int(timeout * 1000))); tail.cancel() }
                await tail.value
                timer.cancel()
            } else {
                await tail.value
            }
        }
    }
}
