/// What recording one chord header part found (Celery 5.7's `CHORD_PART_RETURN_LUA` reply).
public struct ChordPartStatus: Sendable, Equatable {
    /// Parts recorded so far; -1 when the chord was already completed and cleaned up.
    public var readyCount: Int
    /// Parts expected (`.s` + `.t`), nil when the size is unknown (not written yet, or dropped
    /// after a failure).
    public var total: Int?
    /// This caller won the right to publish the callback.
    public var claimed: Bool
    /// Every recorded part in header order, when the backend read them while claiming (saves
    /// the claimant a ``ChordBackend/chordMembers(groupID:)`` call); nil otherwise.
    public var members: [ChordMember]?

    public var isComplete: Bool { total.map { readyCount == $0 } ?? false }

    public init(readyCount: Int, total: Int?, claimed: Bool, members: [ChordMember]? = nil) {
        self.readyCount = readyCount
        self.total = total
        self.claimed = claimed
        self.members = members
    }
}

/// A chord's callback-dispatch claim, as one claim token finds it.
public enum ChordClaim: Sendable, Equatable {
    /// The token holds it: kept, or taken over after the previous holder's claim lapsed.
    case held
    /// Another token holds it and has not let it lapse.
    case heldByAnother
    /// The chord is done (its callback was published) or its data has gone.
    case finished
}

/// One recorded header part: `[1, tid, state, result]` in the `.j` sorted set.
public struct ChordMember: Sendable, Equatable {
    public var taskID: String
    public var state: TaskState
    public var result: JSONValue

    public init(taskID: String, state: TaskState, result: JSONValue) {
        self.taskID = taskID
        self.state = state
        self.result = result
    }

    /// The JSON member Celery stores.
    public var json: JSONValue { .array([1, .string(taskID), .string(state.rawValue), result]) }

    public init(json: JSONValue) throws(ProtocolError) {
        guard let items = json.arrayValue, items.count == 4, let id = items[1].stringValue,
              let stateText = items[2].stringValue, let state = TaskState(rawValue: stateText) else {
            throw ProtocolError("malformed chord member \(json)")
        }
        self.init(taskID: id, state: state, result: items[3])
    }
}

/// Chord and group bookkeeping a result backend provides for the canvas.
public protocol ChordBackend: Sendable {
    /// Records the number of header parts (`DEL .c`, `SET .s n EX`); written before any header
    /// part is published, so the last part to finish always sees it.
    func setChordSize(groupID: String, size: Int) async throws

    /// Records the sizes of several chords at once (a client applying many workflows in one
    /// batch stores them all before any part is published).
    func setChordSizes(_ sizes: [(groupID: String, size: Int)]) async throws

    /// Records a finished header part once (duplicates are ignored) and tries to claim the
    /// callback dispatch when the chord is complete.
    func chordPartReturned(groupID: String, member: ChordMember, groupIndex: Int?, claimToken: String) async throws -> ChordPartStatus

    /// How long a claim won in ``chordPartReturned(groupID:member:groupIndex:claimToken:)``
    /// lasts before another copy of a part may take it over.
    var chordClaimLifetime: Duration { get }

    /// Every recorded part, in header order.
    func chordMembers(groupID: String) async throws -> [ChordMember]

    /// Keeps the dispatch claim for `seconds` more while `token` holds it, or takes it over
    /// when it lapsed (its holder died) while the chord is still pending.
    func holdChordClaim(groupID: String, token: String, seconds: Int) async throws -> ChordClaim

    /// Deletes the chord data and marks it done, if `token` still holds the claim.
    func cleanUpChord(groupID: String, token: String) async throws -> Bool

    /// Forgets the chord size so later copies of a header part cannot fail the chord again.
    func dropChordSize(groupID: String) async throws

    /// Saves a group result as `celery-taskset-meta-<gid>`.
    func saveGroup(_ group: GroupResult) async throws

    /// Takes a lease on running task `taskID` (for chord callbacks, which may be published
    /// twice after a crash); false when another worker holds it.
    func acquireRunLease(taskID: String, owner: String, seconds: Int) async throws -> Bool

    /// Extends a lease `owner` still holds to `seconds` from now; false when it lapsed or another
    /// owner has it.
    func renewRunLease(taskID: String, owner: String, seconds: Int) async throws -> Bool

    /// Releases a lease taken with ``acquireRunLease(taskID:owner:seconds:)``.
    func releaseRunLease(taskID: String, owner: String) async throws
}

extension ChordBackend {
    /// One ``setChordSize(groupID:size:)`` after the other.
    public func setChordSizes(_ sizes: [(groupID: String, size: Int)]) async throws {
        for chord in sizes { try await setChordSize(groupID: chord.groupID, size: chord.size) }
    }
}
