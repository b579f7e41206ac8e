import Celeriac
import DemoTasks
import Foundation
import Redis
import Synchronization

/// The measurements; each prints one JSON line (the bench script collects them).
struct EndToEndBench {
    let client: CeleriacClient
    let backend: RedisResultBackend
    let redisURL: String
    let queue: String

    /// Counts SUCCESS announcements for a known set of ids, and when each arrived.
    final class Arrivals: Sendable {
        private struct State {
            var seen: [String: ContinuousClock.Instant] = [:]
            var done: CheckedContinuation<Void, Never>?
            var abandoned = false
        }
        private let state = Mutex(State())
        let expected: Set<String>

        init(expected: Set<String>) { self.expected = expected }

        func record(_ id: String) {
            let finished = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard expected.contains(id), state.seen[id] == nil else { return nil }
                state.seen[id] = .now
                guard state.seen.count == expected.count else { return nil }
                defer { state.done = nil }
                return state.done
            }
            finished?.resume()
        }

        /// Returns when every expected id has arrived; throws when none arrived for
        /// ``StallWatch/limit``.
        func wait() async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await self.arrived() }
                group.addTask {
                    var watch = StallWatch()
                    while true {
                        try await Task.sleep(for: .milliseconds(250))
                        let seen = self.state.withLock { $0.seen.count }
                        do {
                            try watch.check(seen, "\(self.expected.count - seen) of \(self.expected.count) results not announced")
                        } catch {
                            self.abandon()
                            throw error
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }

        private func arrived() async {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.seen.count == expected.count || state.abandoned { return true }
                    state.done = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }

        /// Ends a wait that will not complete.
        private func abandon() {
            let waiting = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.abandoned = true
                defer { state.done = nil }
                return state.done
            }
            waiting?.resume()
        }

        var times: [String: ContinuousClock.Instant] { state.withLock { $0.seen } }
    }

    /// Listens to the result announcements of exactly these ids (SUBSCRIBE to their channels,
    /// not a pattern: Redis then delivers nothing else to the bench, e.g. not the chord parts').
    func listen(for ids: [String]) async throws -> (Arrivals, RedisSubscriber) {
        let arrivals = Arrivals(expected: Set(ids))
        let subscriber = RedisSubscriber(configuration: try RedisConfiguration(url: redisURL))
        let keys = backend.keys
        let subscription = try await subscriber.subscribe(ids.map(keys.task))
        Task {
            for await message in subscription {
                // A byte search instead of parsing every announcement: the listener shares the
                // machine with the workers it measures. Celeriac writes `"status":"SUCCESS"`,
                // Python's json module `"status": "SUCCESS"`.
                if let id = keys.taskID(fromKey: message.channel), Self.saysSuccess(message.payload) {
                    arrivals.record(id)
                }
            }
        }
        return (arrivals, subscriber)
    }

    static let successMarks = [Array(#""status":"SUCCESS""#.utf8), Array(#""status": "SUCCESS""#.utf8)]

    /// Whether a result's JSON (stored, or announced on its channel) has status SUCCESS.
    static func saysSuccess(_ payload: [UInt8]) -> Bool {
        successMarks.contains { mark in
            guard payload.count >= mark.count else { return false }
            return payload.withUnsafeBufferPointer { bytes in
                var index = 0
                while index + mark.count <= bytes.count {
                    if bytes[index] == mark[0], bytes[index..<index + mark.count].elementsEqual(mark) { return true }
                    index += 1
                }
                return false
            }
        }
    }

    func report(_ fields: [String: JSONValue]) {
        print(JSONValue.object(fields).description)
    }

    /// demo.add × N; the end is when every result is stored (then, off the clock, each is
    /// checked to be a SUCCESS).
    func tasks(_ count: Int) async throws {
        let ids = (0..<count).map { _ in TaskMessage.newID() }
        let cpu = ProcessCPU.seconds()
        let start = ContinuousClock.now
        async let stored: Void = waitUntilStored(ids)
        try await Self.taskSending.run(count: ids.count) { range in
            try await client.publish(try range.map {
                try client.publication(DemoTasks.add, .init(x: $0, y: 1), options: SendOptions(taskID: ids[$0], queue: queue))
            })
        }
        let sent = ContinuousClock.now
        try await stored
        let seconds = (ContinuousClock.now - start).seconds
        let producerCPU = ProcessCPU.seconds() - cpu
        try await verifySucceeded(ids)
        report(["benchmark": "tasks", "count": .int(Int64(count)), "seconds": .double(seconds),
                "tasks_per_second": .double(Double(count) / seconds), "send_seconds": .double((sent - start).seconds),
                "producer_cpu_seconds": .double(producerCPU)])
    }

    /// Returns once every id's result key exists. It walks the ids in the order they were sent,
    /// which is about the order they finish in: one pipelined EXISTS per id, and while the walk
    /// waits at a result not stored yet, one EXISTS per millisecond. Being told of every result
    /// instead, by a subscription to each one's channel as the chords item is, cost this process
    /// 2 µs more per task of the CPU the measured workers share (12,570 against 12,757 tasks/s,
    /// six alternations, 2026-12-05).
    func waitUntilStored(_ ids: [String]) async throws {
        let keys = backend.keys
        let redis = backend.redis
        var next = 0
        var batch = Self.walkBatch
        var watch = StallWatch()
        while next < ids.count {
            let end = min(ids.count, next + batch)
            let replies = try await redis.pipeline(ids[next..<end].map { ["EXISTS", RedisArgument(keys.task($0))] })
            let stored = replies.prefix { if case .success(.integer(1)) = $0 { true } else { false } }.count
            next += stored
            if stored == 0 {
                // Waiting at one result: check it alone until it is there.
                batch = 1
                try watch.check(next, "\(ids.count - next) of \(ids.count) results not stored")
                try await Task.sleep(for: .milliseconds(1))
            } else {
                batch = Self.walkBatch
            }
        }
    }

    static let walkBatch = 256

    /// After the clock has stopped: every result is a SUCCESS (the walk only saw keys exist).
    func verifySucceeded(_ ids: [String]) async throws {
        let keys = backend.keys
        var failed = 0
        for start in stride(from: 0, to: ids.count, by: 1000) {
            let chunk = ids[start..<min(ids.count, start + 1000)]
            let reply = try await backend.redis.send(["MGET"] + chunk.map { RedisArgument(keys.task($0)) })
            guard case .array(let values) = reply else { throw BenchError("MGET answered \(reply)") }
            failed += values.filter { value in
                guard case .bulk(let bytes) = value else { return true }
                return !Self.saysSuccess(bytes)
            }.count
        }
        if failed > 0 { throw BenchError("\(failed) of \(ids.count) results are not SUCCESS") }
    }

    /// demo.add × N with results ignored (`ignore_result` header): nothing is stored, so the
    /// end is when the queue is drained and the last task acknowledged. RabbitMQ alone knows
    /// that moment (unacknowledged messages are not in a passive declare's count): the bench
    /// script watches the queue on the node itself and reports it. This prints when sending
    /// started (wall clock, for that subtraction), how long sending took, and when the queue
    /// had no ready messages left (a lower bound, from here). With BENCH_SENT_MARKER set, that
    /// file is created once every message is confirmed (the script's watcher waits for it).
    func tasksIgnored(_ count: Int) async throws {
        let startEpoch = Date().timeIntervalSince1970
        let cpu = ProcessCPU.seconds()
        let start = ContinuousClock.now
        let ids = (0..<count).map { _ in TaskMessage.newID() }
        try await Self.taskSending.run(count: ids.count) { range in
            try await client.publish(try range.map {
                try client.publication(DemoTasks.add, .init(x: $0, y: 1),
                                       options: SendOptions(taskID: ids[$0], queue: queue, ignoreResult: true))
            })
        }
        let sent = ContinuousClock.now
        if let marker = ProcessInfo.processInfo.environment["BENCH_SENT_MARKER"] {
            _ = FileManager.default.createFile(atPath: marker, contents: Data("sent".utf8))
        }
        var watch = StallWatch()
        while let state = try await client.broker.queueState(queue), state.messages > 0 {
            try watch.check(-state.messages, "\(state.messages) messages still in \(queue)")
            try await Task.sleep(for: .milliseconds(5))
        }
        let ready = ContinuousClock.now
        report(["benchmark": "tasks_ignored", "count": .int(Int64(count)), "start_epoch": .double(startEpoch),
                "send_seconds": .double((sent - start).seconds), "ready_drained_seconds": .double((ready - start).seconds),
                "producer_cpu_seconds": .double(ProcessCPU.seconds() - cpu)])
    }

    /// Waits until `queue` has at least `count` consumers (workers started and consuming).
    func waitForConsumers(_ count: Int, timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let state = try await client.broker.queueState(queue), state.consumers >= count { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("\(queue) has fewer than \(count) consumers after \(timeout)")
    }

    func chords(_ count: Int) async throws {
        let bodies = (0..<count).map { _ in TaskMessage.newID() }
        let (arrivals, subscriber) = try await listen(for: bodies)
        let sentAt = Mutex<[String: ContinuousClock.Instant]>([:])
        let cpu = ProcessCPU.seconds()
        let start = ContinuousClock.now
        try await Self.chordSending.run(count: bodies.count) { range in
            let chords = range.map { index in
                var body = Signature(task: "demo.sum", options: ["queue": .string(queue)])
                body.taskID = bodies[index]
                let header = [Signature(task: "demo.add", args: [.int(Int64(index)), 1], options: ["queue": .string(queue)]),
                              Signature(task: "demo.add", args: [.int(Int64(index)), 2], options: ["queue": .string(queue)])]
                return Signature.chord(header, body: body)
            }
            let now = ContinuousClock.now
            sentAt.withLock { sent in for index in range { sent[bodies[index]] = now } }
            _ = try await client.apply(chords)
        }
        try await arrivals.wait()
        let seconds = (ContinuousClock.now - start).seconds
        let sent = sentAt.withLock { $0 }
        let latencies = arrivals.times.compactMap { id, done in sent[id].map { (done - $0).seconds * 1000 } }.sorted()
        report(["benchmark": "chords", "count": .int(Int64(count)), "seconds": .double(seconds),
                "chords_per_second": .double(Double(count) / seconds),
                "latency_p50_ms": .double(percentile(latencies, 0.5)), "latency_p99_ms": .double(percentile(latencies, 0.99)),
                "producer_cpu_seconds": .double(ProcessCPU.seconds() - cpu)])
        await subscriber.close()
    }

    /// Item 4, the round trip from send to result, through `call` (the result is awaited beside
    /// the publish confirm). Alternating with it, the same through `apply` then `get` (the
    /// result is read once the broker has confirmed), reported as `apply_get_*`, with the
    /// confirm alone as `confirm_*`.
    func latency(_ count: Int) async throws {
        let options = SendOptions(queue: queue)
        // Warm the connections and queues first.
        for i in 0..<20 {
            _ = try await client.apply(DemoTasks.add, .init(x: i, y: 1), options: options).get()
            _ = try await client.call(DemoTasks.add, .init(x: i, y: 1), options: options)
        }
        var calls: [Double] = [], applyGets: [Double] = [], confirms: [Double] = []
        for i in 0..<count {
            var start = ContinuousClock.now
            let value = try await client.call(DemoTasks.add, .init(x: i, y: 1), options: options)
            calls.append((ContinuousClock.now - start).seconds * 1000)
            precondition(value == i + 1, "wrong result")

            start = ContinuousClock.now
            let result = try await client.apply(DemoTasks.add, .init(x: i, y: 2), options: options)
            confirms.append((ContinuousClock.now - start).seconds * 1000)
            let applied = try await result.get()
            applyGets.append((ContinuousClock.now - start).seconds * 1000)
            precondition(applied == i + 2, "wrong result")
        }
        calls.sort()
        applyGets.sort()
        confirms.sort()
        report(["benchmark": "latency", "count": .int(Int64(count)), "p50_ms": .double(percentile(calls, 0.5)),
                "p99_ms": .double(percentile(calls, 0.99)), "max_ms": .double(calls.last ?? 0),
                "apply_get_p50_ms": .double(percentile(applyGets, 0.5)), "apply_get_p99_ms": .double(percentile(applyGets, 0.99)),
                "confirm_p50_ms": .double(percentile(confirms, 0.5)), "confirm_p99_ms": .double(percentile(confirms, 0.99))])
    }

    /// How an item sends: `lanes` concurrent senders, each sending `batch` consecutive units
    /// (tasks, or chords) with one call — one batch of messages to the broker — so up to
    /// lanes × batch are in flight, publishes pipelined and confirms in batches.
    struct Sending: Sendable {
        var lanes: Int
        var batch: Int

        /// From `<PREFIX>_LANES` and `<PREFIX>_BATCH` in the environment, else the defaults.
        init(_ prefix: String, lanes: Int, batch: Int) {
            let environment = ProcessInfo.processInfo.environment
            self.lanes = max(1, Int(environment["\(prefix)_LANES"] ?? "") ?? lanes)
            self.batch = max(1, Int(environment["\(prefix)_BATCH"] ?? "") ?? batch)
        }

        /// Calls `send` with every range of `batch` consecutive indices in 0..<count; lane L
        /// takes batches L, L + lanes, … so the units go out about in order.
        func run(count: Int, _ send: @escaping @Sendable (Range<Int>) async throws -> Void) async throws {
            let (lanes, batch) = (self.lanes, self.batch)
            let batches = (count + batch - 1) / batch
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<min(lanes, batches) {
                    group.addTask {
                        for index in stride(from: lane, to: batches, by: lanes) {
                            try await send((index * batch)..<min(count, (index + 1) * batch))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// demo.add (items 1 and 2): BENCH_LANES × BENCH_BATCH, 32 × 32.
    static let taskSending = Sending("BENCH", lanes: 32, batch: 32)

    /// Chords (item 3): BENCH_CHORD_LANES × BENCH_CHORD_BATCH, 16 × 8: 128 chords in flight,
    /// each call storing its chords' sizes in one Redis transaction and publishing their parts
    /// in one batch. RabbitMQ's own CPU per message depends on how many await confirms: with 16
    /// it spends ~1.5× what it spends with 64 or more (it syncs and confirms in smaller batches;
    /// raw-limit's RAW_WINDOW), and 512 chords in flight cost a tenth more than 128 (RabbitMQ
    /// 290–325 µs per chord against 245–270). 16 × 8 against 128 × 1: 3,006 against 2,760
    /// chords/s; 8 × 32 and 32 × 4 did worse than 16 × 8 (2026-12-05, three rounds each).
    static let chordSending = Sending("BENCH_CHORD", lanes: 16, batch: 8)

    func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
