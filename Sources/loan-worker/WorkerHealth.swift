import ArgumentParser
import Foundation
import ServiceEnvironment
import Synchronization

// loan-worker has no HTTP port, so container orchestrators learn its health from a file: with
// WORKER_HEALTH_FILE set the process rewrites that file every few seconds with its state, and
// `loan-worker health-check` (the image's HEALTHCHECK, the Kubernetes exec probes) reads it
// back. A fresh file proves the process still schedules work; `consuming` proves it reached its
// queues. A file is cheaper than a listener and needs no port, NetworkPolicy or extra library.

/// Where the worker is in its life; only ever moves forward.
enum WorkerHealthState: String, Sendable, Comparable {
    case starting, consuming, draining

    private var order: Int {
        switch self {
        case .starting: 0
        case .consuming: 1
        case .draining: 2
        }
    }

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.order < rhs.order }
}

/// Rewrites the health file every ``interval`` (its modification time is the heartbeat).
final class WorkerHealthReporter: Sendable {
    static let interval: Duration = .seconds(5)
    let path: String
    private let state = Mutex<(current: WorkerHealthState, stopped: Bool)>((.starting, false))
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    init(path: String) { self.path = path }

    func start() {
        let task = Task { [self] in
            while !Task.isCancelled {
                state.withLock { write($0.current, stopped: $0.stopped) }
                try? await Task.sleep(for: Self.interval)
            }
        }
        ticker.withLock { $0 = task }
    }

    /// Moves to `next` unless the worker is already further along (a late "ready" after a
    /// shutdown request must not report a draining worker as consuming).
    func advance(to next: WorkerHealthState) {
        state.withLock { state in
            guard next > state.current else { return }
            state.current = next
            write(next, stopped: state.stopped)
        }
    }

    /// Stops reporting and removes the file, so a probe after a clean exit finds no worker.
    func stop() {
        ticker.withLock { $0?.cancel() }
        state.withLock { state in
            state.stopped = true
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Called with the state lock held, so writes never interleave or follow stop().
    private func write(_ current: WorkerHealthState, stopped: Bool) {
        guard !stopped else { return }
        // Atomic (temporary file + rename): a probe never reads a half-written file.
        try? Data("\(current.rawValue)\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// `loan-worker health-check`: exit 0 when the worker is alive (or ready, with `--ready`).
struct HealthCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health-check",
        abstract: "Check a running worker's health file (container health checks and probes).",
        discussion: """
        Exits 0 when the file named by WORKER_HEALTH_FILE (or --file) was rewritten within
        --max-age seconds; with --ready the worker must also be consuming its queues (not
        starting, not draining). Exits 1 otherwise, 2 when no file is configured.
        """)

    @Option(help: "Health file (default: WORKER_HEALTH_FILE).")
    var file: String?
    @Option(help: "Seconds after which the file counts as stale (the worker rewrites it every 5 s).")
    var maxAge: Double = 30
    @Flag(help: "Also require the worker to be consuming its queues.")
    var ready = false

    func run() throws {
        guard let path = file ?? Environment().string("WORKER_HEALTH_FILE") else {
            print("health-check: WORKER_HEALTH_FILE is not set and no --file was given")
            throw ExitCode(2)
        }
        guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
              let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            print("unhealthy: no health file at \(path)")
            throw ExitCode(1)
        }
        let age = Date().timeIntervalSince(modified)
        let state = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard age <= maxAge else {
            print("unhealthy: \(path) last written \(Int(age)) s ago (limit \(Int(maxAge)) s), state \(state)")
            throw ExitCode(1)
        }
        if ready && state != WorkerHealthState.consuming.rawValue {
            print("not ready: \(state)")
            throw ExitCode(1)
        }
        print("\(ready ? "ready" : "alive"): \(state), written \(Int(age)) s ago")
    }
}
