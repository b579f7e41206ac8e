/// Celery's task states (`celery/states.py`).
public enum TaskState: String, Sendable, Hashable, CaseIterable, Codable {
    case pending = "PENDING"
    case received = "RECEIVED"
    case started = "STARTED"
    case success = "SUCCESS"
    case failure = "FAILURE"
    case revoked = "REVOKED"
    case rejected = "REJECTED"
    case retry = "RETRY"
    case ignored = "IGNORED"

    /// States after which the task will not change any more.
    public var isReady: Bool { Self.readyStates.contains(self) }

    /// States that make a chord fail (Celery's `PROPAGATE_STATES`).
    public var propagates: Bool { self == .failure || self == .revoked }

    public static let readyStates: Set<TaskState> = [.success, .failure, .revoked]
}
