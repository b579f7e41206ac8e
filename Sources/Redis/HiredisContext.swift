import CHiredis
import Foundation

/// A hiredis connection. Not thread-safe: only its owner thread touches it.
final class HiredisContext {
    private let context: UnsafeMutablePointer<redisContext>

    /// Connects, authenticates and selects the database; throws clear errors.
    init(_ configuration: RedisConfiguration) throws(RedisError) {
        let timeout = Self.timeval(configuration.connectTimeout)
        guard let context = redisConnectWithTimeout(configuration.host, Int32(configuration.port), timeout) else {
            throw RedisError(.connection("out of memory creating a connection to \(configuration.endpoint)"))
        }
        self.context = context
        // From here on, a throw still runs deinit, which frees the context.
        if context.pointee.err != 0 {
            let message = Self.errorText(context)
            throw RedisError(.connection("\(configuration.host):\(configuration.port): \(message)"))
        }
        _ = redisSetTimeout(context, Self.timeval(configuration.commandTimeout))
        _ = redisEnableKeepAlive(context)
        if let password = configuration.password {
            let auth: [RedisArgument] = configuration.user.map { ["AUTH", RedisArgument($0), RedisArgument(password)] }
                ?? ["AUTH", RedisArgument(password)]
            try expectOK(try command(auth), authentication: true)
        }
        if configuration.database != 0 {
            try expectOK(try command(["SELECT", RedisArgument(configuration.database)]), authentication: false)
        }
        if let name = configuration.connectionName {
            _ = try command(["CLIENT", "SETNAME", RedisArgument(name.replacingOccurrences(of: " ", with: "-"))])
        }
    }

    deinit { redisFree(context) }

    var fileDescriptor: Int32 { context.pointee.fd }

    /// True when the server has closed an idle connection (restart, timeout, CLIENT KILL).
    /// An idle command connection has nothing to read, so readability means end of stream.
    var isClosedByPeer: Bool {
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(context.pointee.fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) <= 0
    }

    private func expectOK(_ reply: RedisValue, authentication: Bool) throws(RedisError) {
        if case .error(let message) = reply {
            let refused = message.hasPrefix("WRONGPASS") || message.hasPrefix("NOAUTH") || message.contains("invalid password")
                || message.contains("without any password configured")
            throw RedisError(authentication || refused ? .authentication(message) : .server(message))
        }
    }

    /// Queues a command in the output buffer (nothing is sent until ``flush()``).
    func append(_ arguments: [RedisArgument]) throws(RedisError) {
        var lengths = arguments.map { $0.bytes.count }
        var storage = [UInt8]()
        storage.reserveCapacity(lengths.reduce(0, +) + 1)
        for argument in arguments { storage.append(contentsOf: argument.bytes) }
        storage.append(0)
        let rc = storage.withUnsafeBufferPointer { buffer -> Int32 in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var offset = 0
            var pointers: [UnsafePointer<CChar>?] = lengths.map { length in
                defer { offset += length }
                return base + offset
            }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeMutableBufferPointer { argvlen in
                    redisAppendCommandArgv(context, Int32(arguments.count), argv.baseAddress, argvlen.baseAddress)
                }
            }
        }
        if rc != REDIS_OK { throw lost() }
    }

    /// Writes everything appended so far.
    func flush() throws(RedisError) {
        var done: Int32 = 0
        while done == 0 {
            if redisBufferWrite(context, &done) != REDIS_OK { throw lost() }
        }
    }

    /// Blocks for the next reply (bounded by the command timeout).
    func readReply() throws(RedisError) -> RedisValue {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw lost() }
        defer { freeReplyObject(raw) }
        return Self.convert(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Reads what the socket has without blocking past it, then returns every complete reply.
    /// Call only when the socket is readable.
    func readAvailable() throws(RedisError) -> [RedisValue] {
        if redisBufferRead(context) != REDIS_OK { throw lost() }
        var replies: [RedisValue] = []
        while true {
            var raw: UnsafeMutableRawPointer?
            if redisGetReplyFromReader(context, &raw) != REDIS_OK { throw lost() }
            guard let raw else { break }
            replies.append(Self.convert(raw.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
        }
        return replies
    }

    /// Sends one command and waits for its reply (error replies are returned, not thrown).
    func command(_ arguments: [RedisArgument]) throws(RedisError) -> RedisValue {
        try append(arguments)
        try flush()
        return try readReply()
    }

    private func lost() -> RedisError {
        RedisError(.connectionLost(Self.errorText(context)))
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        let text = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return text.isEmpty ? "I/O error (code \(context.pointee.err))" : text
    }

    private static func timeval(_ duration: Duration) -> timeval {
        let parts = duration.components
        return Foundation.timeval(tv_sec: Int(parts.seconds), tv_usec: Int(parts.attoseconds / 1_000_000_000_000))
    }

    static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let r = reply.pointee
        switch Int32(r.type) {
        case REDIS_REPLY_STRING:
            return .bulk(r.len > 0 ? Array(UnsafeRawBufferPointer(start: r.str, count: r.len)) : [])
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: UnsafeRawBufferPointer(start: r.str, count: r.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: UnsafeRawBufferPointer(start: r.str, count: r.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(r.integer)
        case REDIS_REPLY_ARRAY:
            return .array((0..<r.elements).map { convert(r.element[$0]!) })
        default:
            return .null
        }
    }
}
