import ArgumentParser
import Foundation
import Logging

/// `taskctl`: inspect Celery/Celeriac results in Redis and operate the broker.
///
/// Exit codes: 0 ok, 1 task failed or not found, 2 usage error, 3 cannot reach a server.
@main
struct TaskctlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taskctl",
        abstract: "Inspect Celery/Celeriac task results in Redis and operate the broker.",
        discussion: """
        Works the same on results written by Celeriac and by Python Celery.
        Exit codes: 0 ok, 1 task failed or not found, 2 usage error, 3 connection error.
        --redis/--broker default to REDIS_URL/AMQP_URL, else to the local stack's .env.
        """,
        subcommands: [ResultCommand.self, WaitCommand.self, ListCommand.self, StatsCommand.self, GroupCommand.self,
                      ChordCommand.self, ForgetCommand.self, RevokeCommand.self, PurgeCommand.self, QueuesCommand.self,
                      WorkersCommand.self, EventsCommand.self])

    /// Runs the command with the documented exit codes: usage errors exit 2 (not
    /// ArgumentParser's 64), and the clients log only errors unless LOG_LEVEL says otherwise.
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success || code.rawValue == 1 || code.rawValue == 3 { exit(withError: error) }
            // Help requests exit 0 above; everything else ArgumentParser reports is a usage error.
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
