import Foundation

/// Where task results and states live, with the chord bookkeeping of ``ChordBackend``.
/// ``RedisResultBackend`` implements Celery's Redis format.
public protocol ResultBackend: ChordBackend {
    /// Stores `meta` and announces it to waiting clients. Returns false when a SUCCESS was
    /// already stored for the task (it is never overwritten).
    @discardableResult
    func store(_ meta: ResultMeta) async throws -> Bool

    /// The stored result, or nil when there is none (Celery reports that as PENDING).
    func result(for taskID: String) async throws -> ResultMeta?

    /// Waits until the task reaches a ready state (SUCCESS, FAILURE, REVOKED) and returns it.
    /// Waits on pub/sub, without polling. Throws ``ResultTimeoutError`` after `timeout`.
    func waitForReady(_ taskID: String, timeout: Duration) async throws -> ResultMeta

    /// Deletes the stored result.
    func forget(_ taskID: String) async throws

    /// Stores a chord header part's result (as ``store(_:)``) and records the part (as
    /// ``ChordBackend/chordPartReturned(groupID:member:groupIndex:claimToken:)``), in one step
    /// where the backend can.
    func storeChordPart(_ meta: ResultMeta, groupID: String, member: ChordMember, groupIndex: Int?,
                        claimToken: String) async throws -> ChordPartStatus

    /// Starts running chord body `taskID`: its stored SUCCESS when it already ran, otherwise
    /// the run lease for `owner` (as ``ChordBackend/acquireRunLease(taskID:owner:seconds:)``),
    /// in one step where the backend can.
    func startChordBody(taskID: String, owner: String, leaseSeconds: Int) async throws -> ChordBodyStart

    /// Stores `meta` (as ``store(_:)``) and releases the run lease `owner` holds on its task
    /// (as ``ChordBackend/releaseRunLease(taskID:owner:)``), in one step where the backend can.
    @discardableResult
    func store(_ meta: ResultMeta, releasingRunLeaseOf owner: String) async throws -> Bool

    /// Closes connections.
    func close() async
}

/// What ``ResultBackend/startChordBody(taskID:owner:leaseSeconds:)`` found.
public enum ChordBodyStart: Sendable {
    /// The body already succeeded (this is a copy): its stored result.
    case alreadySucceeded(ResultMeta)
    /// The caller holds the run lease and may run the body.
    case leased
    /// Another worker holds the run lease.
    case leasedByAnother
}

extension ResultBackend {
    /// The two steps one after the other.
    public func storeChordPart(_ meta: ResultMeta, groupID: String, member: ChordMember, groupIndex: Int?,
                               claimToken: String) async throws -> ChordPartStatus {
        try await store(meta)
        return try await chordPartReturned(groupID: groupID, member: member, groupIndex: groupIndex, claimToken: claimToken)
    }

    /// A read, then the lease.
    public func startChordBody(taskID: String, owner: String, leaseSeconds: Int) async throws -> ChordBodyStart {
        if let stored = try await result(for: taskID), stored.status == .success { return .alreadySucceeded(stored) }
        return try await acquireRunLease(taskID: taskID, owner: owner, seconds: leaseSeconds) ? .leased : .leasedByAnother
    }

    /// The two steps one after the other.
    @discardableResult
    public func store(_ meta: ResultMeta, releasingRunLeaseOf owner: String) async throws -> Bool {
        let stored = try await store(meta)
        try await releaseRunLease(taskID: meta.taskID, owner: owner)
        return stored
    }
}

/// Waiting for a result took longer than allowed.
public struct ResultTimeoutError: Error, CustomStringConvertible, Sendable {
    public var taskID: String
    public var timeout: Duration
    public var description: String { "timed out after \(timeout) waiting for the result of task \(taskID)" }
}
