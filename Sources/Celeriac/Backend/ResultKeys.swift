/// Celery's Redis key names (`celery/backends/base.py`), with the optional `global_keyprefix`.
public struct ResultKeys: Sendable, Hashable {
    /// Prepended (with `_`) to every key, like Celery's `result_backend_transport_options["global_keyprefix"]`.
    public var globalPrefix: String?

    public init(globalPrefix: String? = nil) { self.globalPrefix = globalPrefix }

    private var prefix: String { globalPrefix.map { "\($0)_" } ?? "" }

    /// `celery-task-meta-<id>`: a task's result; also the pub/sub channel announcing it.
    public func task(_ id: String) -> String { "\(prefix)celery-task-meta-\(id)" }
    /// `celery-taskset-meta-<gid>`: a saved group result.
    public func group(_ id: String) -> String { "\(prefix)celery-taskset-meta-\(id)" }
    /// Chord bookkeeping keys beside the group key: `.j` join set, `.t` total diff, `.s` size,
    /// `.d` dedupe set, `.c` claim token (Celery 5.7).
    public func chord(_ id: String, _ suffix: ChordKey) -> String { "\(group(id)).\(suffix.rawValue)" }

    /// The SCAN pattern matching every task result.
    public var taskPattern: String { "\(prefix)celery-task-meta-*" }

    /// The task id of a `celery-task-meta-` key, or nil for other keys.
    public func taskID(fromKey key: String) -> String? {
        let head = "\(prefix)celery-task-meta-"
        return key.hasPrefix(head) ? String(key.dropFirst(head.count)) : nil
    }

    public enum ChordKey: String, Sendable, CaseIterable {
        case join = "j", totalDiff = "t", size = "s", dedupe = "d", claim = "c"
    }
}
