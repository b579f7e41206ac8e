import ClientSupport
import Foundation
import Logging

/// Running one delivery: decode, honour revocation / expiry / ETA, run under the task's limits,
/// store the outcome, retry or fail, and only then acknowledge (acks late).
extension Worker {
    func process(_ delivery: BrokerDelivery) async {
        let message: TaskMessage
        do {
            message = try delivery.taskMessage()
        } catch {
            // Undecodable: keep it for inspection in <queue>.dead; the worker carries on.
            logger.error("undecodable message dead-lettered", metadata: ["queue": .string(delivery.queue), "error": .string("\(error)")])
            metrics.deadLettered(queue: delivery.queue)
            await settle(delivery, "dead-letter") { try await self.broker.deadLetter(delivery, reason: "\(error)") }
            return
        }
        // Two metadata changes per task, made once (the task's context gets this logger):
        // loan-worker logs through DeferredMetadataLogHandler, for which a change is a dictionary store.
        let logger = TaskContext.taskLogger(self.logger, for: message)
        metrics.received(message.task)

        if revoked.contains(message.id) {
            await finishRevoked(message, delivery, reason: "revoked", expired: false, logger: logger)
            return
        }
        if let expires = message.expires, expires < Date() {
            await finishRevoked(message, delivery, reason: "expired", expired: true, logger: logger)
            return
        }
        if message.timeUntilDue != nil, let eta = message.eta {
            // Never hold an ETA task unacknowledged (Celery #6760): park it in a delay queue.
            logger.debug("task not due yet: delayed in the broker", metadata: ["eta": .string(CeleryDate.format(eta))])
            await settle(delivery, "delay") { try await self.broker.delay(delivery, until: eta) }
            return
        }
        guard let entry = registry[message.task] else {
            logger.error("unregistered task dead-lettered", metadata: ["queue": .string(delivery.queue)])
            let meta = makeMeta(message, delivery, status: .failure, result: ExceptionInfo.notRegistered(message.task).json,
                                traceback: "NotRegistered: \(message.task) is not registered on \(configuration.hostname)")
            await persist(meta, delivery: delivery, logger: logger)
            metrics.deadLettered(queue: delivery.queue)
            metrics.finished(message.task, state: .failure, seconds: 0)
            await events.send("task-rejected", ["uuid": .string(message.id), "requeue": false])
            if message.chord != nil {
                // Fail the chord instead of leaving it waiting forever for this part.
                await chordPartReturned(message, delivery: delivery, state: .failure,
                                        result: ExceptionInfo.notRegistered(message.task).json, logger: logger)
            }
            await settle(delivery, "dead-letter") {
                try await self.broker.deadLetter(delivery, reason: "NotRegistered: \(message.task)")
            }
            return
        }
        if message.isChordBody {
            await runChordBody(message, entry: entry, delivery: delivery, logger: logger)
            return
        }
        if delivery.redelivered, let stored = try? await backend.result(for: message.id), stored.status == .success {
            await acknowledgeCopy(message, of: stored, delivery: delivery, logger: logger)
            return
        }
        await execute(message, entry: entry, delivery: delivery, logger: logger)
    }

    /// A copy of a task that already succeeded (an ack lost in a crash, or a chord body
    /// re-published after its claim lapsed): not run twice, but a chord that may not have heard
    /// of this part learns about it.
    func acknowledgeCopy(_ message: TaskMessage, of stored: ResultMeta, delivery: BrokerDelivery, logger: Logger) async {
        logger.info("task already succeeded; acknowledging the copy without running it")
        if message.chord != nil {
            await chordPartReturned(message, delivery: delivery, state: .success, result: stored.result, logger: logger)
        }
        await settle(delivery, "ack") { try await self.broker.ack(delivery) }
    }

    /// Runs the task and settles its message. With `runLeaseOwner`, a stored SUCCESS releases
    /// that owner's run lease in the same backend call; returns whether it did.
    @discardableResult
    func execute(_ message: TaskMessage, entry: TaskRegistry.Entry, delivery: BrokerDelivery, logger: Logger,
                 runLeaseOwner: String? = nil) async -> Bool {
        var leaseReleased = false
        await events.received(message)
        if let rate = entry.options.rateLimit { await rateLimiter.acquire(message.task, rate: rate) }
        counters.withLock { $0.active += 1 }
        metrics.active(activity.active)
        let started = ContinuousClock.now
        await events.send("task-started", ["uuid": .string(message.id)])
        if configuration.trackStarted {
            await persist(makeMeta(message, delivery, status: .started,
                                   result: ["pid": .int(Int64(getpid())), "hostname": .string(configuration.hostname)]),
                          delivery: delivery, logger: logger)
        }
        let context = TaskContext(message: message, hostname: configuration.hostname, taskLogger: logger)
        let soft = message.softTimeLimit ?? entry.options.softTimeLimit, hard = message.timeLimit ?? entry.options.timeLimit
        let outcome = if soft == nil && hard == nil {
            await TimeLimitRunner.unlimited { try await entry.invoke(message, context) }
        } else {
            await TimeLimitRunner.run(soft: soft, hard: hard) { try await entry.invoke(message, context) }
        }
        let runtime = (ContinuousClock.now - started).seconds
        let ignoreResult = message.ignoreResult || entry.options.ignoreResult

        switch outcome {
        case .success(let value):
            metrics.finished(message.task, state: .success, seconds: runtime)
            let meta = ignoreResult ? nil : makeMeta(message, delivery, status: .success, result: value)
            // A chord header part's result is stored by the same backend call that records the part.
            if let meta, !message.isChordHeaderPart {
                leaseReleased = await persist(meta, delivery: delivery, logger: logger, releasingRunLeaseOf: runLeaseOwner)
                    && runLeaseOwner != nil
            }
            await continueWorkflow(after: message, delivery: delivery, value: value,
                                   storing: message.isChordHeaderPart ? meta : nil, logger: logger)
            logger.info("task succeeded", metadata: ["runtime": .string(String(format: "%.4f", runtime))])
            await events.send("task-succeeded", ["uuid": .string(message.id), "result": .string(value.description),
                                                 "runtime": .double(runtime)])
        case .failure(let error):
            if let delay = retryDelay(for: error, message: message, policy: entry.options.retry) {
                metrics.finished(message.task, state: .retry, seconds: runtime)
                await retry(message, delivery: delivery, error: error, delay: delay, logger: logger)
            } else {
                metrics.finished(message.task, state: .failure, seconds: runtime)
                let info = failureInfo(error, message: message, policy: entry.options.retry)
                await fail(message, delivery: delivery, info: info, ignoreResult: ignoreResult, logger: logger)
            }
        case .timeLimitExceeded(let seconds):
            logger.error("hard time limit exceeded", metadata: ["limit": .stringConvertible(seconds)])
            metrics.finished(message.task, state: .failure, seconds: runtime)
            await fail(message, delivery: delivery, info: .timeLimitExceeded(seconds), ignoreResult: ignoreResult, logger: logger)
        }
        counters.withLock {
            $0.active -= 1
            $0.processed += 1
        }
        metrics.active(activity.active)
        await settle(delivery, "ack") { try await self.broker.ack(delivery) }
        return leaseReleased
    }

    /// Seconds to wait before retrying, or nil when the failure is final.
    func retryDelay(for error: any Error, message: TaskMessage, policy: RetryPolicy) -> Double? {
        guard message.retries < policy.maxRetries else { return nil }
        if let request = error as? RetryRequest {
            return request.countdown ?? policy.delay(afterRetries: message.retries)
        }
        guard policy.retryOnAnyError, !(error is TaskArgumentError) else { return nil }
        return policy.delay(afterRetries: message.retries)
    }

    func failureInfo(_ error: any Error, message: TaskMessage, policy: RetryPolicy) -> ExceptionInfo {
        if let request = error as? RetryRequest {
            return ExceptionInfo(type: "MaxRetriesExceededError",
                                 message: "Can't retry \(message.task)[\(message.id)] args:\(JSONValue.array(message.args)) kwargs:\(JSONValue.object(message.kwargs)): \(request.reason)",
                                 module: "celery.exceptions")
        }
        return ExceptionInfo(error: error)
    }

    private func retry(_ message: TaskMessage, delivery: BrokerDelivery, error: any Error, delay: Double, logger: Logger) async {
        var next = message
        next.retries += 1
        next.eta = Date().addingTimeInterval(delay)
        next.parentID = message.id
        let info = ExceptionInfo(error: error)
        logger.warning("task failed, retrying", metadata: ["retry": .stringConvertible(next.retries),
                                                           "countdown": .string(String(format: "%.2f", delay)),
                                                           "error": .string(info.description)])
        let retryMessage = next
        let published: Void? = await settle(delivery, "retry publish") {
            try await self.broker.publish(retryMessage, to: delivery.queue, delay: .seconds(delay))
        }
        guard published != nil else { return }
        await persist(makeMeta(message, delivery, status: .retry, result: info.json, traceback: traceback(info, message)),
                      delivery: delivery, logger: logger)
        await events.send("task-retried", ["uuid": .string(message.id), "exception": .string(info.pythonRepr),
                                           "traceback": .string(traceback(info, message))])
    }

    private func fail(_ message: TaskMessage, delivery: BrokerDelivery, info: ExceptionInfo, ignoreResult: Bool, logger: Logger) async {
        logger.error("task failed", metadata: ["error": .string(info.description)])
        let trace = traceback(info, message)
        if !ignoreResult {
            await persist(makeMeta(message, delivery, status: .failure, result: info.json, traceback: trace),
                          delivery: delivery, logger: logger)
        }
        await events.send("task-failed", ["uuid": .string(message.id), "exception": .string(info.pythonRepr),
                                          "traceback": .string(trace)])
        await continueWorkflow(afterFailureOf: message, delivery: delivery, state: .failure, info: info, logger: logger)
    }

    private func finishRevoked(_ message: TaskMessage, _ delivery: BrokerDelivery, reason: String, expired: Bool, logger: Logger) async {
        logger.info("task \(reason): not run")
        let info = ExceptionInfo.taskRevoked(reason)
        await persist(makeMeta(message, delivery, status: .revoked, result: info.json), delivery: delivery, logger: logger)
        await events.send("task-revoked", ["uuid": .string(message.id), "terminated": false, "signum": .null,
                                           "expired": .bool(expired)])
        await continueWorkflow(afterFailureOf: message, delivery: delivery, state: .revoked, info: info, logger: logger)
        metrics.finished(message.task, state: .revoked, seconds: 0)
        await settle(delivery, "ack") { try await self.broker.ack(delivery) }
    }

    /// Celery clients print the traceback text; Swift has none, so it names the failure and where it ran.
    func traceback(_ info: ExceptionInfo, _ message: TaskMessage) -> String {
        "Traceback (most recent call last):\n  Celeriac task \(message.task)[\(message.id)] on \(configuration.hostname), attempt \(message.retries + 1)\n\(info.description)"
    }

    func makeMeta(_ message: TaskMessage, _ delivery: BrokerDelivery, status: TaskState, result: JSONValue,
                  traceback: String? = nil) -> ResultMeta {
        var meta = ResultMeta(taskID: message.id, status: status, result: result, traceback: traceback,
                              dateDone: status.isReady || status == .retry ? Date() : nil)
        meta.groupID = message.group
        meta.parentID = message.parentID
        if configuration.resultExtended {
            meta.name = message.task
            meta.args = message.args
            meta.kwargs = message.kwargs
            meta.worker = configuration.hostname
            meta.retries = message.retries
            meta.queue = delivery.queue
        }
        return meta
    }

    /// Stores a result, retrying through a result-backend outage (the Redis client reconnects),
    /// and releases `owner`'s run lease on the task in the same call when one is given.
    @discardableResult
    func persist(_ meta: ResultMeta, delivery: BrokerDelivery, logger: Logger, releasingRunLeaseOf owner: String? = nil) async -> Bool {
        await settle(delivery, "store \(meta.status.rawValue)") {
            if let owner { return try await self.backend.store(meta, releasingRunLeaseOf: owner) }
            return try await self.backend.store(meta)
        } != nil
    }

    /// Runs a broker or backend operation until it succeeds, backing off across outages, and
    /// returns its value. After `settleBudget` it gives up (nil) and hands the message back to
    /// the broker, which redelivers it; later steps for the same delivery then do nothing (nil).
    @discardableResult
    func settle<T: Sendable>(_ delivery: BrokerDelivery, _ what: String, _ operation: @Sendable () async throws -> T) async -> T? {
        let ledger = delivery.ledger
        if ledger.isHandedBack { return nil }
        let backoff = Backoff(initial: .milliseconds(50), maximum: .seconds(5))
        let deadline = ContinuousClock.now + settleBudget
        var attempt = 0
        while true {
            do {
                let value = try await operation()
                if attempt > 0 { logger.info("\(what) succeeded after \(attempt) retries") }
                return value
            } catch {
                if ContinuousClock.now >= deadline {
                    logger.error("\(what) failed for good; the message goes back to the broker to run again",
                                 metadata: ["error": .string("\(error)")])
                    if ledger.markHandedBack() {
                        // When the broker is what failed, this fails too: the connection is
                        // gone and the broker redelivers the message anyway.
                        try? await broker.requeue(delivery)
                    }
                    return nil
                }
                logger.warning("\(what) failed, retrying", metadata: ["error": .string("\(error)"), "attempt": .stringConvertible(attempt + 1)])
                try? await Task.sleep(for: backoff.delay(forAttempt: attempt))
                attempt += 1
            }
        }
    }
}
