import Redis

/// Chord bookkeeping on Redis with Celery 5.7's scripts and keys.
extension RedisResultBackend {
    /// Seconds a dispatch claim lives before another part may take over (Celery: 6 with the
    /// default 3 s join timeout).
    static let claimExpires = 6
    /// Seconds the `done` marker keeps late duplicates from recreating chord state.
    static let doneExpires = 300

    public var chordClaimLifetime: Duration { .seconds(Self.claimExpires) }

    public func setChordSize(groupID: String, size: Int) async throws {
        try await setChordSizes([(groupID, size)])
    }

    /// Every chord's `DEL .c` and `SET .s n EX` in one transaction: one round trip for a batch.
    public func setChordSizes(_ sizes: [(groupID: String, size: Int)]) async throws {
        guard !sizes.isEmpty else { return }
        var commands: [[RedisArgument]] = []
        commands.reserveCapacity(sizes.count * 2)
        for chord in sizes {
            commands.append(["DEL", RedisArgument(keys.chord(chord.groupID, .claim))])
            var set: [RedisArgument] = ["SET", RedisArgument(keys.chord(chord.groupID, .size)), RedisArgument(chord.size)]
            if expires > 0 { set += ["EX", RedisArgument(expires)] }
            commands.append(set)
        }
        _ = try await client.transaction(commands)
    }

    public func chordPartReturned(groupID: String, member: ChordMember, groupIndex: Int?, claimToken: String) async throws -> ChordPartStatus {
        try Self.partStatus(try await client.evalScript(
            partReturnScript, keys: partReturnKeys(groupID),
            arguments: partReturnArguments(member, groupIndex: groupIndex, claimToken: claimToken)))
    }

    /// One script: the result stored (never over a SUCCESS, like ``store(_:)``) and the part recorded.
    public func storeChordPart(_ meta: ResultMeta, groupID: String, member: ChordMember, groupIndex: Int?,
                               claimToken: String) async throws -> ChordPartStatus {
        try Self.partStatus(try await client.evalScript(
            storeAndPartReturnScript, keys: [RedisArgument(keys.task(meta.taskID))] + partReturnKeys(groupID),
            arguments: [RedisArgument(bytes: meta.serialized()), RedisArgument(expires)]
                + partReturnArguments(member, groupIndex: groupIndex, claimToken: claimToken)))
    }

    private func partReturnKeys(_ groupID: String) -> [RedisArgument] {
        [keys.chord(groupID, .join), keys.chord(groupID, .totalDiff), keys.chord(groupID, .size),
         keys.chord(groupID, .dedupe), keys.group(groupID), keys.chord(groupID, .claim)].map { RedisArgument($0) }
    }

    private func partReturnArguments(_ member: ChordMember, groupIndex: Int?, claimToken: String) -> [RedisArgument] {
        [RedisArgument(member.taskID), RedisArgument(bytes: member.json.serialized()), "1",
         RedisArgument(groupIndex.map(String.init) ?? "+inf"), RedisArgument(expires), RedisArgument(expires),
         RedisArgument(Self.claimExpires), RedisArgument(claimToken)]
    }

    private static func partStatus(_ reply: RedisValue) throws -> ChordPartStatus {
        guard let items = reply.array, items.count == 4 || items.count == 5 else {
            throw ProtocolError("unexpected chord script reply \(reply)")
        }
        func number(_ value: RedisValue) -> Int? { value.int ?? value.string.flatMap { Int($0) } }
        let ready = number(items[0]) ?? 0
        let size = number(items[2])
        let diff = number(items[1]) ?? 0
        let members = try items.count == 5 ? Self.members(items[4]) : nil
        return ChordPartStatus(readyCount: ready, total: size.map { $0 + diff }, claimed: number(items[3]) == 1,
                               members: members)
    }

    public func chordMembers(groupID: String) async throws -> [ChordMember] {
        try Self.members(try await client.send("ZRANGE", RedisArgument(keys.chord(groupID, .join)), "0", "-1"))
    }

    private static func members(_ reply: RedisValue) throws -> [ChordMember] {
        try (reply.array ?? []).map { item in
            guard let bytes = item.bytes else { throw ProtocolError("chord member is not a string") }
            return try ChordMember(json: try JSONValue(parsing: bytes))
        }
    }

    public func holdChordClaim(groupID: String, token: String, seconds: Int) async throws -> ChordClaim {
        let reply = try await client.evalScript(claimExtendScript,
                                                keys: [RedisArgument(keys.chord(groupID, .claim)), RedisArgument(keys.chord(groupID, .size))],
                                                arguments: [RedisArgument(token), RedisArgument(seconds)])
        switch reply.int {
        case 1: return .held
        case 0: return .heldByAnother
        case -1: return .finished
        default: throw ProtocolError("unexpected chord claim reply \(reply)")
        }
    }

    public func cleanUpChord(groupID: String, token: String) async throws -> Bool {
        let keyList = [keys.chord(groupID, .claim), keys.chord(groupID, .join), keys.chord(groupID, .totalDiff),
                       keys.chord(groupID, .size), keys.chord(groupID, .dedupe)].map { RedisArgument($0) }
        let reply = try await client.evalScript(cleanupScript, keys: keyList,
                                                arguments: [RedisArgument(token), RedisArgument(Self.doneExpires)])
        return reply.int == 1
    }

    public func dropChordSize(groupID: String) async throws {
        _ = try await client.send("DEL", RedisArgument(keys.chord(groupID, .size)))
    }

    public func saveGroup(_ group: GroupResult) async throws {
        let value = JSONValue.object(["result": group.tuple]).serialized()
        if expires > 0 {
            _ = try await client.send("SETEX", RedisArgument(keys.group(group.id)), RedisArgument(expires), RedisArgument(bytes: value))
        } else {
            _ = try await client.send("SET", RedisArgument(keys.group(group.id)), RedisArgument(bytes: value))
        }
    }

    public func acquireRunLease(taskID: String, owner: String, seconds: Int) async throws -> Bool {
        let reply = try await client.send("SET", RedisArgument(leaseKey(taskID)), RedisArgument(owner), "NX", "EX", RedisArgument(seconds))
        return !reply.isNull
    }

    public func releaseRunLease(taskID: String, owner: String) async throws {
        _ = try await client.evalScript(releaseLeaseScript, keys: [RedisArgument(leaseKey(taskID))], arguments: [RedisArgument(owner)])
    }

    public func renewRunLease(taskID: String, owner: String, seconds: Int) async throws -> Bool {
        let reply = try await client.evalScript(renewLeaseScript, keys: [RedisArgument(leaseKey(taskID))],
                                                arguments: [RedisArgument(owner), RedisArgument(seconds)])
        return reply.int == 1
    }

    public func startChordBody(taskID: String, owner: String, leaseSeconds: Int) async throws -> ChordBodyStart {
        let reply = try await client.evalScript(startChordBodyScript,
                                                keys: [RedisArgument(keys.task(taskID)), RedisArgument(leaseKey(taskID))],
                                                arguments: [RedisArgument(owner), RedisArgument(leaseSeconds)])
        guard let items = reply.array, let code = items.first?.int else {
            throw ProtocolError("unexpected chord body start reply \(reply)")
        }
        switch code {
        case 2:
            guard items.count == 2, let bytes = items[1].bytes else { throw ProtocolError("chord body start: no stored result in \(reply)") }
            return .alreadySucceeded(try ResultMeta(json: try JSONValue(parsing: bytes), taskID: taskID))
        case 1: return .leased
        default: return .leasedByAnother
        }
    }

    @discardableResult
    public func store(_ meta: ResultMeta, releasingRunLeaseOf owner: String) async throws -> Bool {
        let reply = try await client.evalScript(storeReleasingLeaseScript,
                                                keys: [RedisArgument(keys.task(meta.taskID)), RedisArgument(leaseKey(meta.taskID))],
                                                arguments: [RedisArgument(bytes: meta.serialized()), RedisArgument(expires),
                                                            RedisArgument(owner)])
        return reply.int == 1
    }

    func leaseKey(_ taskID: String) -> String { "celeriac-run-lease-\(taskID)" }
}
