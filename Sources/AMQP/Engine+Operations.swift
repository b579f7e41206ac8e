import CRabbitMQ
import Foundation
import Logging

// Operations run on the owner thread on behalf of AMQPConnection's public methods.
extension Engine {
    // MARK: declarations (control channel)

    func declare(_ exchange: ExchangeDeclaration) throws(AMQPError) {
        try ensureChannel(ChannelID.control)
        try exchangeDeclareOnBroker(exchange)
        exchanges.removeAll { $0.name == exchange.name }
        exchanges.append(exchange)
    }

    func declare(_ queue: QueueDeclaration) throws(AMQPError) -> QueueState {
        try ensureChannel(ChannelID.control)
        let state = try queueDeclareOnBroker(queue, passive: false)
        var remembered = queue
        remembered.name = state.name
        queues.removeAll { $0.name == state.name }
        queues.append(remembered)
        return state
    }

    func bind(_ binding: QueueBinding) throws(AMQPError) {
        try ensureChannel(ChannelID.control)
        try bindOnBroker(binding)
        if !bindings.contains(binding) { bindings.append(binding) }
    }

    func queueState(_ name: String) throws(AMQPError) -> QueueState? {
        try ensureChannel(ChannelID.control)
        do {
            return try queueDeclareOnBroker(QueueDeclaration(name: name), passive: true)
        } catch .channelClosed(let code, let text) {
            if code == 404 { return nil }
            throw .channelClosed(code: code, text: text)
        }
    }

    func purgeQueue(_ name: String) throws(AMQPError) -> UInt32 {
        try ensureChannel(ChannelID.control)
        guard let connection else { throw .connectionLost("not connected") }
        let ok = withAMQPBytes(name) { amqp_queue_purge(connection, ChannelID.control, $0) }
        guard let ok else { throw rpcFailure(channel: ChannelID.control) }
        return ok.pointee.message_count
    }

    func deleteQueue(_ name: String) throws(AMQPError) -> UInt32 {
        try ensureChannel(ChannelID.control)
        guard let connection else { throw .connectionLost("not connected") }
        let ok = withAMQPBytes(name) { amqp_queue_delete(connection, ChannelID.control, $0, 0, 0) }
        guard let ok else { throw rpcFailure(channel: ChannelID.control) }
        queues.removeAll { $0.name == name }
        bindings.removeAll { $0.queue == name }
        return ok.pointee.message_count
    }

    func exchangeDeclareOnBroker(_ exchange: ExchangeDeclaration) throws(AMQPError) {
        guard let connection else { throw .connectionLost("not connected") }
        let arena = CArena()
        let arguments = arena.table(exchange.arguments)
        let ok = withAMQPBytes(exchange.name) { name in
            withAMQPBytes(exchange.type.rawValue) { type in
                amqp_exchange_declare(connection, ChannelID.control, name, type, 0, exchange.durable ? 1 : 0,
                                      exchange.autoDelete ? 1 : 0, exchange.internal ? 1 : 0, arguments)
            }
        }
        if ok == nil { throw rpcFailure(channel: ChannelID.control) }
    }

    func queueDeclareOnBroker(_ queue: QueueDeclaration, passive: Bool) throws(AMQPError) -> QueueState {
        guard let connection else { throw .connectionLost("not connected") }
        let arena = CArena()
        let arguments = arena.table(passive ? [:] : queue.arguments)
        let ok = withAMQPBytes(queue.name) { name in
            amqp_queue_declare(connection, ChannelID.control, name, passive ? 1 : 0, queue.durable ? 1 : 0,
                               queue.exclusive ? 1 : 0, queue.autoDelete ? 1 : 0, arguments)
        }
        guard let ok else { throw rpcFailure(channel: ChannelID.control) }
        return QueueState(name: ok.pointee.queue.string, messageCount: ok.pointee.message_count,
                          consumerCount: ok.pointee.consumer_count)
    }

    func bindOnBroker(_ binding: QueueBinding) throws(AMQPError) {
        guard let connection else { throw .connectionLost("not connected") }
        let arena = CArena()
        let arguments = arena.table(binding.arguments)
        let ok = withAMQPBytes(binding.queue) { queue in
            withAMQPBytes(binding.exchange) { exchange in
                withAMQPBytes(binding.routingKey) { key in
                    amqp_queue_bind(connection, ChannelID.control, queue, exchange, key, arguments)
                }
            }
        }
        if ok == nil { throw rpcFailure(channel: ChannelID.control) }
    }

    // MARK: publishing (publish channel, confirm mode)

    /// Queues a publish for ``flushPublishes()`` at the end of the current batch of jobs.
    func deferPublish(_ messages: [OutgoingMessage], promise: Promise<Void>) {
        deferredPublishes.append((messages, promise))
    }

    /// Writes the queued publishes. With more than one message the socket is corked meanwhile
    /// (TCP_CORK): rabbitmq-c writes three frames per message with a system call each, and
    /// corked they leave as a few full segments instead of a burst of small ones, which costs
    /// both this process and the broker less per message.
    func flushPublishes() {
        guard !deferredPublishes.isEmpty else { return }
        let batches = deferredPublishes
        deferredPublishes = []
        // Opening the channel is an RPC, which must not sit in a corked socket.
        try? ensureChannel(ChannelID.publish)
        var fd: Int32 = -1
        if batches.count > 1 || (batches.first?.messages.count ?? 0) > 1, isConnected, let connection {
            fd = amqp_get_sockfd(connection)
            setCork(fd, true)
        }
        for batch in batches { publish(batch.messages, promise: batch.promise) }
        if fd >= 0 { setCork(fd, false) }
    }

    private func setCork(_ fd: Int32, _ on: Bool) {
        var value: Int32 = on ? 1 : 0
        _ = setsockopt(fd, Int32(IPPROTO_TCP), 3 /* TCP_CORK */, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Publishes every message, then resolves `promise` when all are confirmed (or on the first failure).
    func publish(_ messages: [OutgoingMessage], promise: Promise<Void>) {
        do {
            try ensureChannel(ChannelID.publish)
        } catch {
            return promise.fail(error)
        }
        guard !messages.isEmpty else { return promise.succeed() }
        let batch = ConfirmBatch(remaining: messages.count, promise: promise)
        for (index, message) in messages.enumerated() {
            guard isConnected, openChannels.contains(ChannelID.publish), let connection else {
                // The connection or channel broke mid-batch; the promise has already failed.
                return promise.fail(AMQPError.connectionLost("the connection broke during the batch"))
            }
            if promise.isDone { return }
            let arena = CArena()
            var properties = arena.properties(message.properties)
            let status = withAMQPBytes(message.exchange) { exchange in
                withAMQPBytes(message.routingKey) { key in
                    message.body.withUnsafeBytes { body in
                        amqp_basic_publish(connection, ChannelID.publish, exchange, key, message.mandatory ? 1 : 0, 0,
                                           &properties, amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
                    }
                }
            }
            guard status == statusOK else {
                let reason = statusText(status)
                connectionLost(reason)
                return promise.fail(AMQPError.connectionLost(reason))
            }
            publishSequence += 1
            pendingConfirms[publishSequence] = PendingConfirm(
                batch: batch, mandatory: message.mandatory,
                exchange: message.mandatory ? message.exchange : "", routingKey: message.mandatory ? message.routingKey : "",
                returned: nil)
            // Keep reading confirms during long batches so neither side's buffers fill up.
            if index % 128 == 127 { pump(timeoutMicroseconds: 0) }
        }
    }

    // MARK: consuming (consume channel)

    func consume(_ record: ConsumerRecord) throws(AMQPError) {
        guard consumers[record.tag] == nil else { throw .invalidArgument("consumer tag '\(record.tag)' is already in use") }
        try ensureChannel(ChannelID.consume)
        try startConsumer(record)
        consumers[record.tag] = record
        consumerOrder.append(record.tag)
    }

    func cancel(consumerTag tag: String) throws(AMQPError) {
        guard let record = consumers[tag] else { return }
        if isConnected, openChannels.contains(ChannelID.consume), let connection {
            let ok = withAMQPBytes(tag) { amqp_basic_cancel(connection, ChannelID.consume, $0) }
            if ok == nil {
                let error = rpcFailure(channel: ChannelID.consume)
                if case .channelClosed = error {} else if case .connectionLost = error {} else { throw error }
            }
        }
        _ = removeConsumer(tag)
        record.deliveries.finish()
    }

    enum Acknowledgement {
        case ack(multiple: Bool)
        case nack(multiple: Bool, requeue: Bool)
        case reject(requeue: Bool)
    }

    func acknowledge(_ tag: AMQPDeliveryTag, _ acknowledgement: Acknowledgement) throws(AMQPError) {
        guard tag.connectionID == connectionID, tag.generation == generation, isConnected,
              openChannels.contains(ChannelID.consume) else {
            throw .staleDelivery
        }
        // Single acks queued earlier go first, so frames leave in the order they were asked for.
        flushAcks()
        guard isConnected, let connection else { throw .staleDelivery }
        let status: Int32
        let multiple: Bool
        switch acknowledgement {
        case .ack(let m):
            multiple = m
            status = amqp_basic_ack(connection, ChannelID.consume, tag.value, m ? 1 : 0)
        case .nack(let m, let requeue):
            multiple = m
            status = amqp_basic_nack(connection, ChannelID.consume, tag.value, m ? 1 : 0, requeue ? 1 : 0)
        case .reject(let requeue):
            multiple = false
            status = amqp_basic_reject(connection, ChannelID.consume, tag.value, requeue ? 1 : 0)
        }
        guard status == statusOK else {
            let reason = statusText(status)
            connectionLost(reason)
            throw .connectionLost(reason)
        }
        settled(tag.value, multiple: multiple)
    }

    /// Queues a single ack; ``flushAcks()`` sends it, together with the others of the same batch
    /// of jobs, and then resolves `promise` (nil: nobody waits, see `queueAckNoWait`).
    func queueAck(_ tag: AMQPDeliveryTag, promise: Promise<Void>?) {
        guard tag.connectionID == connectionID, tag.generation == generation, isConnected,
              openChannels.contains(ChannelID.consume) else {
            promise?.fail(AMQPError.staleDelivery)
            return
        }
        pendingAcks.append((tag.value, promise))
    }

    /// Sends the queued acks: the longest run of them that covers every unsettled delivery from
    /// the oldest one on goes as one `multiple` ack (nothing else is acknowledged by it), the rest
    /// one by one. Deliveries usually finish in about the order they arrived, so a batch of
    /// acks mostly becomes one frame.
    func flushAcks() {
        guard !pendingAcks.isEmpty else { return }
        let acks = pendingAcks
        pendingAcks = []
        guard isConnected, openChannels.contains(ChannelID.consume), let connection else {
            for ack in acks { ack.promise?.fail(AMQPError.staleDelivery) }
            return
        }
        var requested = Set(acks.map(\.tag))
        var covered = 0
        while covered < unsettled.count, requested.contains(unsettled[covered]) { covered += 1 }
        var failure: String?
        if covered >= 2 {
            let status = amqp_basic_ack(connection, ChannelID.consume, unsettled[covered - 1], 1)
            if status == statusOK {
                for tag in unsettled[..<covered] { requested.remove(tag) }
                unsettled.removeFirst(covered)
            } else {
                failure = statusText(status)
            }
        }
        if failure == nil {
            for tag in requested.sorted() {
                let status = amqp_basic_ack(connection, ChannelID.consume, tag, 0)
                guard status == statusOK else { failure = statusText(status); break }
                settled(tag, multiple: false)
            }
        }
        if let failure {
            connectionLost(failure)
            for ack in acks { ack.promise?.fail(AMQPError.connectionLost(failure)) }
            return
        }
        for ack in acks { ack.promise?.succeed() }
    }

    func failPendingAcks(_ error: AMQPError) {
        guard !pendingAcks.isEmpty else { return }
        let acks = pendingAcks
        pendingAcks = []
        for ack in acks { ack.promise?.fail(error) }
    }

    /// Forgets settled delivery tags (`multiple`: every one up to `tag`).
    private func settled(_ tag: UInt64, multiple: Bool) {
        if multiple {
            unsettled.removeAll { $0 <= tag }
        } else if let index = unsettledIndex(of: tag) {
            unsettled.remove(at: index)
        }
    }

    private func unsettledIndex(of tag: UInt64) -> Int? {
        var low = 0, high = unsettled.count
        while low < high {
            let mid = (low + high) / 2
            if unsettled[mid] < tag { low = mid + 1 } else { high = mid }
        }
        return low < unsettled.count && unsettled[low] == tag ? low : nil
    }
}
