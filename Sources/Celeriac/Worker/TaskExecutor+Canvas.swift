import Foundation
import Logging

/// Continuing workflows after a task finished: chain steps, `link`/`link_error` callbacks and
/// chord joins (Celery 5.7's Redis scheme, so Python and Swift workers can share chords).
extension Worker {
    var canvas: CanvasPublisher { CanvasPublisher(broker: broker, backend: backend, origin: configuration.hostname) }

    /// After a SUCCESS: callbacks, the next chain step, and the chord part. A chord header part's
    /// result, `storing`, is stored together with the part's record.
    func continueWorkflow(after message: TaskMessage, delivery: BrokerDelivery, value: JSONValue,
                          storing meta: ResultMeta? = nil, logger: Logger) async {
        let lineage = CanvasPublisher.Lineage(parentID: message.id, rootID: message.rootID ?? message.id)
        for callback in message.callbacks ?? [] {
            await settle(delivery, "publish callback \(callback.task)") {
                try await self.canvas.apply(callback, prefix: [value], lineage: lineage)
            }
        }
        if var chain = message.chain, let next = chain.popLast() {
            let remaining = chain
            await settle(delivery, "publish chain step \(next.task)") {
                try await self.canvas.apply(next, prefix: [value], chain: remaining, lineage: lineage)
            }
        }
        if message.isChordHeaderPart {
            await chordPartReturned(message, delivery: delivery, state: .success, result: value, storing: meta, logger: logger)
        }
    }

    /// After a FAILURE (or REVOKED) was stored: errbacks get the failed task's id, and the chord learns
    /// that this part failed.
    func continueWorkflow(afterFailureOf message: TaskMessage, delivery: BrokerDelivery, state: TaskState,
                          info: ExceptionInfo, logger: Logger) async {
        let lineage = CanvasPublisher.Lineage(parentID: message.id, rootID: message.rootID ?? message.id)
        for errback in message.errbacks ?? [] {
            await settle(delivery, "publish errback \(errback.task)") {
                try await self.canvas.apply(errback, prefix: [.string(message.id)], lineage: lineage)
            }
        }
        if message.isChordHeaderPart {
            await chordPartReturned(message, delivery: delivery, state: state, result: info.json, logger: logger)
        }
    }

    /// Records this header part; the part that completes the chord and wins the claim joins the
    /// results and publishes the body exactly once (or fails it with a ChordError).
    func chordPartReturned(_ message: TaskMessage, delivery: BrokerDelivery, state: TaskState, result: JSONValue,
                           storing meta: ResultMeta? = nil, logger: Logger) async {
        guard let groupID = message.group, let body = message.chord else { return }
        // 32 hex digits; a byte filter (Foundation's replacingOccurrences bridges through NSString
        // and was 3 % of a worker's CPU running chords).
        let token = String(decoding: TaskMessage.newID().utf8.filter { $0 != UInt8(ascii: "-") }, as: UTF8.self)
        let member = ChordMember(taskID: message.id, state: state, result: result)
        var asked = ContinuousClock.now
        let status = await settle(delivery, "record chord part") {
            if let meta {
                return try await self.backend.storeChordPart(meta, groupID: groupID, member: member,
                                                             groupIndex: message.groupIndex, claimToken: token)
            }
            return try await self.backend.chordPartReturned(groupID: groupID, member: member,
                                                            groupIndex: message.groupIndex, claimToken: token)
        }
        guard let status, status.isComplete else { return }
        var logger = logger
        logger[metadataKey: "group_id"] = .string(groupID)
        var recorded = status.members
        if !status.claimed {
            // Complete, but another copy of a part holds the dispatch claim. That copy may have
            // died between claiming and publishing the body (SIGKILL, OOM), and then its message
            // comes back as this very copy: acknowledging now would leave the chord unfinished
            // for good. So this part is acknowledged only once the claim ends in `done`, or after
            // taking the lapsed claim over and publishing the body itself.
            guard await awaitChordDispatch(groupID: groupID, token: token, delivery: delivery, logger: logger) else { return }
            asked = ContinuousClock.now
            recorded = nil
        }
        do {
            let members: [ChordMember]
            if let read = recorded { members = read } else { members = try await backend.chordMembers(groupID: groupID) }
            if let failed = members.first(where: { $0.state.propagates }) {
                let cause = ExceptionInfo(json: failed.result)
                let error = ExceptionInfo.chordError("Dependency \(failed.taskID) raised \(cause.pythonRepr)")
                logger.error("chord failed", metadata: ["error": .string(error.description)])
                await failChordBody(body, groupID: groupID, error: error, cause: cause, delivery: delivery, lineage: message)
                try? await backend.dropChordSize(groupID: groupID)
                _ = try? await backend.cleanUpChord(groupID: groupID, token: token)
                return
            }
            // The claim was taken after `asked` and lasts chordClaimLifetime: well inside that it
            // is certainly still ours. Only a slow join pays a round trip to extend it.
            if ContinuousClock.now - asked > backend.chordClaimLifetime / 2 {
                guard try await backend.holdChordClaim(groupID: groupID, token: token, seconds: 60) == .held else {
                    logger.warning("chord callback not published: the dispatch claim was lost")
                    return
                }
            }
            let results = JSONValue.array(members.map(\.result))
            let lineage = CanvasPublisher.Lineage(parentID: message.id, rootID: message.rootID ?? message.id)
            await settle(delivery, "publish chord body \(body.task)") {
                try await self.canvas.apply(body, prefix: [results], lineage: lineage)
            }
            if try await !backend.cleanUpChord(groupID: groupID, token: token) {
                logger.warning("chord claim lapsed before cleanup; chord data left to expire")
            }
            logger.info("chord complete, body published", metadata: ["body_id": .string(body.taskID ?? "")])
        } catch {
            // The claim expires and a redelivered part (or another worker) re-tries the join.
            logger.error("chord join failed", metadata: ["error": .string("\(error)")])
        }
    }

    /// Waits while another token holds the dispatch claim of a complete chord: true once this
    /// token has taken the claim over (the holder let it lapse: it died), false once the chord
    /// is done. A live holder needs milliseconds; a dead one's claim lapses within
    /// ``ChordBackend/chordClaimLifetime`` (or the minute a slow join extends it to).
    private func awaitChordDispatch(groupID: String, token: String, delivery: BrokerDelivery, logger: Logger) async -> Bool {
        var pause = Duration.milliseconds(20)
        var announced = false
        let seconds = Int(backend.chordClaimLifetime.components.seconds)
        while true {
            try? await Task.sleep(for: pause)
            guard let claim = await settle(delivery, "check chord claim", {
                try await self.backend.holdChordClaim(groupID: groupID, token: token, seconds: seconds)
            }) else { return false }
            switch claim {
            case .held:
                logger.warning("chord dispatch claim lapsed (its holder died?); publishing the body here")
                return true
            case .finished:
                return false
            case .heldByAnother:
                if !announced {
                    logger.info("chord complete and claimed by another part; waiting for its body to be published")
                    announced = true
                }
                pause = min(pause * 2, .milliseconds(500))
            }
        }
    }

    /// Marks the chord body FAILURE with the ChordError and runs its errbacks, as Celery's
    /// `chord_error_from_stack` does.
    private func failChordBody(_ body: Signature, groupID: String, error: ExceptionInfo, cause: ExceptionInfo,
                               delivery: BrokerDelivery, lineage message: TaskMessage) async {
        guard let bodyID = body.taskID else { return }
        var failure = ResultMeta(taskID: bodyID, status: .failure, result: error.json,
                              traceback: "\(cause.description)\n\nThe above exception was the direct cause of the following exception:\n\n\(error.description)",
                              dateDone: Date())
        failure.groupID = groupID
        failure.name = body.task
        let meta = failure
        await settle(delivery, "store chord failure") { try await self.backend.store(meta) }
        let lineage = CanvasPublisher.Lineage(parentID: message.id, rootID: message.rootID ?? message.id)
        for errback in (try? body.signatures("link_error")) ?? [] {
            await settle(delivery, "publish chord errback \(errback.task)") {
                try await self.canvas.apply(errback, prefix: [.string(bodyID)], lineage: lineage)
            }
        }
    }
}
