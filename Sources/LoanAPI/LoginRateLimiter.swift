public import Foundation
import Synchronization

/// Counts failed logins per email in a sliding window: after `maxFailures` failures within
/// `window` seconds, further attempts for that email are refused until the oldest failure ages out.
/// In-process state: each API replica limits on its own.
public final class LoginRateLimiter: Sendable {
    let maxFailures: Int
    let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    public init(maxFailures: Int, window: TimeInterval) {
        self.maxFailures = maxFailures
        self.window = window
    }

    /// Seconds until `key` may try again, or nil when it may try now.
    public func retryAfter(_ key: String, now: Date = Date()) -> TimeInterval? {
        failures.withLock { table in
            let recent = (table[key] ?? []).filter { now.timeIntervalSince($0) < window }
            table[key] = recent.isEmpty ? nil : recent
            guard recent.count >= maxFailures, let oldest = recent.first else { return nil }
            return max(1, window - now.timeIntervalSince(oldest))
        }
    }

    public func recordFailure(_ key: String, now: Date = Date()) {
        failures.withLock { table in
            var recent = (table[key] ?? []).filter { now.timeIntervalSince($0) < window }
            recent.append(now)
            table[key] = recent
            // Bounded memory under a spray of random emails: forget the stalest keys.
            if table.count > 100_000 { table = table.filter { now.timeIntervalSince($0.value.last ?? now) < window } }
        }
    }

    public func recordSuccess(_ key: String) {
        failures.withLock { _ = $0.removeValue(forKey: key) }
    }
}
