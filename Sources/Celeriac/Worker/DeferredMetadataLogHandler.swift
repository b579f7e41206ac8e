public import Logging

/// A log handler that keeps the logger's own metadata itself and hands it to `base` only when
/// an entry is actually logged.
///
/// The worker sets `task_id` and `task_name` on its logger for every task. `StreamLogHandler`
/// renders its metadata into a string on every change, which cost about 4 % of a busy worker's
/// CPU while nothing was logged at all (LOG_LEVEL=warning). Wrapped, a change is a dictionary
/// store; the lines written are the same (the logger's metadata, overridden by the entry's).
public struct DeferredMetadataLogHandler<Base: LogHandler>: LogHandler {
    /// The handler that formats and writes entries; its own metadata is left empty.
    public var base: Base
    public var metadata: Logger.Metadata = [:]

    public init(_ base: Base) { self.base = base }

    public var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        guard !metadata.isEmpty else { return base.log(event: event) }
        var event = event
        event.metadata = metadata.merging(event.metadata ?? [:]) { $1 }
        base.log(event: event)
    }
}
