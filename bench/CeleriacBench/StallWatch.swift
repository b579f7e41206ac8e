import Foundation

/// Notices a wait that stopped making progress (a worker died, a message was lost), so a
/// benchmark fails with a clear error instead of hanging the whole comparison.
struct StallWatch {
    /// Far above any pause of a healthy run (Python's slowest item takes ~20 s in total);
    /// BENCH_STALL_SECONDS overrides it.
    static let limit: Duration = .seconds(Int(ProcessInfo.processInfo.environment["BENCH_STALL_SECONDS"] ?? "") ?? 60)

    private var best = Int.min
    private var since = ContinuousClock.now

    /// Records `progress` (larger is further); throws when it has not grown for `limit`.
    mutating func check(_ progress: Int, _ state: @autoclosure () -> String) throws {
        let now = ContinuousClock.now
        if progress > best {
            best = progress
            since = now
        } else if now - since > Self.limit {
            throw BenchError("no progress for \(Self.limit): \(state())")
        }
    }
}
