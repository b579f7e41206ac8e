public import Foundation

/// Per-call options for sending a task (Celery's `apply_async` keywords).
public struct SendOptions: Sendable {
    /// Use this id instead of a new UUID.
    public var taskID: String?
    /// Override the task's queue.
    public var queue: String?
    /// Run no earlier than this many seconds from now.
    public var countdown: Double?
    /// Run no earlier than this time (wins over `countdown`).
    public var eta: Date?
    /// Discard (mark REVOKED) if not started by then.
    public var expires: Date?
    public var priority: UInt8?
    /// Retry counter to start from (0 for a new task).
    public var retries: Int
    public var timeLimit: Double?
    public var softTimeLimit: Double?
    public var ignoreResult: Bool?
    public var parentID: String?
    public var rootID: String?
    /// Extra application headers (kept by Celery workers in the request context).
    public var headers: [String: JSONValue]

    public init(taskID: String? = nil, queue: String? = nil, countdown: Double? = nil, eta: Date? = nil,
                expires: Date? = nil, priority: UInt8? = nil, retries: Int = 0, timeLimit: Double? = nil,
                softTimeLimit: Double? = nil, ignoreResult: Bool? = nil, parentID: String? = nil,
                rootID: String? = nil, headers: [String: JSONValue] = [:]) {
        self.taskID = taskID
        self.queue = queue
        self.countdown = countdown
        self.eta = eta
        self.expires = expires
        self.priority = priority
        self.retries = retries
        self.timeLimit = timeLimit
        self.softTimeLimit = softTimeLimit
        self.ignoreResult = ignoreResult
        self.parentID = parentID
        self.rootID = rootID
        self.headers = headers
    }

    /// Expire `seconds` from now.
    public static func expiring(in seconds: Double) -> SendOptions {
        SendOptions(expires: Date().addingTimeInterval(seconds))
    }
}
