import Metrics
import Synchronization

/// swift-metrics instruments of a worker, labelled by task name (and state).
///
/// Instruments are made once per label set and kept: making one asks the global factory (a lock
/// every worker slot contends for) and allocates its dimensions, several times per task. A task
/// name's instruments are found with one lookup by name, not one per instrument by label and
/// dimensions (that hashing was 2 % of a worker's CPU at 20,000 tasks/s).
final class WorkerMetrics: Sendable {
    /// The instruments of one task name.
    private final class TaskInstruments: Sendable {
        let name: String
        let received: Counter
        let duration: Timer
        /// `celeriac_tasks_total` by state (in `TaskState.allCases` order), made when a state
        /// first occurs (a series per state that never happened would show up as a zero).
        private let finished = Mutex<[Counter?]>(Array(repeating: nil, count: TaskState.allCases.count))

        init(name: String) {
            self.name = name
            received = Counter(label: "celeriac_tasks_received_total", dimensions: [("task", name)])
            duration = Timer(label: "celeriac_task_duration_seconds", dimensions: [("task", name)])
        }

        func finished(_ state: TaskState) -> Counter {
            let slot = state.ordinal
            if let counter = finished.withLock({ $0[slot] }) { return counter }
            let made = Counter(label: "celeriac_tasks_total", dimensions: [("task", name), ("state", state.rawValue)])
            return finished.withLock { counters in
                if let existing = counters[slot] { return existing }
                counters[slot] = made
                return made
            }
        }
    }

    private let tasks = Mutex<[String: TaskInstruments]>([:])
    private let deadLettered = Mutex<[String: Counter]>([:])
    private let activeGauge = Mutex<Gauge?>(nil)

    /// What `cache` holds under `key`, made by `make` the first time.
    private static func cached<Instrument: Sendable>(_ cache: borrowing Mutex<[String: Instrument]>, _ key: String,
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
        let task = Self.cached(tasks, name) { TaskInstruments(name: name) }
        task.finished(state).increment()
        task.duration.recordNanoseconds(Int64(seconds * 1e9))
    }

    func received(_ name: String) {
        Self.cached(tasks, name) { TaskInstruments(name: name) }.received.increment()
    }

    func deadLettered(queue: String) {
        Self.cached(deadLettered, queue) {
            Counter(label: "celeriac_messages_dead_lettered_total", dimensions: [("queue", queue)])
        }.increment()
    }

    func active(_ count: Int) {
        // Made on first use, not at init: a worker may be created before the metrics backend is
        // bootstrapped, and an instrument made earlier would report nowhere.
        let gauge = activeGauge.withLock { gauge in
            if let gauge { return gauge }
            let made = Gauge(label: "celeriac_tasks_active")
            gauge = made
            return made
        }
        gauge.record(count)
    }
}

private extension TaskState {
    /// The position in `allCases`, without hashing the raw value.
    var ordinal: Int {
        switch self {
        case .pending: 0
        case .received: 1
        case .started: 2
        case .success: 3
        case .failure: 4
        case .revoked: 5
        case .rejected: 6
        case .retry: 7
        case .ignored: 8
        }
    }
}
