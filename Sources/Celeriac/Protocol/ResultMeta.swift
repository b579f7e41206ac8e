public import Foundation

/// A stored task result, as in `celery-task-meta-<id>` (Celery's `_get_result_meta`).
public struct ResultMeta: Sendable, Hashable {
    public var taskID: String
    public var status: TaskState
    /// The return value on SUCCESS; the exception dict on FAILURE/RETRY/REVOKED; extra info otherwise.
    public var result: JSONValue
    public var traceback: String?
    public var children: [JSONValue] = []
    public var dateDone: Date?
    public var groupID: String?
    public var parentID: String?
    // `result_extended` fields
    public var name: String?
    public var args: [JSONValue]?
    public var kwargs: [String: JSONValue]?
    public var worker: String?
    public var retries: Int?
    public var queue: String?

    public init(taskID: String, status: TaskState, result: JSONValue = .null, traceback: String? = nil,
                dateDone: Date? = nil) {
        self.taskID = taskID
        self.status = status
        self.result = result
        self.traceback = traceback
        self.dateDone = dateDone
    }

    /// The exception for failed, retried and revoked tasks.
    public var exception: ExceptionInfo? {
        switch status {
        case .failure, .retry, .revoked: ExceptionInfo(json: result)
        default: nil
        }
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "status": .string(status.rawValue),
            "result": result,
            "traceback": .string(traceback),
            "children": .array(children),
            "date_done": .string(dateDone.map(CeleryDate.format)),
            "task_id": .string(taskID),
        ]
        if let groupID { object["group_id"] = .string(groupID) }
        if let parentID { object["parent_id"] = .string(parentID) }
        if let name { object["name"] = .string(name) }
        if let args { object["args"] = .array(args) }
        if let kwargs { object["kwargs"] = .object(kwargs) }
        if let worker { object["worker"] = .string(worker) }
        if let retries { object["retries"] = .int(Int64(retries)) }
        if let queue { object["queue"] = .string(queue) }
        return .object(object)
    }

    /// ``json`` as compact JSON text, written directly (no dictionary in between; this runs for
    /// every stored result), keys in the order Celery writes them.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        var first = true
        func field(_ key: StaticString, _ value: JSONValue) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "\""))
            key.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
            value.write(to: &out)
        }
        field("status", .string(status.rawValue))
        field("result", result)
        field("traceback", .string(traceback))
        field("children", .array(children))
        field("date_done", .string(dateDone.map(CeleryDate.format)))
        field("task_id", .string(taskID))
        if let groupID { field("group_id", .string(groupID)) }
        if let parentID { field("parent_id", .string(parentID)) }
        if let name { field("name", .string(name)) }
        if let args { field("args", .array(args)) }
        if let kwargs { field("kwargs", .object(kwargs)) }
        if let worker { field("worker", .string(worker)) }
        if let retries { field("retries", .int(Int64(retries))) }
        if let queue { field("queue", .string(queue)) }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Reads a stored result; `taskID` is used when the stored JSON has none (older Celery).
    public init(json: JSONValue, taskID: String) throws(ProtocolError) {
        guard let object = json.objectValue else { throw ProtocolError("result of \(taskID) is not a JSON object") }
        guard let statusText = object["status"]?.stringValue, let status = TaskState(rawValue: statusText) else {
            throw ProtocolError("result of \(taskID) has no valid status")
        }
        self.init(taskID: object["task_id"]?.stringValue ?? taskID, status: status, result: object["result"] ?? .null,
                  traceback: object["traceback"]?.stringValue,
                  dateDone: object["date_done"]?.stringValue.flatMap(CeleryDate.parse))
        children = object["children"]?.arrayValue ?? []
        groupID = object["group_id"]?.stringValue
        parentID = object["parent_id"]?.stringValue
        name = object["name"]?.stringValue
        args = object["args"]?.arrayValue
        kwargs = object["kwargs"]?.objectValue
        worker = object["worker"]?.stringValue
        retries = object["retries"]?.intValue
        queue = object["queue"]?.stringValue
    }
}
