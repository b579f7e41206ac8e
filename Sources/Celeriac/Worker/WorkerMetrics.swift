import Metrics
import Synchronization

/// swift-metrics instruments of a worker, labelled by task name (and state).
///
/// Instruments are made once per label set and kept: making one asks the global factory (a lock
/// every worker slot contends for) and allocates its dimensions, several times per task.
final class WorkerMetrics: Sendable {
    /// An instrument's label and its dimension values (at most two here), in dimension order.
    private struct Key: Hashable {
        var label: String
        var first = ""
        var second = ""
    }
    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[Key: Timer]>([:])
    private let gauges = Mutex<[Key: Gauge]>([:])

    /// The instrument cached under `key`, made by `make` the first time.
    private static func instrument<Instrument: Sendable>(_ cache: borrowing Mutex<[Key: Instrument]>, _ key: Key,
                                               _ make: () -> Instrument) -> Instrument {
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let made = make()  // outside the lock: the factory takes its own
        return cache.withLock { cache in
            if let existing = cache[key] { return existing }
            cache[key] = made
            return made
        }
    }

    func finished(_ name: String, state: TaskState, seconds: Double) {
        let label = "celeriac_tasks_total"
        Self.instrument(counters, Key(label: label, first: name, second: state.rawValue)) {
            Counter(label: label, dimensions: [("task", name), ("state", state.rawValue)])
        }.increment()
        let timerLabel = "celeriac_task_duration_seconds"
        Self.instrument(timers, Key(label: timerLabel, first: name)) {
            Timer(label: timerLabel, dimensions: [("task", name)])
        }.recordNanoseconds(Int64(seconds * 1e9))
    }

    func received(_ name: String) {
        let label = "celeriac_tasks_received_total"
        Self.instrument(counters, Key(label: label, first: name)) {
            Counter(label: label, dimensions: [("task", name)])
        }.increment()
    }

    func deadLettered(queue: String) {
        let label = "celeriac_messages_dead_lettered_total"
        Self.instrument(counters, Key(label: label, first: queue)) {
            Counter(label: label, dimensions: [("queue", queue)])
        }.increment()
    }

    func active(_ count: Int) {
        let label = "celeriac_tasks_active"
        Self.instrument(gauges, Key(label: label)) { Gauge(label: label) }.record(count)
    }
}
