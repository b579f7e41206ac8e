import ClientSupport

/// Token buckets per task name: at most `rate` starts per second for a task type in this
/// process (Celery's per-worker `rate_limit`).
actor RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }
    private var buckets: [String: Bucket] = [:]
    private let clock = ContinuousClock()

    /// Waits until a task named `name` may start.
    func acquire(_ name: String, rate: Double) async {
        guard rate > 0 else { return }
        while true {
            let now = clock.now
            var bucket = buckets[name] ?? Bucket(tokens: 1, updated: now)
            let elapsed = (now - bucket.updated).seconds
            bucket.tokens = min(max(1, rate), bucket.tokens + elapsed * rate)
            bucket.updated = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                buckets[name] = bucket
                return
            }
            buckets[name] = bucket
            let wait = (1 - bucket.tokens) / rate
            try? await Task.sleep(for: .seconds(wait))
        }
    }
}

