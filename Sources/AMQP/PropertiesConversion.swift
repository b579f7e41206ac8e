import CRabbitMQ

// AMQP_BASIC_*_FLAG
private enum Flag {
    static let contentType: UInt32 = 1 << 15
    static let contentEncoding: UInt32 = 1 << 14
    static let headers: UInt32 = 1 << 13
    static let deliveryMode: UInt32 = 1 << 12
    static let priority: UInt32 = 1 << 11
    static let correlationID: UInt32 = 1 << 10
    static let replyTo: UInt32 = 1 << 9
    static let expiration: UInt32 = 1 << 8
    static let messageID: UInt32 = 1 << 7
    static let timestamp: UInt32 = 1 << 6
    static let type: UInt32 = 1 << 5
    static let userID: UInt32 = 1 << 4
    static let appID: UInt32 = 1 << 3
}

extension AMQPProperties {
    /// Copies rabbitmq-c's decoded properties.
    init(_ p: amqp_basic_properties_t) {
        let flags = p._flags
        func has(_ flag: UInt32) -> Bool { flags & flag != 0 }
        self.init()
        if has(Flag.contentType) { contentType = p.content_type.string }
        if has(Flag.contentEncoding) { contentEncoding = p.content_encoding.string }
        if has(Flag.headers) { headers = FieldTableDecoder.table(p.headers) }
        if has(Flag.deliveryMode) { deliveryMode = DeliveryMode(rawValue: p.delivery_mode) }
        if has(Flag.priority) { priority = p.priority }
        if has(Flag.correlationID) { correlationID = p.correlation_id.string }
        if has(Flag.replyTo) { replyTo = p.reply_to.string }
        if has(Flag.expiration) { expiration = p.expiration.string }
        if has(Flag.messageID) { messageID = p.message_id.string }
        if has(Flag.timestamp) { timestamp = p.timestamp }
        if has(Flag.type) { type = p.type.string }
        if has(Flag.userID) { userID = p.user_id.string }
        if has(Flag.appID) { appID = p.app_id.string }
    }
}

extension CArena {
    /// `properties` as rabbitmq-c's struct, with its memory in the arena.
    func properties(_ properties: AMQPProperties) -> amqp_basic_properties_t {
        var p = amqp_basic_properties_t()
        var flags: UInt32 = 0
        if let v = properties.contentType { flags |= Flag.contentType; p.content_type = bytes(v) }
        if let v = properties.contentEncoding { flags |= Flag.contentEncoding; p.content_encoding = bytes(v) }
        if let v = properties.headers { flags |= Flag.headers; p.headers = table(v) }
        if let v = properties.deliveryMode { flags |= Flag.deliveryMode; p.delivery_mode = v.rawValue }
        if let v = properties.priority { flags |= Flag.priority; p.priority = v }
        if let v = properties.correlationID { flags |= Flag.correlationID; p.correlation_id = bytes(v) }
        if let v = properties.replyTo { flags |= Flag.replyTo; p.reply_to = bytes(v) }
        if let v = properties.expiration { flags |= Flag.expiration; p.expiration = bytes(v) }
        if let v = properties.messageID { flags |= Flag.messageID; p.message_id = bytes(v) }
        if let v = properties.timestamp { flags |= Flag.timestamp; p.timestamp = v }
        if let v = properties.type { flags |= Flag.type; p.type = bytes(v) }
        if let v = properties.userID { flags |= Flag.userID; p.user_id = bytes(v) }
        if let v = properties.appID { flags |= Flag.appID; p.app_id = bytes(v) }
        p._flags = flags
        return p
    }
}
