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

    /// Closes connections.
    func close() async
}

extension ResultBackend {
    /// The two steps one after the other.
    public func storeChordPart(_ meta: ResultMeta, groupID: String, member: ChordMember, groupIndex: Int?,
                               claimToken: String) async throws -> ChordPartStatus {
        try await store(meta)
        return try await chordPartReturned(groupID: groupID, member: member, groupIndex: groupIndex, claimToken: claimToken)
    }
}

/// Waiting for a result took longer than allowed.
public struct ResultTimeoutError: Error, CustomStringConvertible, Sendable {
    public var taskID: String
    public var timeout: Duration
    public var description: String { "timed out after \(timeout) waiting for the result of task \(taskID)" }
}
