import ArgumentParser
import Celeriac
import CeleriacInspect
import Foundation

struct RevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a task on every worker (Celery's broadcast).")
    @OptionGroup var options: GlobalOptions
    @OptionGroup var task: TaskIDArgument

    func run() async throws {
        try await options.withBroker { broker in
            try await broker.broadcastControl(method: "revoke", arguments: ["task_id": .string(task.id), "terminate": false])
            Output(json: options.json).emit(["task_id": .string(task.id), "revoked": true], text: "revoke of \(task.id) sent to every worker")
        }
    }
}

struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "purge", abstract: "Delete every waiting message of a queue.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The queue.") var queue: String
    @Flag(help: "Do not ask for confirmation.") var yes = false

    func run() async throws {
        if !yes {
            guard isatty(STDIN_FILENO) == 1 else {
                throw ValidationError("refusing to purge \(queue) without confirmation: pass --yes when not on a terminal")
            }
            print("Delete every waiting message of queue \(queue)? [y/N] ", terminator: "")
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                print("not purged")
                return
            }
        }
        try await options.withBroker { broker in
            guard try await broker.queueState(queue) != nil else { throw TaskctlFailure.notFound("no queue \(queue)") }
            let removed = try await broker.purge(queue)
            Output(json: options.json).emit(["queue": .string(queue), "purged": .int(Int64(removed))], text: "purged \(removed) message(s) from \(queue)")
        }
    }
}

struct QueuesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queues", abstract: "Depth, consumers and dead letters per queue.",
                                                    discussion: "Without names: the queues of the pools in workers/*.env and `celery`.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Queue names.") var names: [String] = []

    func run() async throws {
        try await options.withBroker { broker in
            let reports = try await QueueInspector(broker: broker).queues(names.isEmpty ? PoolDefinitions.queues() : names)
            Output(json: options.json).emit(.array(reports.map { report in
                .object(["name": .string(report.name), "exists": .bool(report.exists), "messages": .int(Int64(report.messages)),
                         "consumers": .int(Int64(report.consumers)), "dead_letters": .int(Int64(report.deadLetters))])
            }), text: table(["QUEUE", "MESSAGES", "CONSUMERS", "DEAD LETTERS"], reports.map {
                [$0.name, $0.exists ? String($0.messages) : "(missing)", String($0.consumers), String($0.deadLetters)]
            }))
        }
    }
}

/// The queues named by the pool definitions in `workers/` (run from a checkout), plus `celery`.
enum PoolDefinitions {
    static func queues() -> [String] {
        let directory = FileManager.default.currentDirectoryPath + "/workers"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.filter { $0.hasSuffix(".env") }.sorted() ?? []
        var queues: [String] = []
        for file in files {
            guard let text = try? String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix("WORKER_QUEUES=") {
                queues += line.dropFirst("WORKER_QUEUES=".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
        }
        return queues.isEmpty ? ["celery"] : queues + ["celery"]
    }
}
