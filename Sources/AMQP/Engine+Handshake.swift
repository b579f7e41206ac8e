import CRabbitMQ
import ClientSupport
import Foundation
import Logging

// Opening a connection. rabbitmq-c's amqp_login is a C variadic function, which Swift cannot
// call, so the handshake (start/start-ok, tune/tune-ok, open) is done here with its
// non-variadic building blocks; it also gives clearer errors and a real handshake timeout.
extension Engine {
    /// Opens the socket, logs in, opens the channels. On success `connection` is set.
    func establish() throws(AMQPError) {
        guard let conn = amqp_new_connection() else { throw .connectionFailed("rabbitmq-c could not allocate a connection") }
        var established = false
        defer { if !established { amqp_destroy_connection(conn) } }
        let target = "\(configuration.host):\(configuration.port)"
        guard let socket = amqp_tcp_socket_new(conn) else { throw .connectionFailed("rabbitmq-c could not create a socket") }
        var connectTimeout = timeval(configuration.connectTimeout)
        let openStatus = amqp_socket_open_noblock(socket, configuration.host, Int32(configuration.port), &connectTimeout)
        guard openStatus == statusOK else {
            throw .connectionFailed("cannot connect to \(target): \(statusText(openStatus))")
        }
        var rpcTimeout = timeval(configuration.rpcTimeout)
        _ = amqp_set_rpc_timeout(conn, &rpcTimeout)
        let deadline = ContinuousClock.now + configuration.connectTimeout

        guard amqp_send_header(conn) == statusOK else { throw .connectionFailed("cannot send the AMQP header to \(target)") }
        let start = try waitForMethod(conn, [MethodID.connectionStart], deadline: deadline, target: target)
        let mechanisms = start.decoded!.assumingMemoryBound(to: amqp_connection_start_t.self).pointee.mechanisms.string
        guard mechanisms.split(separator: " ").contains("PLAIN") else {
            throw .connectionFailed("\(target) does not offer PLAIN authentication (offers: \(mechanisms))")
        }

        let arena = CArena()
        var startOk = amqp_connection_start_ok_t(
            client_properties: arena.table(clientProperties), mechanism: arena.bytes("PLAIN"),
            response: arena.bytes([0] + Array(configuration.user.utf8) + [0] + Array(configuration.password.utf8)),
            locale: arena.bytes("en_US"))
        guard amqp_send_method(conn, 0, MethodID.connectionStartOk, &startOk) == statusOK else {
            throw .connectionFailed("\(target) closed the connection during login")
        }

        let tuneOrClose = try waitForMethod(conn, [MethodID.connectionTune, MethodID.connectionClose],
                                            deadline: deadline, target: target)
        if tuneOrClose.id == MethodID.connectionClose {
            let close = tuneOrClose.decoded!.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            let (code, text) = (close.reply_code, close.reply_text.string)
            var closeOk = amqp_connection_close_ok_t()
            _ = amqp_send_method(conn, 0, MethodID.connectionCloseOk, &closeOk)
            if code == 403 {
                throw .connectionFailed("login was refused for user '\(configuration.user)' on \(target) (\(code) \(text))")
            }
            throw .connectionFailed("\(target) refused the connection: \(code) \(text)")
        }
        let tune = tuneOrClose.decoded!.assumingMemoryBound(to: amqp_connection_tune_t.self).pointee
        let channelMax = Int32(tune.channel_max)
        var frameMax = Int32(clamping: configuration.frameMax)
        if tune.frame_max != 0 && Int32(clamping: tune.frame_max) < frameMax { frameMax = Int32(clamping: tune.frame_max) }
        var heartbeat = Int32(clamping: Int64(configuration.heartbeat.seconds.rounded(.up)))
        if tune.heartbeat != 0 && Int32(tune.heartbeat) < heartbeat { heartbeat = Int32(tune.heartbeat) }
        guard amqp_tune_connection(conn, channelMax, frameMax, heartbeat) == statusOK else {
            throw .connectionFailed("cannot apply the tuning \(target) asked for")
        }
        var tuneOk = amqp_connection_tune_ok_t(channel_max: UInt16(clamping: channelMax), frame_max: UInt32(frameMax),
                                               heartbeat: UInt16(clamping: heartbeat))
        guard amqp_send_method(conn, 0, MethodID.connectionTuneOk, &tuneOk) == statusOK else {
            throw .connectionFailed("\(target) closed the connection during tuning")
        }
        amqp_release_buffers(conn)

        var open = amqp_connection_open_t(virtual_host: arena.bytes(configuration.vhost), capabilities: amqp_bytes_t(len: 0, bytes: nil),
                                          insist: 1)
        if amqp_simple_rpc_decoded(conn, 0, MethodID.connectionOpen, MethodID.connectionOpenOk, &open) == nil {
            let reply = amqp_get_rpc_reply(conn)
            if reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION, reply.reply.id == MethodID.connectionClose {
                let close = reply.reply.decoded!.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                throw .connectionFailed("\(target) refused to open vhost '\(configuration.vhost)': \(close.reply_code) \(close.reply_text.string)")
            }
            throw .connectionFailed("opening vhost '\(configuration.vhost)' on \(target) failed: \(describe(reply))")
        }

        connection = conn
        negotiatedHeartbeat = Int(heartbeat)
        established = true
        pendingConfirms = [:]
        publishSequence = 0
        confirmFloor = 1
        do {
            for channel in ChannelID.all { try openChannel(channel) }
        } catch {
            connection = nil
            openChannels = []
            established = false
            throw .connectionFailed("opening channels on \(target) failed: \(error)")
        }
    }

    private var clientProperties: AMQPTable {
        var properties: AMQPTable = [
            "product": "Celeriac AMQP (Swift, rabbitmq-c)",
            "platform": "Swift",
            "capabilities": .table([
                "authentication_failure_close": true,
                "consumer_cancel_notify": true,
                "publisher_confirms": true,
                "basic.nack": true,
                "exchange_exchange_bindings": true,
                "connection.blocked": true,
            ]),
        ]
        if let name = configuration.connectionName { properties["connection_name"] = .string(name) }
        return properties
    }

    /// Waits for one of `expected` on channel 0 during the handshake.
    private func waitForMethod(_ conn: amqp_connection_state_t, _ expected: [UInt32], deadline: ContinuousClock.Instant,
                               target: String) throws(AMQPError) -> amqp_method_t {
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { throw .connectionFailed("\(target) did not complete the AMQP handshake in time") }
            var timeout = timeval(remaining)
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame_noblock(conn, &frame, &timeout)
            if status == statusTimeout { continue }
            guard status == statusOK else {
                if status == AMQP_STATUS_CONNECTION_CLOSED.rawValue || status == AMQP_STATUS_SOCKET_ERROR.rawValue {
                    throw .connectionFailed("\(target) closed the connection during the handshake (login refused or vhost not allowed?): \(statusText(status))")
                }
                throw .connectionFailed("handshake with \(target) failed: \(statusText(status))")
            }
            guard frame.frame_type == FrameType.method, frame.channel == 0 else { continue }
            if expected.contains(frame.payload.method.id) { return frame.payload.method }
            throw .connectionFailed("unexpected method 0x\(String(frame.payload.method.id, radix: 16)) from \(target) during the handshake")
        }
    }

    func describe(_ reply: amqp_rpc_reply_t) -> String {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL: return "ok"
        case AMQP_RESPONSE_NONE: return "no reply (end of stream)"
        case AMQP_RESPONSE_LIBRARY_EXCEPTION: return statusText(reply.library_error)
        default:
            if reply.reply.id == MethodID.connectionClose, let decoded = reply.reply.decoded {
                let close = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                return "\(close.reply_code) \(close.reply_text.string)"
            }
            if reply.reply.id == MethodID.channelClose, let decoded = reply.reply.decoded {
                let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                return "\(close.reply_code) \(close.reply_text.string)"
            }
            return "server exception 0x\(String(reply.reply.id, radix: 16))"
        }
    }
}
