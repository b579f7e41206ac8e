/// Exponential backoff with full jitter, for reconnect loops and retries.
///
/// The delay before attempt `n` (0-based) is a random value in `[0, min(maximum, initial * multiplier^n)]`
/// when `jitter` is on, or exactly that cap when it is off.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    public var jitter: Bool

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5),
                multiplier: Double = 2, jitter: Bool = true) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The cap for attempt `attempt`, before jitter.
    public func ceiling(forAttempt attempt: Int) -> Duration {
        let initialSeconds = initial.seconds
        let maxSeconds = maximum.seconds
        let exponent = Double(max(0, min(attempt, 62)))
        let raw = initialSeconds * pow2(multiplier, exponent)
        return .seconds(min(maxSeconds, raw))
    }

    /// The delay to wait before attempt `attempt`.
    public func delay(forAttempt attempt: Int) -> Duration {
        let cap = ceiling(forAttempt: attempt)
        guard jitter else { return cap }
        return .seconds(Double.random(in: 0...max(cap.seconds, 0)))
    }

    private func pow2(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 {
            result *= base
            if result.isInfinite { return result }
            remaining -= 1
        }
        return result
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
