import Celeriac
import CeleriacInspect
import Foundation

/// Prints either JSON or text; colours only when stdout is a terminal.
struct Output {
    let json: Bool
    let colour = isatty(STDOUT_FILENO) == 1

    func emit(_ value: JSONValue, text: @autoclosure () -> String) {
        print(json ? value.description : text())
    }

    /// A state name, coloured by outcome on a terminal.
    func state(_ state: String) -> String {
        guard colour else { return state }
        let code = switch state {
        case "SUCCESS": "32"
        case "FAILURE", "REVOKED", "REJECTED": "31"
        case "RETRY", "STARTED", "RECEIVED": "33"
        default: "2"
        }
        return "\u{1B}[\(code)m\(state)\u{1B}[0m"
    }
}

extension ResultMeta {
    /// The text block of `taskctl result`.
    func rendered(_ output: Output) -> String {
        var lines = ["id:        \(taskID)", "state:     \(output.state(status.rawValue))"]
        if let name { lines.append("name:      \(name)") }
        if let args { lines.append("args:      \(JSONValue.array(args))") }
        if let kwargs { lines.append("kwargs:    \(JSONValue.object(kwargs))") }
        if let exception {
            lines.append("exception: \(exception)")
        } else {
            lines.append("result:    \(result)")
        }
        if let dateDone { lines.append("date done: \(CeleryDate.format(dateDone))") }
        if let worker { lines.append("worker:    \(worker)") }
        if let retries, retries > 0 { lines.append("retries:   \(retries)") }
        if !children.isEmpty { lines.append("children:  \(JSONValue.array(children))") }
        if let traceback, !traceback.isEmpty { lines.append("traceback:\n" + traceback) }
        return lines.joined(separator: "\n")
    }
}

/// Renders rows as aligned columns.
func table(_ header: [String], _ rows: [[String]]) -> String {
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    return ([header] + rows).map { row in
        row.enumerated().map { index, cell in index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) }
            .joined(separator: "  ")
    }.joined(separator: "\n")
}
