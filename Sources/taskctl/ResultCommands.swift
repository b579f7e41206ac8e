import ArgumentParser
import Celeriac
import CeleriacInspect
import Foundation

/// A task id argument, checked before any server is contacted.
struct TaskIDArgument: ParsableArguments {
    @Argument(help: "The task id.")
    var id: String

    func validate() throws {
        guard !id.isEmpty, id.count <= 255, id.allSatisfy({ !$0.isWhitespace && $0 != "*" && $0 != "?" }) else {
            throw ValidationError("'\(id)' is not a task id (no spaces or wildcards, at most 255 characters)")
        }
    }
}

struct ResultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "result", abstract: "Show a task's stored result.")
    @OptionGroup var options: GlobalOptions
    @OptionGroup var task: TaskIDArgument

    func run() async throws {
        try await options.withBackend { backend in
            guard let meta = try await ResultInspector(backend: backend).result(task.id) else {
                throw TaskctlFailure.notFound("no result stored for task \(task.id) (unknown, still pending, expired or forgotten)")
            }
            Output(json: options.json).emit(meta.json.merging(["task_id": .string(meta.taskID)]), text: meta.rendered(Output(json: false)))
            if meta.status == .failure || meta.status == .revoked { throw ExitCode(1) }
        }
    }
}

struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wait", abstract: "Wait for a task to finish (pub/sub, no polling).")
    @OptionGroup var options: GlobalOptions
    @OptionGroup var task: TaskIDArgument
    @Option(help: "Seconds to wait.") var timeout: Double = 60

    func validate() throws { guard timeout > 0 else { throw ValidationError("--timeout must be positive") } }

    func run() async throws {
        try await options.withBackend { backend in
            let spinner = Spinner(enabled: !options.json && isatty(STDERR_FILENO) == 1, label: "waiting for \(task.id)")
            defer { spinner.stop() }
            let meta: ResultMeta
            do {
                meta = try await backend.waitForReady(task.id, timeout: .seconds(timeout))
            } catch is ResultTimeoutError {
                throw TaskctlFailure.notFound("task \(task.id) did not finish within \(timeout) s")
            }
            spinner.stop()
            Output(json: options.json).emit(meta.json.merging(["task_id": .string(meta.taskID)]), text: meta.rendered(Output(json: false)))
            if meta.status != .success { throw ExitCode(1) }
        }
    }
}

struct ForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "forget", abstract: "Delete a task's stored result.")
    @OptionGroup var options: GlobalOptions
    @OptionGroup var task: TaskIDArgument

    func run() async throws {
        try await options.withBackend { backend in
            guard try await ResultInspector(backend: backend).forget(task.id) else {
                throw TaskctlFailure.notFound("no result stored for task \(task.id)")
            }
            Output(json: options.json).emit(["task_id": .string(task.id), "forgotten": true], text: "forgot \(task.id)")
        }
    }
}

extension JSONValue {
    func merging(_ other: [String: JSONValue]) -> JSONValue {
        guard case .object(var object) = self else { return self }
        for (key, value) in other { object[key] = value }
        return .object(object)
    }
}
