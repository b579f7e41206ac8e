import Foundation

/// Publishes signatures — plain tasks, chains, groups and chords — in Celery's encoding.
/// Shared by the client (starting a workflow) and the worker (continuing one: chain steps,
/// callbacks, chord bodies).
struct CanvasPublisher: Sendable {
    let broker: any Broker
    let backend: any ResultBackend
    let origin: String

    /// Where a workflow step comes from (`parent_id`, `root_id`).
    struct Lineage: Sendable {
        var parentID: String?
        var rootID: String?
        static let root = Lineage(parentID: nil, rootID: nil)
    }

    /// What applying a signature produced: the id to wait for, or a group's results.
    enum Applied: Sendable {
        case task(String)
        case group(GroupResult)

        var id: String {
            switch self {
            case .task(let id): id
            case .group(let group): group.id
            }
        }
    }

    static func newID() -> String { TaskMessage.newID() }

    // MARK: freezing: every task gets its id before anything is published

    /// Assigns task ids (and group ids) throughout, so results can be returned before publishing.
    func frozen(_ signature: Signature) throws(ProtocolError) -> Signature {
        var sig = signature
        switch sig.subtaskType {
        case "chain":
            let steps = try upgradedChain(try sig.childTasks.map { step throws(ProtocolError) in try frozen(step) })
            sig.kwargs["tasks"] = .array(steps.map(\.json))
            sig.taskID = steps.last.flatMap { Self.finalID($0) } ?? sig.taskID ?? Self.newID()
        case "group":
            let tasks = try sig.childTasks.map { task throws(ProtocolError) in try frozen(task) }
            sig.kwargs["tasks"] = .array(tasks.map(\.json))
            if sig.options["group_id"]?.stringValue == nil { sig.options["group_id"] = .string(Self.newID()) }
            sig.taskID = sig.options["group_id"]?.stringValue
        case "chord":
            guard let (header, body) = try sig.chordParts else { throw ProtocolError("malformed chord signature") }
            let groupID = sig.options["group_id"]?.stringValue ?? Self.newID()
            let frozenHeader = try header.map { task throws(ProtocolError) in try frozen(task) }
            var frozenBody = try frozen(body)
            frozenBody.options["group_id"] = .string(groupID)
            sig.kwargs["header"] = Signature.group(frozenHeader).json
            sig.kwargs["body"] = frozenBody.json
            sig.options["group_id"] = .string(groupID)
            sig.taskID = Self.finalID(frozenBody)
        default:
            if sig.taskID == nil { sig.taskID = Self.newID() }
        }
        return sig
    }

    /// The id whose result is the composite's outcome: a chain's last step, a chord's body.
    static func finalID(_ signature: Signature) -> String? { signature.taskID }

    /// Celery turns `group | task` inside a chain into `chord(group, task)`.
    func upgradedChain(_ steps: [Signature]) throws(ProtocolError) -> [Signature] {
        var result: [Signature] = []
        var index = 0
        while index < steps.count {
            let step = steps[index]
            if step.subtaskType == "group", index + 1 < steps.count {
                var chord = Signature.chord(try step.childTasks, body: steps[index + 1])
                chord.options["group_id"] = step.options["group_id"]
                result.append(try frozen(chord))
                index += 2
            } else {
                result.append(step)
                index += 1
            }
        }
        return result
    }

    // MARK: applying

    /// Publishes `signature` with `prefix` prepended to its arguments (the parent's result).
    /// `chain` holds the steps that follow, **reversed** (Celery's `embed.chain`).
    ///
    /// All the messages it takes (a group's or a chord header's parts) go to the broker as one
    /// batch, once every chord among them has its size stored.
    @discardableResult
    func apply(_ signature: Signature, prefix: [JSONValue] = [], chain: [Signature] = [], lineage: Lineage = .root,
               group: (id: String, index: Int)? = nil, chord: Signature? = nil) async throws -> Applied {
        var batch = Batch()
        let applied = try collect(signature, prefix: prefix, chain: chain, lineage: lineage, group: group,
                                  chord: chord, into: &batch)
        try await send(batch)
        return applied
    }

    /// Publishes several workflows with all their messages in one batch.
    func apply(all signatures: [Signature]) async throws -> [Applied] {
        var batch = Batch()
        var applied: [Applied] = []
        applied.reserveCapacity(signatures.count)
        for signature in signatures { applied.append(try collect(signature, lineage: .root, into: &batch)) }
        try await send(batch)
        return applied
    }

    /// What applying workflows takes: the messages to publish and the sizes of the chords among
    /// them, which are stored first.
    private struct Batch {
        var outgoing: [Publication] = []
        var chordSizes: [(groupID: String, size: Int)] = []
    }

    /// Stores every chord's size (one round trip), then publishes the messages (one batch): no
    /// part is published before its chord's size is there, as in Celery.
    private func send(_ batch: Batch) async throws {
        if !batch.chordSizes.isEmpty { try await backend.setChordSizes(batch.chordSizes) }
        try await broker.publish(batch.outgoing)
    }

    /// Appends the messages that applying `signature` publishes, and the size of every chord on
    /// the way, to `batch`.
    private func collect(_ signature: Signature, prefix: [JSONValue] = [], chain: [Signature] = [], lineage: Lineage,
                         group: (id: String, index: Int)? = nil, chord: Signature? = nil,
                         into batch: inout Batch) throws -> Applied {
        let sig = try frozen(signature)
        switch sig.subtaskType {
        case "chain":
            let steps = try sig.childTasks
            guard let first = steps.first else { return .task(sig.taskID ?? Self.newID()) }
            let following = Array(steps.dropFirst()).reversed() + chain
            _ = try collect(first, prefix: prefix, chain: following, lineage: lineage, group: group, chord: chord,
                            into: &batch)
            return .task(sig.taskID!)
        case "group":
            guard chain.isEmpty else {
                // A group followed by more steps waits for all its parts: that is a chord.
                let next = chain.last!
                return try collect(Signature.chord(try sig.childTasks, body: next), prefix: prefix,
                                   chain: Array(chain.dropLast()), lineage: lineage, into: &batch)
            }
            let groupID = sig.options["group_id"]!.stringValue!
            var results: [AsyncResult<JSONValue>] = []
            for (index, task) in try sig.childTasks.enumerated() {
                let applied = try collect(task, prefix: prefix, lineage: lineage, group: (groupID, index),
                                          into: &batch)
                results.append(AsyncResult(id: applied.id, backend: backend))
            }
            return .group(GroupResult(id: groupID, results: results))
        case "chord":
            guard let parts = try sig.chordParts else { throw ProtocolError("malformed chord signature") }
            let header = parts.header
            var body = parts.body
            let groupID = sig.options["group_id"]!.stringValue!
            if !chain.isEmpty {
                // Steps after the chord continue from the body's result.
                let bodyID = body.taskID
                body = try frozen(Signature.chain([body] + chain.reversed()))
                body.taskID = body.taskID ?? bodyID
                body.options["group_id"] = .string(groupID)
            }
            if header.isEmpty {
                return try collect(body, prefix: [.array([])], lineage: lineage, into: &batch)
            }
            batch.chordSizes.append((groupID, header.count))
            for (index, task) in header.enumerated() {
                _ = try collect(task, prefix: prefix, lineage: lineage, group: (groupID, index), chord: body,
                                into: &batch)
            }
            return .task(sig.taskID!)
        default:
            let message = try message(for: sig, prefix: prefix, chain: chain, lineage: lineage, group: group, chord: chord)
            batch.outgoing.append(Publication(message, to: sig.options["queue"]?.stringValue ?? "celery"))
            return .task(message.id)
        }
    }

    /// The protocol v2 message for a plain task signature.
    func message(for sig: Signature, prefix: [JSONValue], chain: [Signature], lineage: Lineage,
                 group: (id: String, index: Int)?, chord: Signature?) throws(ProtocolError) -> TaskMessage {
        var message = TaskMessage(id: sig.taskID ?? Self.newID(), task: sig.task,
                                  args: sig.immutable ? sig.args : prefix + sig.args, kwargs: sig.kwargs)
        message.origin = origin
        message.parentID = lineage.parentID
        message.rootID = lineage.rootID
        message.group = group?.id ?? sig.options["group_id"]?.stringValue
        message.groupIndex = group?.index ?? sig.options["group_index"]?.intValue
        message.chain = chain.isEmpty ? nil : chain
        message.chord = chord
        let callbacks = try sig.signatures("link")
        let errbacks = try sig.signatures("link_error")
        message.callbacks = callbacks.isEmpty ? nil : callbacks
        message.errbacks = errbacks.isEmpty ? nil : errbacks
        if let countdown = sig.options["countdown"]?.doubleValue { message.eta = Date().addingTimeInterval(countdown) }
        if let eta = sig.options["eta"]?.stringValue { message.eta = CeleryDate.parse(eta) }
        if let expires = sig.options["expires"] {
            message.expires = expires.doubleValue.map { Date().addingTimeInterval($0) } ?? expires.stringValue.flatMap(CeleryDate.parse)
        }
        message.timeLimit = sig.options["time_limit"]?.doubleValue
        message.softTimeLimit = sig.options["soft_time_limit"]?.doubleValue
        message.priority = sig.options["priority"]?.intValue.map { UInt8(clamping: $0) }
        message.ignoreResult = sig.options["ignore_result"]?.boolValue ?? false
        return message
    }
}
