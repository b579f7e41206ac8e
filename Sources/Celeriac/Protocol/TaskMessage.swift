public import Foundation

/// One task message in Celery's protocol v2: the `application_headers`, the AMQP properties that
/// matter, and the `[args, kwargs, embed]` JSON body.
///
/// Field names follow Celery (`celery/app/amqp.py` `as_task_v2`). Unknown headers are kept in
/// ``extraHeaders`` so a message can be re-published (retry) without losing anything.
public struct TaskMessage: Sendable, Hashable {
    // MARK: headers
    public var id: String
    public var task: String
    public var lang: String = "py"
    public var shadow: String?
    public var eta: Date?
    public var expires: Date?
    public var group: String?
    public var groupIndex: Int?
    public var retries: Int = 0
    /// Hard time limit in seconds (first element of the `timelimit` header).
    public var timeLimit: Double?
    /// Soft time limit in seconds (second element of the `timelimit` header).
    public var softTimeLimit: Double?
    public var rootID: String?
    public var parentID: String?
    public var argsrepr: String?
    public var kwargsrepr: String?
    public var origin: String?
    public var ignoreResult: Bool = false
    public var replacedTaskNesting: Int = 0
    public var stampedHeaders: [String]?
    public var stamps: [String: JSONValue] = [:]
    /// Headers this library does not interpret, preserved as received.
    public var extraHeaders: [String: JSONValue] = [:]

    // MARK: properties
    public var replyTo: String?
    public var priority: UInt8?

    // MARK: body
    public var args: [JSONValue] = []
    public var kwargs: [String: JSONValue] = [:]
    public var callbacks: [Signature]?
    public var errbacks: [Signature]?
    /// Remaining chain steps, **last element runs next** (Celery stores the chain reversed).
    public var chain: [Signature]?
    /// The chord body, carried by every header task of a chord.
    public var chord: Signature?

    /// How long until the ETA, or nil when there is none or it is at most 5 ms away: closer
    /// than that, parking the message in a broker delay queue costs more than it defers. The
    /// producer sends a message with a wait through the delay queues, and a worker parks one
    /// that arrives with a wait instead of holding it.
    public var timeUntilDue: Duration? {
        guard let eta else { return nil }
        let seconds = eta.timeIntervalSinceNow
        return seconds > 0.005 ? .seconds(seconds) : nil
    }

    /// A chord header task: it carries the chord's body and belongs to the chord's group, so its
    /// outcome is recorded for the chord.
    public var isChordHeaderPart: Bool { chord != nil && group != nil }

    /// A chord body (callback): it belongs to the chord's group without being one of its parts
    /// (no index) or carrying a chord itself.
    public var isChordBody: Bool { group != nil && groupIndex == nil && chord == nil }

    public init(id: String, task: String, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:]) {
        self.id = id
        self.task = task
        self.args = args
        self.kwargs = kwargs
    }

    public static let contentType = "application/json"
    public static let contentEncoding = "utf-8"

    // MARK: encoding

    /// The `application_headers` table, as JSON values.
    public var headers: [String: JSONValue] {
        var h: [String: JSONValue] = [:]
        h.reserveCapacity(extraHeaders.count + Self.knownHeaders.count)
        forEachHeader { h[$0] = $1 }
        return h
    }

    /// Calls `body` with every `application_headers` entry, the protocol's own headers first and
    /// then the extra ones (an extra header named like a protocol header is left out, as
    /// ``headers`` would overwrite it). Lets a transport build its own table without an
    /// intermediate dictionary.
    ///
    /// Optional headers at Celery's own default are left out rather than sent as null: `shadow`,
    /// `eta`, `expires`, `group`, `group_index`, `parent_id`, `stamped_headers` when absent,
    /// `stamps` when empty, `timelimit` without either limit, `retries` and
    /// `replaced_task_nesting` 0. A Celery 5.7 worker reads each of them with that same default
    /// (`worker/request.py`, `worker/strategy.py`, `app/task.py` Context), and RabbitMQ's work
    /// per message grows with the entries of its header table: a plain task's 8 entries instead
    /// of 19 take about a sixth off the broker's CPU per task (README, Benchmarks).
    /// `ignore_result` is always sent: without it a Python worker would fall back to the task's
    /// own setting.
    public func forEachHeader(_ body: (String, JSONValue) -> Void) {
        body("lang", .string(lang))
        body("task", .string(task))
        body("id", .string(id))
        if let shadow { body("shadow", .string(shadow)) }
        if let eta { body("eta", .string(CeleryDate.format(eta))) }
        if let expires { body("expires", .string(CeleryDate.format(expires))) }
        if let group { body("group", .string(group)) }
        if let groupIndex { body("group_index", .int(Int64(groupIndex))) }
        if retries != 0 { body("retries", .int(Int64(retries))) }
        if timeLimit != nil || softTimeLimit != nil {
            body("timelimit", .array([Self.number(timeLimit), Self.number(softTimeLimit)]))
        }
        body("root_id", .string(rootID ?? id))
        if let parentID { body("parent_id", .string(parentID)) }
        body("argsrepr", .string(argsrepr ?? JSONValue.array(args).description))
        body("kwargsrepr", .string(kwargsrepr ?? JSONValue.object(kwargs).description))
        if let origin { body("origin", .string(origin)) }
        body("ignore_result", .bool(ignoreResult))
        if replacedTaskNesting != 0 { body("replaced_task_nesting", .int(Int64(replacedTaskNesting))) }
        if let stampedHeaders { body("stamped_headers", .array(stampedHeaders.map(JSONValue.string))) }
        if !stamps.isEmpty { body("stamps", .object(stamps)) }
        for (key, value) in extraHeaders where Self.knownHeaderIndex[key] == nil { body(key, value) }
    }

    /// The body `[args, kwargs, {"callbacks", "errbacks", "chain", "chord"}]` as JSON bytes. Like
    /// the headers, the embed leaves out what is absent instead of sending null (a plain task's
    /// embed is `{}`): a Celery worker reads it with `embed.get(...)` and `**embed`.
    public var body: [UInt8] {
        var embed: [String: JSONValue] = [:]
        if let callbacks { embed["callbacks"] = .array(callbacks.map(\.json)) }
        if let errbacks { embed["errbacks"] = .array(errbacks.map(\.json)) }
        if let chain { embed["chain"] = .array(chain.map(\.json)) }
        if let chord { embed["chord"] = chord.json }
        return JSONValue.array([.array(args), .object(kwargs), .object(embed)]).serialized()
    }

    private static func number(_ value: Double?) -> JSONValue {
        guard let value else { return .null }
        if let int = Int64(exactly: value) { return .int(int) }
        return .double(value)
    }

    // MARK: decoding

    /// The protocol v2 headers this type reads into fields; every other header is an extra header.
    static let knownHeaders = ["task", "id", "lang", "shadow", "eta", "expires", "group", "group_index", "retries",
                               "timelimit", "root_id", "parent_id", "argsrepr", "kwargsrepr", "origin", "ignore_result",
                               "replaced_task_nesting", "stamped_headers", "stamps"]
    static let knownHeaderIndex = Dictionary(uniqueKeysWithValues: knownHeaders.enumerated().map { ($1, $0) })

    /// Reads a protocol v2 message. Throws ``ProtocolError`` for protocol v1 messages, a missing
    /// `id`/`task`, a body that is not JSON `[args, kwargs, embed]`, or an unsupported content type.
    public init(headers: [String: JSONValue], body: [UInt8], contentType: String?, contentEncoding: String?,
                replyTo: String? = nil, priority: UInt8? = nil) throws(ProtocolError) {
        if let contentType, contentType != Self.contentType {
            throw ProtocolError("unsupported content type '\(contentType)' (only application/json is accepted)")
        }
        if let contentEncoding, !["utf-8", "utf8", "binary"].contains(contentEncoding.lowercased()) {
            throw ProtocolError("unsupported content encoding '\(contentEncoding)'")
        }
        // One pass over the headers, each sorted by name into its field (the ones every message
        // has first): looking each known header up by name hashed all 19 names per message,
        // absent ones included. A name missing here would land in extraHeaders (the round-trip
        // test in TaskMessageTests sets all 19).
        var fields = HeaderFields()
        var extras: [String: JSONValue] = [:]
        for (key, value) in headers {
            switch key {
            case "task": fields.task = value
            case "id": fields.id = value
            case "lang": fields.lang = value
            case "retries": fields.retries = value
            case "root_id": fields.rootID = value
            case "argsrepr": fields.argsrepr = value
            case "kwargsrepr": fields.kwargsrepr = value
            case "origin": fields.origin = value
            case "ignore_result": fields.ignoreResult = value
            case "shadow": fields.shadow = value
            case "eta": fields.eta = value
            case "expires": fields.expires = value
            case "group": fields.group = value
            case "group_index": fields.groupIndex = value
            case "timelimit": fields.timelimit = value
            case "parent_id": fields.parentID = value
            case "replaced_task_nesting": fields.replacedTaskNesting = value
            case "stamped_headers": fields.stampedHeaders = value
            case "stamps": fields.stamps = value
            case "compression": throw ProtocolError("compressed messages are not supported")
            default: extras[key] = value
            }
        }
        guard let task = fields.task?.stringValue, !task.isEmpty else {
            throw ProtocolError("no 'task' header: not a Celery protocol v2 message (protocol v1 is not supported)")
        }
        guard let id = fields.id?.stringValue, !id.isEmpty else {
            throw ProtocolError("no 'id' header in message for task \(task)")
        }
        self.init(id: id, task: task)
        self.replyTo = replyTo.flatMap { $0.isEmpty ? nil : $0 }
        self.priority = priority

        func date(_ key: String, _ value: JSONValue?) throws(ProtocolError) -> Date? {
            guard let value, !value.isNull else { return nil }
            guard let text = value.stringValue, let date = CeleryDate.parse(text) else {
                throw ProtocolError("invalid '\(key)' header \(value) in task \(task)[\(id)]")
            }
            return date
        }
        lang = fields.lang?.stringValue ?? "py"
        shadow = fields.shadow?.stringValue
        eta = try date("eta", fields.eta)
        expires = try date("expires", fields.expires)
        group = fields.group?.stringValue
        groupIndex = fields.groupIndex?.intValue
        retries = fields.retries?.intValue ?? 0
        if let limits = fields.timelimit, !limits.isNull {
            let list = limits.arrayValue ?? []
            timeLimit = list.count > 0 ? list[0].doubleValue : nil
            softTimeLimit = list.count > 1 ? list[1].doubleValue : nil
        }
        rootID = fields.rootID?.stringValue
        parentID = fields.parentID?.stringValue
        argsrepr = fields.argsrepr?.stringValue
        kwargsrepr = fields.kwargsrepr?.stringValue
        origin = fields.origin?.stringValue
        ignoreResult = fields.ignoreResult?.boolValue ?? false
        replacedTaskNesting = fields.replacedTaskNesting?.intValue ?? 0
        stampedHeaders = fields.stampedHeaders?.arrayValue?.compactMap(\.stringValue)
        stamps = fields.stamps?.objectValue ?? [:]
        extraHeaders = extras

        let payload: JSONValue
        do { payload = try JSONValue(parsing: body) } catch {
            throw ProtocolError("body of task \(task)[\(id)] is not JSON: \(error)")
        }
        guard let parts = payload.arrayValue, parts.count == 3 else {
            throw ProtocolError("body of task \(task)[\(id)] must be [args, kwargs, embed]")
        }
        guard let args = parts[0].arrayValue else { throw ProtocolError("args of task \(task)[\(id)] must be a list") }
        guard let kwargs = parts[1].objectValue else { throw ProtocolError("kwargs of task \(task)[\(id)] must be an object") }
        self.args = args
        self.kwargs = kwargs
        if let embed = parts[2].objectValue {
            func list(_ key: String) throws(ProtocolError) -> [Signature]? {
                guard let value = embed[key], !value.isNull else { return nil }
                guard let items = value.arrayValue else { throw ProtocolError("embed.\(key) of task \(task)[\(id)] must be a list") }
                var signatures: [Signature] = []
                for item in items { signatures.append(try Signature(json: item)) }
                return signatures
            }
            callbacks = try list("callbacks")
            errbacks = try list("errbacks")
            chain = try list("chain")
            if let chordJSON = embed["chord"], !chordJSON.isNull { chord = try Signature(json: chordJSON) }
        } else if !parts[2].isNull {
            throw ProtocolError("embed of task \(task)[\(id)] must be an object or null")
        }
    }
}

/// The protocol's own headers of one message as received, before they are checked and
/// converted (``TaskMessage/init(headers:body:contentType:contentEncoding:replyTo:priority:)``).
private struct HeaderFields {
    var task, id, lang, retries, rootID, argsrepr, kwargsrepr, origin, ignoreResult: JSONValue?
    var shadow, eta, expires, group, groupIndex, timelimit, parentID, replacedTaskNesting: JSONValue?
    var stampedHeaders, stamps: JSONValue?
}
