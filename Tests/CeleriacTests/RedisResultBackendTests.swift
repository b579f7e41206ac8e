import Celeriac
import Foundation
import Redis
import Testing
import TestSupport

/// Celery's Redis result format and the 5.7 chord scheme, against the real server.
@Suite struct RedisResultBackendTests {
    func backend() async throws -> RedisResultBackend {
        let backend = try RedisResultBackend(url: TestEnvironment.redisURL, poolSize: 2)
        try await backend.connect()
        return backend
    }

    @Test func storesCeleryJSONWithExpiryAndNeverOverwritesSuccess() async throws {
        let backend = try await backend()
        let id = UUID().uuidString.lowercased()
        var meta = ResultMeta(taskID: id, status: .success, result: ["score": 720], dateDone: Date())
        meta.groupID = "g1"
        #expect(try await backend.store(meta))
        let raw = try await backend.redis.send("GET", RedisArgument("celery-task-meta-\(id)"))
        let json = try JSONValue(parsing: try #require(raw.bytes))
        #expect(json["status"] == "SUCCESS")
        #expect(json["result"] == ["score": 720])
        #expect(json["task_id"]?.stringValue == id)
        #expect(json["group_id"] == "g1")
        #expect(json["traceback"] == .null)  // present and null, as Celery writes it
        let ttl = try await backend.redis.send("TTL", RedisArgument("celery-task-meta-\(id)")).int ?? 0
        #expect(ttl > 86_000 && ttl <= 86_400)

        let failure = ResultMeta(taskID: id, status: .failure, result: ExceptionInfo(type: "ValueError", message: "late").json)
        #expect(try await !backend.store(failure))
        #expect(try await backend.result(for: id)?.status == .success)
        await backend.close()
    }

    @Test func waitForReadyUsesPubSubAndSkipsIntermediateStates() async throws {
        let backend = try await backend()
        let id = UUID().uuidString.lowercased()
        let waiter = Task { try await backend.waitForReady(id, timeout: .seconds(10)) }
        try await Task.sleep(for: .milliseconds(200))
        try await backend.store(ResultMeta(taskID: id, status: .started))
        try await backend.store(ResultMeta(taskID: id, status: .success, result: 5, dateDone: Date()))
        let meta = try await waiter.value
        #expect(meta.status == .success)
        #expect(meta.result == 5)
        await #expect(throws: ResultTimeoutError.self) { _ = try await backend.waitForReady(UUID().uuidString, timeout: .milliseconds(200)) }
        await backend.close()
    }

    /// A batch of chords stores every size (with the results' expiry) and clears any stale
    /// claim in one transaction.
    @Test func chordSizesOfABatchAreStoredTogether() async throws {
        let backend = try await backend()
        let groups = (0..<3).map { _ in UUID().uuidString.lowercased() }
        let claim = RedisArgument(backend.keys.chord(groups[1], .claim))
        _ = try await backend.redis.send("SET", claim, "stale")
        try await backend.setChordSizes(groups.enumerated().map { ($1, $0 + 2) })
        for (index, group) in groups.enumerated() {
            let key = RedisArgument(backend.keys.chord(group, .size))
            #expect(try await backend.redis.send("GET", key).string == "\(index + 2)")
            #expect((try await backend.redis.send("TTL", key).int ?? 0) > 0)
        }
        #expect(try await backend.redis.send("EXISTS", claim).int == 0)
        try await backend.setChordSizes([])
        await backend.close()
    }

    @Test func chordPartsCountOnceAndExactlyOnePartClaims() async throws {
        let backend = try await backend()
        let group = UUID().uuidString.lowercased()
        try await backend.setChordSize(groupID: group, size: 3)
        let parts = (0..<3).map { ChordMember(taskID: "t\($0)", state: .success, result: .int(Int64($0 * 10))) }
        // Part 1 twice (a redelivery with a different result): counted once.
        var status = try await backend.chordPartReturned(groupID: group, member: parts[1], groupIndex: 1, claimToken: "a")
        #expect(status == ChordPartStatus(readyCount: 1, total: 3, claimed: false))
        status = try await backend.chordPartReturned(groupID: group, member: ChordMember(taskID: "t1", state: .success, result: 999),
                                                     groupIndex: 1, claimToken: "b")
        #expect(status.readyCount == 1)
        status = try await backend.chordPartReturned(groupID: group, member: parts[2], groupIndex: 2, claimToken: "c")
        #expect(!status.isComplete)
        // Concurrent final parts (the same last part delivered to two workers): one claim.
        async let first = backend.chordPartReturned(groupID: group, member: parts[0], groupIndex: 0, claimToken: "d")
        async let second = backend.chordPartReturned(groupID: group, member: parts[0], groupIndex: 0, claimToken: "e")
        let results = try await [first, second]
        #expect(results.allSatisfy { $0.isComplete })
        #expect(results.filter(\.claimed).count == 1)
        let winner = results[0].claimed ? "d" : "e"
        // Results come back in header order, to the claimant with its claim and on request.
        #expect(results.first(where: \.claimed)?.members?.map(\.result) == [0, 10, 20])
        #expect(results.first(where: { !$0.claimed })?.members == nil)
        #expect(try await backend.chordMembers(groupID: group).map(\.result) == [0, 10, 20])
        #expect(try await backend.holdChordClaim(groupID: group, token: winner, seconds: 30) == .held)
        #expect(try await backend.holdChordClaim(groupID: group, token: "someone-else", seconds: 30) == .heldByAnother)
        #expect(try await backend.cleanUpChord(groupID: group, token: winner))
        // A late duplicate after completion changes nothing.
        let late = try await backend.chordPartReturned(groupID: group, member: parts[2], groupIndex: 2, claimToken: "f")
        #expect(late.readyCount == -1 && !late.claimed)
        #expect(try await backend.redis.send("GET", RedisArgument("celery-taskset-meta-\(group).c")).string == "done")
        await backend.close()
    }

    @Test func storeChordPartStoresTheResultAndRecordsThePartInOneCall() async throws {
        let backend = try await backend()
        let group = UUID().uuidString.lowercased()
        try await backend.setChordSize(groupID: group, size: 2)
        let ids = [UUID().uuidString.lowercased(), UUID().uuidString.lowercased()]
        func meta(_ index: Int, _ status: TaskState, _ result: JSONValue) -> ResultMeta {
            var meta = ResultMeta(taskID: ids[index], status: status, result: result, dateDone: Date())
            meta.groupID = group
            return meta
        }
        // The waiter hears the stored result announced, as with store(_:).
        let waiter = Task { try await backend.waitForReady(ids[0], timeout: .seconds(10)) }
        try await Task.sleep(for: .milliseconds(200))
        let first = try await backend.storeChordPart(meta(0, .success, 3), groupID: group,
                                                     member: ChordMember(taskID: ids[0], state: .success, result: 3),
                                                     groupIndex: 0, claimToken: "a")
        #expect(first == ChordPartStatus(readyCount: 1, total: 2, claimed: false))
        #expect(try await waiter.value.result == 3)
        let last = try await backend.storeChordPart(meta(1, .success, 4), groupID: group,
                                                    member: ChordMember(taskID: ids[1], state: .success, result: 4),
                                                    groupIndex: 1, claimToken: "b")
        #expect(last.claimed && last.isComplete)
        #expect(last.members?.map(\.result) == [3, 4])
        #expect(try await backend.result(for: ids[1])?.result == 4)
        // A late copy that failed neither overwrites the SUCCESS nor counts the part twice.
        let copy = try await backend.storeChordPart(meta(1, .failure, "late"), groupID: group,
                                                    member: ChordMember(taskID: ids[1], state: .failure, result: "late"),
                                                    groupIndex: 1, claimToken: "c")
        #expect(copy.readyCount == 2 && !copy.claimed)
        #expect(try await backend.result(for: ids[1])?.status == .success)
        await backend.close()
    }

    @Test func runLeaseIsExclusiveUntilReleased() async throws {
        let backend = try await backend()
        let id = UUID().uuidString
        #expect(try await backend.acquireRunLease(taskID: id, owner: "w1", seconds: 30))
        #expect(try await !backend.acquireRunLease(taskID: id, owner: "w2", seconds: 30))
        try await backend.releaseRunLease(taskID: id, owner: "w2")  // not the owner: no effect
        #expect(try await !backend.acquireRunLease(taskID: id, owner: "w2", seconds: 30))
        try await backend.releaseRunLease(taskID: id, owner: "w1")
        #expect(try await backend.acquireRunLease(taskID: id, owner: "w2", seconds: 30))
        await backend.close()
    }

    /// The chord body's start and end in one call each: the stored SUCCESS or the lease; the
    /// result stored and the lease released together (only the owner's lease).
    @Test func chordBodyStartsWithOneCallAndItsSuccessReleasesTheLease() async throws {
        let backend = try await backend()
        let id = UUID().uuidString
        guard case .leased = try await backend.startChordBody(taskID: id, owner: "w1", leaseSeconds: 30) else {
            Issue.record("the first start did not take the lease"); return
        }
        guard case .leasedByAnother = try await backend.startChordBody(taskID: id, owner: "w2", leaseSeconds: 30) else {
            Issue.record("a second start took a held lease"); return
        }
        // Another owner's store leaves w1's lease alone.
        #expect(try await backend.store(ResultMeta(taskID: id, status: .retry, result: "again"), releasingRunLeaseOf: "w2"))
        #expect(try await !backend.acquireRunLease(taskID: id, owner: "w2", seconds: 30))
        #expect(try await backend.store(ResultMeta(taskID: id, status: .success, result: 42, dateDone: Date()),
                                        releasingRunLeaseOf: "w1"))
        #expect(try await backend.redis.send("EXISTS", RedisArgument("celeriac-run-lease-\(id)")).int == 0)
        guard case .alreadySucceeded(let stored) = try await backend.startChordBody(taskID: id, owner: "w2", leaseSeconds: 30) else {
            Issue.record("a start after the success did not report it"); return
        }
        #expect(stored.result == 42)
        // Never over a SUCCESS, as store(_:).
        #expect(try await !backend.store(ResultMeta(taskID: id, status: .failure, result: "late"), releasingRunLeaseOf: "w2"))
        await backend.close()
    }
}
