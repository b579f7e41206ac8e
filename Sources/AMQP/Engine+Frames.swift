import CRabbitMQ
import Logging

// The incoming-frame state machine: deliveries and returns (method → header → body frames),
// publisher confirms, and broker-initiated closes and cancels.
extension Engine {
    func handle(_ frame: amqp_frame_t) {
        let channel = frame.channel
        switch frame.frame_type {
        case FrameType.method:
            handleMethod(frame.payload.method, channel: channel)
        case FrameType.header:
            guard var partial = partials.removeValue(forKey: channel) else { return }
            if let decoded = frame.payload.properties.decoded {
                partial.properties = AMQPProperties(decoded.assumingMemoryBound(to: amqp_basic_properties_t.self).pointee)
            }
            partial.bodySize = Int(frame.payload.properties.body_size)
            if partial.bodySize == 0 {
                complete(partial, channel: channel)
            } else {
                partial.body.reserveCapacity(partial.bodySize)
                partials[channel] = partial
            }
        case FrameType.body:
            guard var partial = partials.removeValue(forKey: channel), partial.bodySize >= 0 else { return }
            let fragment = frame.payload.body_fragment
            if fragment.len > 0, let bytes = fragment.bytes {
                partial.body.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: fragment.len))
            }
            if partial.body.count >= partial.bodySize {
                complete(partial, channel: channel)
            } else {
                partials[channel] = partial
            }
        default:
            break
        }
    }

    private func handleMethod(_ method: amqp_method_t, channel: UInt16) {
        guard let decoded = method.decoded else { return }
        switch method.id {
        case MethodID.basicDeliver:
            let m = decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            partials[channel] = PartialMessage(
                kind: .deliver(deliveryTag: m.delivery_tag, consumerTag: m.consumer_tag.string,
                               redelivered: m.redelivered != 0, generation: generation),
                exchange: m.exchange.string, routingKey: m.routing_key.string)
        case MethodID.basicReturn:
            let m = decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            partials[channel] = PartialMessage(kind: .return(code: m.reply_code, text: m.reply_text.string),
                                               exchange: m.exchange.string, routingKey: m.routing_key.string)
        case MethodID.basicAck:
            let m = decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            confirm(m.delivery_tag, multiple: m.multiple != 0, nack: false)
        case MethodID.basicNack:
            let m = decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            confirm(m.delivery_tag, multiple: m.multiple != 0, nack: true)
        case MethodID.basicCancel:
            let m = decoded.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            let tag = m.consumer_tag.string
            logger.warning("AMQP consumer cancelled by the broker", metadata: ["consumer": "\(tag)"])
            if m.nowait == 0, let connection {
                let arena = CArena()
                var ok = amqp_basic_cancel_ok_t(consumer_tag: arena.bytes(tag))
                _ = amqp_send_method(connection, channel, MethodID.basicCancelOk, &ok)
            }
            removeConsumer(tag)?.deliveries.finish(throwing: AMQPError.consumerCancelled(tag: tag))
        case MethodID.channelClose:
            let m = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            channelClosedByBroker(channel, code: m.reply_code, text: m.reply_text.string)
        case MethodID.connectionClose:
            let m = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            let reason = "the broker closed the connection: \(m.reply_code) \(m.reply_text.string)"
            if let connection {
                var closeOk = amqp_connection_close_ok_t()
                _ = amqp_send_method(connection, 0, MethodID.connectionCloseOk, &closeOk)
            }
            connectionLost(reason)
        case MethodID.connectionBlocked:
            logger.warning("AMQP broker blocked publishing (resource alarm)")
        case MethodID.connectionUnblocked:
            logger.info("AMQP broker unblocked publishing")
        default:
            logger.debug("AMQP ignoring method", metadata: ["method": "0x\(String(method.id, radix: 16))", "channel": "\(channel)"])
        }
    }

    private func complete(_ partial: PartialMessage, channel: UInt16) {
        switch partial.kind {
        case .deliver(let deliveryTag, let consumerTag, let redelivered, let generation):
            guard let consumer = consumers[consumerTag] else {
                // Arrived after a cancel: give it back to the queue.
                if let connection, isConnected, openChannels.contains(channel), generation == self.generation {
                    _ = amqp_basic_reject(connection, channel, deliveryTag, 1)
                }
                return
            }
            if channel == ChannelID.consume { unsettled.append(deliveryTag) }
            let delivery = AMQPDelivery(
                body: partial.body, properties: partial.properties, exchange: partial.exchange,
                routingKey: partial.routingKey, redelivered: redelivered, consumerTag: consumerTag,
                deliveryTag: AMQPDeliveryTag(value: deliveryTag, generation: generation, connectionID: connectionID))
            consumer.deliveries.yield(delivery)
        case .return(let code, let text):
            let error = AMQPError.unroutable(code: code, text: text, exchange: partial.exchange, routingKey: partial.routingKey)
            let match = pendingConfirms.filter {
                $0.value.mandatory && $0.value.returned == nil && $0.value.exchange == partial.exchange
                    && $0.value.routingKey == partial.routingKey
            }.keys.min()
            if let match { pendingConfirms[match]?.returned = error }
        }
    }

    /// A publisher confirm (basic.ack / basic.nack), honouring `multiple`.
    private func confirm(_ tag: UInt64, multiple: Bool, nack: Bool) {
        if multiple {
            var sequence = confirmFloor
            while sequence <= tag {
                if let pending = pendingConfirms.removeValue(forKey: sequence) { resolve(pending, nack: nack) }
                sequence += 1
            }
            confirmFloor = max(confirmFloor, tag &+ 1)
        } else {
            if let pending = pendingConfirms.removeValue(forKey: tag) { resolve(pending, nack: nack) }
            while confirmFloor <= publishSequence && pendingConfirms[confirmFloor] == nil { confirmFloor += 1 }
        }
    }

    private func resolve(_ pending: PendingConfirm, nack: Bool) {
        if let error = pending.returned ?? (nack ? AMQPError.nacked : nil) {
            pending.batch.promise.fail(error)
            return
        }
        pending.batch.remaining -= 1
        if pending.batch.remaining == 0 { pending.batch.promise.succeed() }
    }
}
