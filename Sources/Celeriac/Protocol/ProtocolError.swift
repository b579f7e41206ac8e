/// A message that does not follow Celery's protocol v2 (or a result that does not follow the
/// result-backend format). Workers dead-letter such messages instead of crashing.
public struct ProtocolError: Error, CustomStringConvertible, Sendable, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "protocol error: \(reason)" }
}
