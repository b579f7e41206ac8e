import CRabbitMQ
import Logging

// Channels, broker errors on them, and restoring topology and consumers.
extension Engine {
    /// The error for the RPC that just failed on `channel`. A channel.close is answered and the
    /// channel marked closed (it is reopened before its next use); a connection.close or a
    /// library error tears the connection down.
    func rpcFailure(channel: UInt16) -> AMQPError {
        guard let connection else { return .connectionLost("not connected") }
        let reply = amqp_get_rpc_reply(connection)
        switch reply.reply_type {
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if reply.reply.id == MethodID.channelClose, let decoded = reply.reply.decoded {
                let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                let (code, text) = (close.reply_code, close.reply_text.string)
                channelClosedByBroker(channel, code: code, text: text)
                return .channelClosed(code: code, text: text)
            }
            if reply.reply.id == MethodID.connectionClose, let decoded = reply.reply.decoded {
                let close = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                let (code, text) = (close.reply_code, close.reply_text.string)
                var closeOk = amqp_connection_close_ok_t()
                _ = amqp_send_method(connection, 0, MethodID.connectionCloseOk, &closeOk)
                connectionLost("the broker closed the connection: \(code) \(text)")
                return .connectionClosed(code: code, text: text)
            }
            let text = describe(reply)
            connectionLost(text)
            return .connectionLost(text)
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            let text = statusText(reply.library_error)
            connectionLost(text)
            return reply.library_error == statusTimeout ? .timeout : .connectionLost(text)
        default:
            connectionLost("the broker closed the socket")
            return .connectionLost("the broker closed the socket")
        }
    }

    /// Answers a channel.close from the broker and fails what depended on the channel.
    func channelClosedByBroker(_ channel: UInt16, code: UInt16, text: String) {
        if let connection {
            var closeOk = amqp_channel_close_ok_t()
            _ = amqp_send_method(connection, channel, MethodID.channelCloseOk, &closeOk)
        }
        openChannels.remove(channel)
        partials[channel] = nil
        logger.warning("AMQP channel closed by the broker", metadata: ["channel": "\(channel)", "code": "\(code)", "text": "\(text)"])
        switch channel {
        case ChannelID.publish: failPendingConfirms(.channelClosed(code: code, text: text))
        case ChannelID.consume: generation += 1
        default: break
        }
    }

    /// Opens `channel` (and puts the publish channel in confirm mode).
    func openChannel(_ channel: UInt16) throws(AMQPError) {
        guard let connection else { throw .connectionLost("not connected") }
        if amqp_channel_open(connection, channel) == nil { throw rpcFailure(channel: channel) }
        if channel == ChannelID.publish {
            if amqp_confirm_select(connection, channel) == nil { throw rpcFailure(channel: channel) }
            failPendingConfirms(.channelClosed(code: 0, text: "publish channel reset"))
            publishSequence = 0
            confirmFloor = 1
        }
        openChannels.insert(channel)
    }

    /// Makes sure `channel` is open before an operation uses it; reopening the consume channel
    /// re-creates every consumer.
    func ensureChannel(_ channel: UInt16) throws(AMQPError) {
        guard isConnected, connection != nil else { throw .connectionLost("not connected") }
        if openChannels.contains(channel) { return }
        try openChannel(channel)
        if channel == ChannelID.consume { try restartConsumers() }
    }

    /// Reopens channels the broker closed (called from the loop).
    func restoreChannelsAfterError() {
        for channel in ChannelID.all where isConnected && !openChannels.contains(channel) {
            do {
                try ensureChannel(channel)
            } catch {
                logger.warning("AMQP could not reopen a channel", metadata: ["channel": "\(channel)", "error": "\(error)"])
            }
        }
    }

    /// Issues basic.qos + basic.consume for every live consumer on the (re)opened consume channel.
    /// A consumer the broker refuses (its queue is gone...) ends with that error instead of
    /// silently stopping.
    func restartConsumers() throws(AMQPError) {
        for tag in consumerOrder {
            guard let record = consumers[tag] else { continue }
            do {
                try startConsumer(record)
            } catch .channelClosed(let code, let text) {
                logger.error("AMQP could not restart a consumer", metadata: ["consumer": "\(tag)", "code": "\(code)", "text": "\(text)"])
                removeConsumer(tag)?.deliveries.finish(throwing: AMQPError.channelClosed(code: code, text: text))
                try openChannel(ChannelID.consume)
            }
        }
    }

    /// basic.qos (per consumer) then basic.consume.
    func startConsumer(_ record: ConsumerRecord) throws(AMQPError) {
        guard let connection else { throw .connectionLost("not connected") }
        if amqp_basic_qos(connection, ChannelID.consume, 0, record.prefetch, 0) == nil {
            throw rpcFailure(channel: ChannelID.consume)
        }
        let arena = CArena()
        let arguments = arena.table(record.arguments)
        let ok = withAMQPBytes(record.queue) { queue in
            withAMQPBytes(record.tag) { tag in
                amqp_basic_consume(connection, ChannelID.consume, queue, tag, 0, 0, record.exclusive ? 1 : 0, arguments)
            }
        }
        if ok == nil { throw rpcFailure(channel: ChannelID.consume) }
    }

    func removeConsumer(_ tag: String) -> ConsumerRecord? {
        consumerOrder.removeAll { $0 == tag }
        return consumers.removeValue(forKey: tag)
    }

    /// Re-declares remembered exchanges, queues and bindings, then restarts consumers.
    func restoreTopologyAndConsumers() throws(AMQPError) {
        func tolerate(_ what: String, _ body: () throws(AMQPError) -> Void) throws(AMQPError) {
            do {
                try body()
            } catch .channelClosed(let code, let text) {
                logger.error("AMQP could not restore \(what)", metadata: ["code": "\(code)", "text": "\(text)"])
                try openChannel(ChannelID.control)
            }
        }
        for exchange in exchanges { try tolerate("exchange '\(exchange.name)'") { () throws(AMQPError) in try exchangeDeclareOnBroker(exchange) } }
        for queue in queues { try tolerate("queue '\(queue.name)'") { () throws(AMQPError) in _ = try queueDeclareOnBroker(queue, passive: false) } }
        for binding in bindings { try tolerate("binding of '\(binding.queue)'") { () throws(AMQPError) in try bindOnBroker(binding) } }
        try restartConsumers()
    }
}
