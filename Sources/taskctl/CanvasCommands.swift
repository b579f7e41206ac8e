import ArgumentParser
import Celeriac
import CeleriacInspect

/// `taskctl group GID` and `taskctl chord GID` share the report; chord adds the claim state.
struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "group", abstract: "Every part of a group with its state.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The group id.") var id: String

    func run() async throws { try await showCanvas(options, id: id, chord: false) }
}

struct ChordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chord", abstract: "A chord's parts, progress and callback claim.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The chord's group id.") var id: String

    func run() async throws { try await showCanvas(options, id: id, chord: true) }
}

func showCanvas(_ options: GlobalOptions, id: String, chord: Bool) async throws {
    try await options.withBackend { backend in
        guard let report = try await CanvasInspector(backend: backend).group(id, findCallback: chord) else {
            throw TaskctlFailure.notFound("nothing stored for group \(id)")
        }
        let output = Output(json: options.json)
        var json: [String: JSONValue] = [
            "group_id": .string(report.groupID), "done": .int(Int64(report.done)), "expected": .int(Int64(report.expected)),
            "parts": .array(report.parts.map { part in
                .object(["task_id": .string(part.taskID), "state": .string(part.state), "name": part.name.map { .string($0) } ?? .null,
                         "result": part.result ?? .null])
            }),
        ]
        let callback: JSONValue = report.callback.map { .object(["task_id": .string($0.taskID), "state": .string($0.state), "result": $0.result ?? .null]) } ?? .null
        if chord {
            json["claimed"] = .bool(report.claimed)
            json["joined"] = .int(Int64(report.joined))
            json["callback"] = callback
        }
        var text = "\(chord ? "chord" : "group") \(report.groupID): \(report.done)/\(report.expected) parts done"
        if chord {
            text += report.claimed ? ", callback claimed by a worker" : ", callback not claimed"
            text += report.callback.map { "\ncallback \($0.taskID): \(output.state($0.state))" } ?? "\ncallback: no result yet"
        }
        text += "\n" + table(["PART", "TASK ID", "STATE", "RESULT"], report.parts.enumerated().map { index, part in
            [String(index), part.taskID, output.state(part.state), part.result.map { "\($0)" } ?? "-"]
        })
        output.emit(.object(json), text: text)
        if report.parts.contains(where: { $0.state == "FAILURE" }) { throw ExitCode(1) }
    }
}
