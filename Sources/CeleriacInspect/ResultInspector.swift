public import Celeriac
public import Foundation
import Redis

/// Reads Celery's Redis result keys directly — the same on results written by Celeriac or by
/// Python Celery. Listing uses SCAN (never KEYS) and fetches values with pipelined MGETs.
public struct ResultInspector: Sendable {
    public let backend: RedisResultBackend

    public init(backend: RedisResultBackend) { self.backend = backend }

    /// The stored result of `taskID`, or nil when there is none (never ran, expired, forgotten).
    public func result(_ taskID: String) async throws -> ResultMeta? {
        try await backend.result(for: taskID)
    }

    /// Deletes the result; false when there was none.
    public func forget(_ taskID: String) async throws -> Bool {
        try await backend.redis.send(["DEL", RedisArgument(backend.keys.task(taskID))]).int == 1
    }

    /// Recent results, newest first (by `date_done`; results without one come last).
    public func list(_ filter: ResultFilter) async throws -> [ResultSummary] {
        var matches: [ResultSummary] = []
        try await forEachResult { summary in
            if filter.matches(summary) { matches.append(summary) }
        }
        matches.sort { ($0.dateDone ?? .distantPast, $0.taskID) > ($1.dateDone ?? .distantPast, $1.taskID) }
        return filter.limit.map { Array(matches.prefix($0)) } ?? matches
    }

    /// Counts of every stored result by state and by task name.
    public func stats() async throws -> ResultStats {
        var stats = ResultStats()
        try await forEachResult { stats.add($0) }
        return stats
    }

    /// The stored results that name group `groupID` (needs Celery's `result_extended`, which
    /// Celeriac always writes): its parts and, for a chord, its callback.
    public func members(ofGroup groupID: String) async throws -> [ResultSummary] {
        var members: [ResultSummary] = []
        try await forEachResult { if $0.groupID == groupID { members.append($0) } }
        return members
    }

    /// Calls `body` for every stored result: SCAN in pages of 1,000 keys, one MGET per page,
    /// several pages in flight so the round trips overlap.
    func forEachResult(_ body: (ResultSummary) -> Void) async throws {
        let keys = backend.keys
        var page: [String] = []
        var pending: [Task<[ResultSummary], any Error>] = []
        func flush() {
            let batch = page
            page = []
            let redis = backend.redis
            pending.append(Task {
                let reply = try await redis.send(["MGET"] + batch.map { RedisArgument($0) })
                return zip(batch, reply.array ?? []).compactMap { key, value in
                    guard let id = keys.taskID(fromKey: key), let bytes = value.bytes else { return nil }
                    return ResultSummary(taskID: id, json: bytes)
                }
            })
        }
        for try await key in backend.redis.scan(match: keys.taskPattern, count: 1000) {
            page.append(key)
            if page.count == 1000 { flush() }
            if pending.count >= 8 { for summary in try await pending.removeFirst().value { body(summary) } }
        }
        if !page.isEmpty { flush() }
        for task in pending { for summary in try await task.value { body(summary) } }
    }
}

/// The fields `list` and `stats` need from a stored result (the rest is not decoded).
public struct ResultSummary: Sendable, Hashable {
    public var taskID: String
    public var status: String
    public var name: String?
    public var dateDone: Date?
    public var worker: String?
    public var groupID: String?
    public var parentID: String?

    init?(taskID: String, json bytes: [UInt8]) {
        guard let json = try? JSONValue(parsing: bytes), let status = json["status"]?.stringValue else { return nil }
        self.taskID = taskID
        self.status = status
        name = json["name"]?.stringValue
        dateDone = json["date_done"]?.stringValue.flatMap(CeleryDate.parse)
        worker = json["worker"]?.stringValue
        groupID = json["group_id"]?.stringValue
        parentID = json["parent_id"]?.stringValue
    }
}

/// Which results `list` shows.
public struct ResultFilter: Sendable {
    public var state: String?
    public var name: String?
    /// Only results finished at or after this date.
    public var since: Date?
    public var limit: Int?

    public init(state: String? = nil, name: String? = nil, since: Date? = nil, limit: Int? = nil) {
        self.state = state?.uppercased()
        self.name = name
        self.since = since
        self.limit = limit
    }

    func matches(_ summary: ResultSummary) -> Bool {
        if let state, summary.status != state { return false }
        if let name, summary.name != name { return false }
        if let since, (summary.dateDone ?? .distantPast) < since { return false }
        return true
    }
}

/// Result counts by state and task name.
public struct ResultStats: Sendable, Equatable {
    public var total = 0
    public var byState: [String: Int] = [:]
    /// Results stored without a name (Celery without `result_extended`) count under "(unknown)".
    public var byName: [String: Int] = [:]

    public init() {}

    mutating func add(_ summary: ResultSummary) {
        total += 1
        byState[summary.status, default: 0] += 1
        byName[summary.name ?? "(unknown)", default: 0] += 1
    }
}
