import Metrics

/// swift-metrics instruments of a worker, labelled by task name (and state).
struct WorkerMetrics: Sendable {
    func finished(_ name: String, state: TaskState, seconds: Double) {
        Counter(label: "celeriac_tasks_total", dimensions: [("task", name), ("state", state.rawValue)]).increment()
        Timer(label: "celeriac_task_duration_seconds", dimensions: [("task", name)])
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    func received(_ name: String) {
        Counter(label: "celeriac_tasks_received_total", dimensions: [("task", name)]).increment()
    }

    func deadLettered(queue: String) {
        Counter(label: "celeriac_messages_dead_lettered_total", dimensions: [("queue", queue)]).increment()
    }

    func active(_ count: Int) {
        Gauge(label: "celeriac_tasks_active").record(count)
    }
}
