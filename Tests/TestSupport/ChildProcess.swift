public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with a clean signal mask and default signal handlers.
///
/// Foundation's `Process` inherits the mask of the thread that spawns it, and libdispatch's
/// threads block most signals: a server or worker started that way never sees SIGTERM (seen:
/// a restarted redis-server ignored it). Tests that stop things by signal use this instead.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private var status: Int32?
    private let lock = NSLock()

    /// Starts `executable` with `arguments`; stdout and stderr go to `output` (or are inherited).
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                output: URL? = nil) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let output {
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, env)
        guard rc == 0 else { throw ChildProcessError(message: "cannot start \(executable): \(String(cString: strerror(rc)))") }
        self.pid = pid
    }

    /// Sends a signal.
    public func signal(_ number: Int32) { kill(pid, number) }

    /// The exit status once exited (128+signal when killed), nil while running.
    public var exitStatus: Int32? {
        lock.lock(); defer { lock.unlock() }
        if let status { return status }
        var raw: Int32 = 0
        let rc = waitpid(pid, &raw, WNOHANG)
        guard rc == pid else { return nil }
        let code = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        status = code
        return code
    }

    public var isRunning: Bool { exitStatus == nil }

    /// Waits up to `timeout` seconds; returns the exit status, or nil if still running.
    public func waitForExit(timeout: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = exitStatus { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return exitStatus
    }

    /// Blocking wait, for synchronous callers.
    public func waitUntilExit() -> Int32 {
        while true {
            if let status = exitStatus { return status }
            usleep(10_000)
        }
    }

    /// SIGTERM, then SIGKILL after `grace` seconds.
    public func stop(grace: Double = 20) async {
        guard isRunning else { return }
        signal(SIGTERM)
        if await waitForExit(timeout: grace) == nil {
            signal(SIGKILL)
            _ = await waitForExit(timeout: 5)
        }
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
