import CMongoc
import Logging
import Synchronization

/// libmongoc's own messages (server trouble, URI options it ignores) go through swift-log.
/// Its default handler prints plain text on standard error, which breaks a program's JSON-lines
/// logs. The logger is that of the latest ``MongoClient`` (one handler serves the process).
enum DriverLog {
    private static let current = Mutex<Logger?>(nil)

    /// Routes libmongoc's messages to `logger` from now on.
    static func route(to logger: Logger) {
        current.withLock { $0 = logger }
        mongoc_log_set_handler({ level, domain, message, _ in
            guard let logger = DriverLog.current.withLock({ $0 }) else { return }
            // Logger.log checks the level before it builds the message and metadata.
            logger.log(level: DriverLog.level(level), "\(message.map { String(cString: $0) } ?? "")",
                       metadata: ["mongoc.domain": .string(domain.map { String(cString: $0) } ?? "")])
        }, nil)
    }

    static func level(_ level: mongoc_log_level_t) -> Logger.Level {
        switch level {
        case MONGOC_LOG_LEVEL_ERROR, MONGOC_LOG_LEVEL_CRITICAL: .error
        case MONGOC_LOG_LEVEL_WARNING: .warning
        case MONGOC_LOG_LEVEL_MESSAGE, MONGOC_LOG_LEVEL_INFO: .info
        case MONGOC_LOG_LEVEL_DEBUG: .debug
        default: .trace
        }
    }
}
