import ArgumentParser
import Celeriac
import CeleriacInspect
import Foundation

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Recent results, newest first (SCAN, never KEYS).")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Only this state (SUCCESS, FAILURE, ...).") var state: String?
    @Option(help: "Only this task name.") var name: String?
    @Option(help: "Only results finished within this age: 30s, 15m, 1h, 2d.") var since: String?
    @Option(help: "At most this many rows.") var limit: Int = 50

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
        if let since { _ = try Age.parse(since) }
        if let state, TaskState(rawValue: state.uppercased()) == nil {
            throw ValidationError("unknown state '\(state)' (one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    func run() async throws {
        try await options.withBackend { backend in
            let cutoff = try since.map { Date().addingTimeInterval(-(try Age.parse($0))) }
            let rows = try await ResultInspector(backend: backend).list(ResultFilter(state: state, name: name, since: cutoff, limit: limit))
            let output = Output(json: options.json)
            output.emit(.array(rows.map { row in
                .object(["task_id": .string(row.taskID), "status": .string(row.status), "name": row.name.map { .string($0) } ?? .null,
                         "date_done": row.dateDone.map { .string(CeleryDate.format($0)) } ?? .null,
                         "worker": row.worker.map { .string($0) } ?? .null])
            }), text: rows.isEmpty ? "no results" : table(["TASK ID", "STATE", "NAME", "DONE"], rows.map {
                [$0.taskID, output.state($0.status), $0.name ?? "-", $0.dateDone.map(CeleryDate.format) ?? "-"]
            }))
        }
    }
}

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Stored results counted by state and task name.")
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await options.withBackend { backend in
            let stats = try await ResultInspector(backend: backend).stats()
            func counts(_ values: [String: Int]) -> JSONValue { .object(values.mapValues { .int(Int64($0)) }) }
            func rows(_ values: [String: Int]) -> [[String]] {
                values.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { [$0.key, String($0.value)] }
            }
            Output(json: options.json).emit(["total": .int(Int64(stats.total)), "by_state": counts(stats.byState), "by_name": counts(stats.byName)],
                                            text: "\(stats.total) results\n\n" + table(["STATE", "COUNT"], rows(stats.byState))
                                                + "\n\n" + table(["TASK", "COUNT"], rows(stats.byName)))
        }
    }
}

/// `30s`, `15m`, `1h`, `2d` → seconds.
enum Age {
    static func parse(_ text: String) throws -> TimeInterval {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last, let factor = units[unit], let value = Double(text.dropLast()), value >= 0 else {
            throw ValidationError("'\(text)' is not an age like 30s, 15m, 1h or 2d")
        }
        return value * factor
    }
}
