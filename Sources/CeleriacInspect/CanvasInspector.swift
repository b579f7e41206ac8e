public import Celeriac
import Redis

/// Groups and chords as stored in Redis: the saved `celery-taskset-meta-<gid>` and the Celery 5.7
/// chord keys (`.j` join set, `.s` size, `.c` claim).
public struct CanvasInspector: Sendable {
    public let backend: RedisResultBackend

    public init(backend: RedisResultBackend) { self.backend = backend }

    /// Every part of group `groupID` with its current state, from the saved group result, else
    /// the chord's join set, else the stored results naming the group (a scan of every result;
    /// unordered). With `findCallback` the chord callback is looked up too, which always takes
    /// that scan: nothing but the callback's own result links it to the group.
    /// Nil when Redis knows nothing of it.
    public func group(_ groupID: String, findCallback: Bool = false) async throws -> CanvasReport? {
        let redis = backend.redis, keys = backend.keys
        var ids: [String] = []
        if let bytes = try await redis.send(["GET", RedisArgument(keys.group(groupID))]).bytes,
           let saved = try? JSONValue(parsing: bytes),
           case .array(let parts)? = saved["result"]?.arrayValue?.last {
            ids = parts.compactMap { $0.arrayValue?.first?.arrayValue?.first?.stringValue }
        }
        let chord = try await chordState(groupID)
        if ids.isEmpty { ids = chord.members.map(\.taskID) }
        var callbackSummary: ResultSummary?
        if ids.isEmpty || findCallback {
            // Results naming the group: the parts, and a chord callback (whose parent is a part).
            let named = try await ResultInspector(backend: backend).members(ofGroup: groupID)
            let partIDs = ids.isEmpty ? Set(named.map(\.taskID)) : Set(ids)
            callbackSummary = named.first { summary in
                (ids.isEmpty || !partIDs.contains(summary.taskID)) && (summary.parentID.map(partIDs.contains) ?? false)
            }
            if ids.isEmpty { ids = named.filter { $0.taskID != callbackSummary?.taskID }.map(\.taskID).sorted() }
        }
        guard !ids.isEmpty || chord.size != nil else { return nil }
        var parts: [CanvasPart] = []
        for id in ids {
            let meta = try await backend.result(for: id)
            parts.append(CanvasPart(taskID: id, state: meta?.status.rawValue ?? "PENDING", name: meta?.name, result: meta?.result))
        }
        var callback: CanvasPart?
        if let summary = callbackSummary, let meta = try await backend.result(for: summary.taskID) {
            callback = CanvasPart(taskID: summary.taskID, state: meta.status.rawValue, name: meta.name, result: meta.result)
        }
        return CanvasReport(groupID: groupID, parts: parts, done: parts.filter { ["SUCCESS", "FAILURE", "REVOKED"].contains($0.state) }.count,
                            expected: chord.size ?? parts.count, claimed: chord.claimed, joined: chord.members.count, callback: callback)
    }

    struct ChordKeys {
        var size: Int?
        var claimed: Bool
        var members: [ChordMember]
    }

    func chordState(_ groupID: String) async throws -> ChordKeys {
        let redis = backend.redis, keys = backend.keys
        let size = try await redis.send(["GET", RedisArgument(keys.chord(groupID, .size))]).int
        let claimed = try await redis.send(["EXISTS", RedisArgument(keys.chord(groupID, .claim))]).int == 1
        return ChordKeys(size: size, claimed: claimed, members: try await backend.chordMembers(groupID: groupID))
    }
}

/// A group's or chord's parts and progress.
public struct CanvasReport: Sendable {
    public var groupID: String
    public var parts: [CanvasPart]
    /// Parts in a final state.
    public var done: Int
    /// Parts expected (the chord size when recorded, else the group's length).
    public var expected: Int
    /// A worker holds the chord's callback-dispatch claim.
    public var claimed: Bool
    /// Parts recorded in the chord's join set (0 after the chord completed and was cleaned up).
    public var joined: Int
    /// The chord callback, once it has a stored result.
    public var callback: CanvasPart?
}

public struct CanvasPart: Sendable {
    public var taskID: String
    public var state: String
    public var name: String?
    public var result: JSONValue?
}
