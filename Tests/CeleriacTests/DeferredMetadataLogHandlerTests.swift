import Celeriac
import Logging
import Synchronization
import Testing

/// The wrapper the worker executables log through: metadata changes stay with the wrapper and
/// reach the wrapped handler, merged, only with an entry.
struct DeferredMetadataLogHandlerTests {
    /// Records what it is asked to log and how often its own metadata was touched.
    struct RecordingHandler: LogHandler {
        final class Record: Sendable {
            let entries = Mutex<[(message: String, metadata: Logger.Metadata)]>([])
            let metadataWrites = Atomic<Int>(0)
        }
        let record: Record
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:] {
            didSet { record.metadataWrites.add(1, ordering: .relaxed) }
        }
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            record.entries.withLock { $0.append(("\(event.message)", merged)) }
        }
    }

    @Test func metadataReachesTheBaseOnlyWithAnEntryAndEntryMetadataWins() {
        let record = RecordingHandler.Record()
        var logger = Logger(label: "test") { _ in DeferredMetadataLogHandler(RecordingHandler(record: record)) }
        logger.logLevel = .warning
        for index in 0..<100 {
            logger[metadataKey: "task_id"] = .string("t\(index)")
            logger[metadataKey: "task_name"] = "demo.add"
            logger.info("below the level: not logged")
        }
        #expect(record.metadataWrites.load(ordering: .relaxed) == 0)
        #expect(record.entries.withLock { $0.isEmpty })

        logger.warning("slow task", metadata: ["task_name": "override", "runtime": "2.5"])
        let entries = record.entries.withLock { $0 }
        #expect(entries.count == 1)
        #expect(entries.first?.message == "slow task")
        #expect(entries.first?.metadata == ["task_id": "t99", "task_name": "override", "runtime": "2.5"])
        #expect(logger.logLevel == .warning)
        #expect(logger[metadataKey: "task_id"] == "t99")
    }
}
