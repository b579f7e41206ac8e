import Metrics
import Synchronization

/// swift-metrics instruments of a worker, labelled by task name (and state).
///
/// Instruments are made once per label set and kept: making one asks the global factory (a lock
/// every worker slot contends for) and allocates its dimensions, several times per task.
final class WorkerMetrics: Sendable {
    private struct Key: Hashable {
        var name: String
        var task: String
        var state: String
    }
    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[String: Timer]>([:])
    private let activeGauge = Mutex<Gauge?>(nil)

    private func counter(_ name: String, task: String, state: String = "", dimensions: @autoclosure () -> [(String, String)]) -> Counter {
        let key = Key(name: name, task: task, state: state)
        if let counter = counters.withLock({ $0[key] }) { return counter }
        let made = Counter(label: name, dimensions: dimensions())
        return counters.withLock { cache in
            if let existing = cache[key] { return existing }
            cache[key] = made
            return made
        }
    }

    func finished(_ name: String, state: TaskState, seconds: Double) {
        counter("celeriac_tasks_total", task: name, state: state.rawValue,
                dimensions: [("task", name), ("state", state.rawValue)]).increment()
        let timer = timers.withLock { cache in
            if let timer = cache[name] { return timer }
            let made = Timer(label: "celeriac_task_duration_seconds", dimensions: [("task", name)])
            cache[name] = made
            return made
        }
        timer.recordNanoseconds(Int64(seconds * 1e9))
    }

    func received(_ name: String) {
        counter("celeriac_tasks_received_total", task: name, dimensions: [("task", name)]).increment()
    }

    func deadLettered(queue: String) {
        counter("celeriac_messages_dead_lettered_total", task: queue, dimensions: [("queue", queue)]).increment()
    }

    func active(_ count: Int) {
        let gauge = activeGauge.withLock { cached in
            if let cached { return cached }
            let made = Gauge(label: "celeriac_tasks_active")
            cached = made
            return made
        }
        gauge.record(count)
    }
}
