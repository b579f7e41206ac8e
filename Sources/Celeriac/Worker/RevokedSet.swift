import Foundation

/// Task ids revoked by remote control, remembered for a while (Celery keeps up to 50,000 for 3 h).
final class RevokedSet: @unchecked Sendable {
    private let lock = NSLock()
    private var expiry: [String: Date] = [:]
    private let capacity: Int
    private let lifetime: TimeInterval

    init(capacity: Int = 50_000, lifetime: TimeInterval = 3 * 3600) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    func insert(_ id: String) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        if expiry.count >= capacity {
            expiry = expiry.filter { $0.value > now }
            if expiry.count >= capacity, let oldest = expiry.min(by: { $0.value < $1.value }) {
                expiry.removeValue(forKey: oldest.key)
            }
        }
        expiry[id] = now.addingTimeInterval(lifetime)
    }

    func contains(_ id: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard let until = expiry[id] else { return false }
        return until > Date()
    }
}
