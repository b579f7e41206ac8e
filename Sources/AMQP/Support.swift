import CRabbitMQ
import Foundation

/// AMQP method ids used by the frame handler (rabbitmq-c's AMQP_*_METHOD macros, which Swift
/// does not import because they are casts).
enum MethodID {
    static let connectionStart: UInt32 = 0x000A_000A
    static let connectionStartOk: UInt32 = 0x000A_000B
    static let connectionTune: UInt32 = 0x000A_001E
    static let connectionTuneOk: UInt32 = 0x000A_001F
    static let connectionOpen: UInt32 = 0x000A_0028
    static let connectionOpenOk: UInt32 = 0x000A_0029
    static let connectionClose: UInt32 = 0x000A_0032
    static let connectionCloseOk: UInt32 = 0x000A_0033
    static let connectionBlocked: UInt32 = 0x000A_003C
    static let connectionUnblocked: UInt32 = 0x000A_003D
    static let channelClose: UInt32 = 0x0014_0028
    static let channelCloseOk: UInt32 = 0x0014_0029
    static let basicCancel: UInt32 = 0x003C_001E
    static let basicCancelOk: UInt32 = 0x003C_001F
    static let basicReturn: UInt32 = 0x003C_0032
    static let basicDeliver: UInt32 = 0x003C_003C
    static let basicAck: UInt32 = 0x003C_0050
    static let basicNack: UInt32 = 0x003C_0078
}

/// Frame types (AMQP_FRAME_*).
enum FrameType {
    static let method: UInt8 = 1
    static let header: UInt8 = 2
    static let body: UInt8 = 3
}

/// The channels each connection opens.
enum ChannelID {
    /// Publishing, in confirm mode.
    static let publish: UInt16 = 1
    /// All consumers and their acks.
    static let consume: UInt16 = 2
    /// Declarations, passive declares, purges, deletes: a 404/406 here harms nobody else.
    static let control: UInt16 = 3
    static let all: [UInt16] = [publish, consume, control]
}

let statusOK = AMQP_STATUS_OK.rawValue
let statusTimeout = AMQP_STATUS_TIMEOUT.rawValue

/// rabbitmq-c's text for a status code.
func statusText(_ status: Int32) -> String {
    guard let text = amqp_error_string2(status) else { return "error \(status)" }
    return String(cString: text)
}

extension timeval {
    init(_ duration: Duration) {
        let c = duration.components
        let micros = max(0, c.seconds) * 1_000_000 + max(0, c.attoseconds) / 1_000_000_000_000
        self.init(tv_sec: Int(micros / 1_000_000), tv_usec: Int(micros % 1_000_000))
    }
}

/// A continuation resumed exactly once, from the owner thread.
final class Promise<T: Sendable>: @unchecked Sendable {
    private var continuation: CheckedContinuation<T, any Error>?

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = continuation
    }

    var isDone: Bool { continuation == nil }

    func succeed(_ value: T) {
        continuation?.resume(returning: value)
        continuation = nil
    }

    func fail(_ error: any Error) {
        continuation?.resume(throwing: error)
        continuation = nil
    }
}

extension Promise where T == Void {
    func succeed() { succeed(()) }
}
