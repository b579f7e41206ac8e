import Celeriac
import Redis

/// Waits until results are stored as SUCCESS by reading Redis itself, for the throughput
/// figures ("time until all results are in Redis").
///
/// Listening to the result announcements instead (`PSUBSCRIBE celery-task-meta-*`) made Redis
/// deliver every announcement to the bench and the bench parse it: ~8 µs of CPU per task on a
/// 2-core machine whose cores the measured workers need (a quarter of the producer's CPU). The
/// harness's own cost hides a fast worker's speed far more than a slow one's, so the
/// throughput items read the keys instead: one script call every `interval`, checking the
/// results in send order from the first one not yet seen, stopping at the first one missing.
/// The end time is late by at most `interval`.
struct StoredResults {
    let redis: any RedisClient
    let keys: ResultKeys

    static let interval: Duration = .milliseconds(2)

    /// How many of KEYS, from the first, hold a SUCCESS result (Celeriac writes
    /// `"status":"SUCCESS"`, Python's json module `"status": "SUCCESS"`).
    static let storedPrefix = RedisScript(#"""
        local stored = 0
        for _, key in ipairs(KEYS) do
          local value = redis.call('GET', key)
          if not value or not string.find(value, '"status": ?"SUCCESS"') then break end
          stored = stored + 1
        end
        return stored
        """#)

    /// Returns once every id's result is stored as SUCCESS. `ids` should be in about the order
    /// the tasks complete (send order): each call checks a window from the first id not yet
    /// seen, sized from the previous call's progress so a poll reads little more than the
    /// results that are new since the last one. Throws when no new result was stored for
    /// ``StallWatch/limit``.
    func waitForAll(_ ids: [String]) async throws {
        var next = 0
        var window = 32
        var watch = StallWatch()
        while next < ids.count {
            try watch.check(next, "\(ids.count - next) of \(ids.count) results not stored, the first missing \(ids[next])")
            let batch = ids[next..<min(ids.count, next + window)].map { RedisArgument(keys.task($0)) }
            let reply = try await redis.evalScript(Self.storedPrefix, keys: batch, arguments: [])
            guard let stored = reply.int, (0...batch.count).contains(stored) else {
                throw BenchError("the stored-results script replied \(reply)")
            }
            next += stored
            window = min(1024, max(32, 2 * stored + 16))
            if stored < batch.count { try await Task.sleep(for: Self.interval) }
        }
    }
}
