// raw-limit: what one Celeriac task costs the servers, without Celeriac.
//
// A loop straight on rabbitmq-c (CRabbitMQ) and hiredis (CHiredis), no Swift client layers:
// one producer publishes N persistent messages with publisher confirms (a window of unconfirmed
// messages in flight, confirms read as they come), RAW_CONSUMERS consumer threads (each with its
// own AMQP and Redis connection, like a worker process) take deliveries with a prefetch, write
// SETEX + PUBLISH of a result per message (all deliveries at hand pipelined in one Redis round
// trip) and acknowledge them with one `multiple` ack. Messages are the size of a Celeriac
// `demo.add` message (same headers, properties and body layout); results the size of its
// stored result. Prints one JSON line: messages/s from the first publish to the last ack.
// RAW_RESULTS=0 leaves Redis out (publish with confirm, consume, ack): the limit for tasks whose
// results are ignored. RAW_TRANSIENT=1 publishes transient (delivery mode 1) instead of
// persistent messages, to see what persistence costs the broker (Celery tasks are persistent).
//
//   raw-limit N        (AMQP_URL, REDIS_URL; RAW_CONSUMERS=2, RAW_PREFETCH=256, RAW_WINDOW=1024,
//                       RAW_QUEUE=bench.raw, RAW_RESULTS=1, RAW_TRANSIENT=0)
import CHiredis
import CRabbitMQ
import Foundation
import Synchronization

// MARK: configuration

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("raw-limit: \(message)\n".utf8))
    exit(1)
}

let environment = ProcessInfo.processInfo.environment
guard CommandLine.arguments.count == 2, let total = Int(CommandLine.arguments[1]), total > 0 else {
    fail("usage: raw-limit COUNT (AMQP_URL and REDIS_URL set)")
}
guard let amqpURL = environment["AMQP_URL"].flatMap(URLComponents.init(string:)),
      let redisURL = environment["REDIS_URL"].flatMap(URLComponents.init(string:)) else {
    fail("AMQP_URL and REDIS_URL must be set")
}
struct Settings: Sendable {
    var total: Int
    var consumers: Int
    var prefetch: UInt16
    var window: Int
    var queue: String
    var resultExpires = 86_400
    var storeResults = true
    var transient = false
}
let settings = Settings(total: total, consumers: Int(environment["RAW_CONSUMERS"] ?? "") ?? 2,
                        prefetch: UInt16(environment["RAW_PREFETCH"] ?? "") ?? 256,
                        window: Int(environment["RAW_WINDOW"] ?? "") ?? 1024,
                        queue: environment["RAW_QUEUE"] ?? "bench.raw",
                        storeResults: environment["RAW_RESULTS"] != "0", transient: environment["RAW_TRANSIENT"] == "1")

struct AMQPTarget: Sendable {
    var host: String, port: Int32, user: String, password: String, vhost: String
}
let amqpTarget = AMQPTarget(
    host: amqpURL.host ?? "127.0.0.1", port: Int32(amqpURL.port ?? 5672),
    user: amqpURL.user?.removingPercentEncoding ?? "guest", password: amqpURL.password?.removingPercentEncoding ?? "guest",
    vhost: { () -> String in
        let path = String(amqpURL.percentEncodedPath.dropFirst())
        return path.isEmpty ? "/" : (path.removingPercentEncoding ?? path)
    }())
struct RedisTarget: Sendable {
    var host: String, port: Int32, user: String?, password: String?, database: Int
}
let redisTarget = RedisTarget(
    host: redisURL.host ?? "127.0.0.1", port: Int32(redisURL.port ?? 6379),
    user: redisURL.user.flatMap { $0.isEmpty || $0 == "default" ? nil : $0.removingPercentEncoding },
    password: redisURL.password?.removingPercentEncoding,
    database: Int(redisURL.path.dropFirst()) ?? 0)

// MARK: rabbitmq-c helpers (amqp_login is variadic, which Swift cannot call: the handshake is done by hand)

let methodConnectionStart: UInt32 = 0x000A_000A, methodConnectionStartOk: UInt32 = 0x000A_000B
let methodConnectionTune: UInt32 = 0x000A_001E, methodConnectionTuneOk: UInt32 = 0x000A_001F
let methodConnectionOpen: UInt32 = 0x000A_0028, methodConnectionOpenOk: UInt32 = 0x000A_0029
let methodBasicDeliver: UInt32 = 0x003C_003C, methodBasicAck: UInt32 = 0x003C_0050
let methodBasicNack: UInt32 = 0x003C_0078
let statusOK = AMQP_STATUS_OK.rawValue, statusTimeout = AMQP_STATUS_TIMEOUT.rawValue

/// C memory kept for the life of the process (strings and tables handed to rabbitmq-c).
func cBytes(_ string: String) -> amqp_bytes_t { cBytes(Array(string.utf8)) }
func cBytes(_ bytes: [UInt8]) -> amqp_bytes_t {
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count + 1)
    buffer.initialize(from: bytes, count: bytes.count)
    buffer[bytes.count] = 0
    return amqp_bytes_t(len: bytes.count, bytes: UnsafeMutableRawPointer(buffer))
}

func waitMethod(_ conn: amqp_connection_state_t, _ id: UInt32) -> amqp_method_t {
    while true {
        var frame = amqp_frame_t()
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        let status = amqp_simple_wait_frame_noblock(conn, &frame, &timeout)
        guard status == statusOK else { fail("AMQP handshake: \(String(cString: amqp_error_string2(status)))") }
        if frame.frame_type == 1, frame.payload.method.id == id { return frame.payload.method }
        if frame.frame_type == 1 { fail("AMQP handshake: unexpected method 0x\(String(frame.payload.method.id, radix: 16)) (login refused?)") }
    }
}

func rpcOK(_ conn: amqp_connection_state_t, _ what: String) {
    let reply = amqp_get_rpc_reply(conn)
    if reply.reply_type != AMQP_RESPONSE_NORMAL { fail("\(what) failed (reply type \(reply.reply_type.rawValue))") }
}

func amqpConnect(_ target: AMQPTarget) -> amqp_connection_state_t {
    guard let conn = amqp_new_connection(), let socket = amqp_tcp_socket_new(conn) else { fail("rabbitmq-c allocation") }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    guard amqp_socket_open_noblock(socket, target.host, target.port, &timeout) == statusOK else {
        fail("cannot connect to \(target.host):\(target.port)")
    }
    guard amqp_send_header(conn) == statusOK else { fail("AMQP header") }
    _ = waitMethod(conn, methodConnectionStart)
    var startOk = amqp_connection_start_ok_t(
        client_properties: amqp_table_t(num_entries: 0, entries: nil), mechanism: cBytes("PLAIN"),
        response: cBytes([0] + Array(target.user.utf8) + [0] + Array(target.password.utf8)), locale: cBytes("en_US"))
    guard amqp_send_method(conn, 0, methodConnectionStartOk, &startOk) == statusOK else { fail("start-ok") }
    let tune = waitMethod(conn, methodConnectionTune).decoded!.assumingMemoryBound(to: amqp_connection_tune_t.self).pointee
    let frameMax = Int32(tune.frame_max == 0 ? 131_072 : min(tune.frame_max, 131_072))
    guard amqp_tune_connection(conn, Int32(tune.channel_max), frameMax, 0) == statusOK else { fail("tune") }
    var tuneOk = amqp_connection_tune_ok_t(channel_max: tune.channel_max, frame_max: UInt32(frameMax), heartbeat: 0)
    guard amqp_send_method(conn, 0, methodConnectionTuneOk, &tuneOk) == statusOK else { fail("tune-ok") }
    var open = amqp_connection_open_t(virtual_host: cBytes(target.vhost), capabilities: amqp_bytes_t(len: 0, bytes: nil), insist: 1)
    if amqp_simple_rpc_decoded(conn, 0, methodConnectionOpen, methodConnectionOpenOk, &open) == nil {
        fail("opening vhost \(target.vhost)")
    }
    guard amqp_channel_open(conn, 1) != nil else { fail("channel.open") }
    return conn
}

// MARK: hiredis helpers

func redisConnect(_ target: RedisTarget) -> UnsafeMutablePointer<redisContext> {
    guard let context = redisConnect(target.host, target.port), context.pointee.err == 0 else {
        fail("cannot connect to Redis \(target.host):\(target.port)")
    }
    func command(_ words: [String]) {
        var lengths = words.map { $0.utf8.count }
        let strings = words.map { strdup($0) }
        defer { strings.forEach { free($0) } }
        var argv = strings.map { UnsafePointer($0) }
        guard let reply = redisCommandArgv(context, Int32(words.count), &argv, &lengths) else { fail("Redis \(words[0])") }
        let type = reply.assumingMemoryBound(to: redisReply.self).pointee.type
        freeReplyObject(reply)
        if type == REDIS_REPLY_ERROR { fail("Redis \(words[0]) refused") }
    }
    if let password = target.password { command(target.user.map { ["AUTH", $0, password] } ?? ["AUTH", password]) }
    if target.database != 0 { command(["SELECT", String(target.database)]) }
    return context
}

// MARK: the message, as Celeriac sends demo.add

let origin = "gen\(getpid())@\(ProcessInfo.processInfo.hostName)"
func taskID(_ index: Int) -> String {
    // 36 characters, like a UUID.
    let digits = String(index, radix: 16)
    return "00000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
}

/// The Celery protocol v2 headers Celeriac puts on a demo.add message (values vary per message
/// only in the ids, so one table is rebuilt per message with the same sizes).
final class MessageBuilder {
    let entries = UnsafeMutablePointer<amqp_table_entry_t>.allocate(capacity: 8)
    var idBytes = [UInt8](repeating: 0, count: 36)
    let idBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 37)
    var properties = amqp_basic_properties_t()

    init() {
        func string(_ s: String) -> amqp_field_value_t {
            var v = amqp_field_value_t(); v.kind = UInt8(ascii: "S"); v.value.bytes = cBytes(s); return v
        }
        var idValue = amqp_field_value_t(); idValue.kind = UInt8(ascii: "S")
        idValue.value.bytes = amqp_bytes_t(len: 36, bytes: UnsafeMutableRawPointer(idBuffer))
        var boolFalse = amqp_field_value_t(); boolFalse.kind = UInt8(ascii: "t"); boolFalse.value.boolean = 0
        // Celeriac leaves out the optional headers at Celery's default (TaskMessage.forEachHeader).
        let fields: [(String, amqp_field_value_t)] = [
            ("lang", string("py")), ("task", string("demo.add")), ("id", idValue), ("root_id", idValue),
            ("argsrepr", string("[1, 1]")), ("kwargsrepr", string("{}")),
            ("origin", string(origin)), ("ignore_result", boolFalse),
        ]
        for (index, (key, value)) in fields.enumerated() {
            entries[index] = amqp_table_entry_t(key: cBytes(key), value: value)
        }
        properties._flags = (1 << 15) | (1 << 14) | (1 << 13) | (1 << 12) | (1 << 11) | (1 << 10) | (1 << 9)
        properties.content_type = cBytes("application/json")
        properties.content_encoding = cBytes("utf-8")
        properties.headers = amqp_table_t(num_entries: Int32(fields.count), entries: entries)
        properties.delivery_mode = settings.transient ? 1 : 2
        properties.priority = 0
        properties.correlation_id = amqp_bytes_t(len: 36, bytes: UnsafeMutableRawPointer(idBuffer))
        properties.reply_to = cBytes("")
    }

    func set(id: String) {
        var id = id
        id.withUTF8 { idBuffer.update(from: $0.baseAddress!, count: 36) }
    }

    func body(_ index: Int) -> [UInt8] {
        Array("[[\(index), 1], {}, {}]".utf8)
    }
}

/// A result of the size Celeriac stores for demo.add (result_extended fields included).
func resultJSON(_ id: String) -> [UInt8] {
    Array(("{\"args\": [1, 1], \"children\": [], \"date_done\": \"2026-11-23T11:00:00.000000+00:00\", \"kwargs\": {}, "
        + "\"name\": \"demo.add\", \"queue\": \"demo\", \"result\": 2, \"retries\": 0, \"status\": \"SUCCESS\", "
        + "\"task_id\": \"\(id)\", \"traceback\": null, \"worker\": \"raw-1@localhost\"}").utf8)
}

// MARK: consumers

final class Shared: Sendable {
    let processed = Atomic<Int>(0)
    let ready = Atomic<Int>(0)
    let finishedAt = Mutex<ContinuousClock.Instant?>(nil)
}
final class Consumer: @unchecked Sendable {
    let index: Int
    let settings: Settings
    let shared: Shared
    let conn: amqp_connection_state_t
    let redis: UnsafeMutablePointer<redisContext>
    var redisBatches = 0, deliveriesSeen = 0

    init(index: Int, settings: Settings, shared: Shared, amqp: AMQPTarget, redis redisTarget: RedisTarget) {
        self.index = index
        self.settings = settings
        self.shared = shared
        conn = amqpConnect(amqp)
        redis = redisConnect(redisTarget)
        guard amqp_basic_qos(conn, 1, 0, settings.prefetch, 0) != nil else { fail("basic.qos") }
        guard amqp_basic_consume(conn, 1, cBytes(settings.queue), cBytes("raw-\(index)"), 0, 0, 0,
                                 amqp_table_t(num_entries: 0, entries: nil)) != nil else { fail("basic.consume") }
    }

    func run() {
        let total = settings.total
        let expiresText = String(settings.resultExpires)
        var pendingTag: UInt64 = 0
        var pendingCount = 0
        var lastDeliveryTag: UInt64 = 0
        var expectingBody = 0
        var currentID = ""
        while shared.processed.load(ordering: .relaxed) < total {
            // Wait (briefly) for the first frame, then take every frame already at hand.
            var timeout = timeval(tv_sec: 0, tv_usec: pendingCount == 0 ? 20_000 : 0)
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame_noblock(conn, &frame, &timeout)
            if status == statusOK {
                switch frame.frame_type {
                case 1 where frame.payload.method.id == methodBasicDeliver:
                    let deliver = frame.payload.method.decoded!.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
                    lastDeliveryTag = deliver.delivery_tag
                case 2:
                    let props = frame.payload.properties.decoded!.assumingMemoryBound(to: amqp_basic_properties_t.self).pointee
                    currentID = String(decoding: UnsafeRawBufferPointer(start: props.correlation_id.bytes, count: props.correlation_id.len), as: UTF8.self)
                    expectingBody = Int(frame.payload.properties.body_size)
                case 3:
                    expectingBody -= frame.payload.body_fragment.len
                    if expectingBody <= 0 {
                        // A complete delivery: queue its SETEX + PUBLISH.
                        if settings.storeResults {
                            let key = "celery-task-meta-" + currentID
                            let value = resultJSON(currentID)
                            append(["SETEX", key, expiresText], value: value)
                            append(["PUBLISH", key], value: value)
                        }
                        pendingTag = lastDeliveryTag
                        pendingCount += 1
                        deliveriesSeen += 1
                    }
                default: break
                }
                if amqp_data_in_buffer(conn) != 0 || amqp_frames_enqueued(conn) != 0 { continue }
            } else if status != statusTimeout {
                fail("consumer \(index): \(String(cString: amqp_error_string2(status)))")
            }
            guard pendingCount > 0, expectingBody <= 0 else { continue }
            // Nothing more at hand: one Redis round trip for the batch, then one multiple ack.
            if settings.storeResults {
                var done: Int32 = 0
                while done == 0 { if redisBufferWrite(redis, &done) != REDIS_OK { fail("Redis write") } }
                for _ in 0..<(pendingCount * 2) {
                    var reply: UnsafeMutableRawPointer?
                    guard redisGetReply(redis, &reply) == REDIS_OK, let reply else { fail("Redis read") }
                    freeReplyObject(reply)
                }
            }
            guard amqp_basic_ack(conn, 1, pendingTag, 1) == statusOK else { fail("basic.ack") }
            redisBatches += 1
            amqp_maybe_release_buffers(conn)
            let now = shared.processed.add(pendingCount, ordering: .relaxed).newValue
            if now >= total { shared.finishedAt.withLock { $0 = $0 ?? .now } }
            pendingCount = 0
        }
    }

    private func append(_ words: [String], value: [UInt8]) {
        var lengths = words.map { $0.utf8.count } + [value.count]
        let strings = words.map { strdup($0)! }
        defer { strings.forEach { free($0) } }
        value.withUnsafeBufferPointer { bytes in
            var argv: [UnsafePointer<CChar>?] = strings.map { UnsafePointer($0) }
                + [UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)]
            _ = redisAppendCommandArgv(redis, Int32(argv.count), &argv, &lengths)
        }
    }
}

// MARK: setup

let shared = Shared()
let queueName = settings.queue
let control = amqpConnect(amqpTarget)
guard amqp_queue_declare(control, 1, cBytes(queueName), 0, 1, 0, 0, amqp_table_t(num_entries: 0, entries: nil)) != nil else {
    fail("queue.declare \(queueName)")
}
_ = amqp_queue_purge(control, 1, cBytes(queueName))
let consumers = (0..<settings.consumers).map {
    Consumer(index: $0, settings: settings, shared: shared, amqp: amqpTarget, redis: redisTarget)
}
let threads = consumers.map { consumer in Thread { consumer.run() } }

/// The producer: its own connection in confirm mode, a window of unconfirmed messages.
final class Producer {
    let conn: amqp_connection_state_t
    var confirmed: UInt64 = 0
    var published: UInt64 = 0

    init(_ target: AMQPTarget) {
        conn = amqpConnect(target)
        guard amqp_confirm_select(conn, 1) != nil else { fail("confirm.select") }
    }

    func readConfirms(block: Bool) {
        var timeout = timeval(tv_sec: block ? 5 : 0, tv_usec: 0)
        while true {
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame_noblock(conn, &frame, &timeout)
            if status == statusTimeout { return }
            guard status == statusOK else { fail("producer: \(String(cString: amqp_error_string2(status)))") }
            if frame.frame_type == 1 {
                switch frame.payload.method.id {
                case methodBasicAck:
                    let ack = frame.payload.method.decoded!.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
                    confirmed = ack.multiple != 0 ? max(confirmed, ack.delivery_tag) : confirmed + 1
                case methodBasicNack: fail("message nacked")
                default: break
                }
            }
            timeout = timeval(tv_sec: 0, tv_usec: 0)
            if amqp_data_in_buffer(conn) == 0 && amqp_frames_enqueued(conn) == 0 { return }
        }
    }
}
let producer = Producer(amqpTarget)
let builder = MessageBuilder()
let exchange = cBytes("")
let routingKey = cBytes(queueName)
let window = settings.window

for thread in threads { thread.start() }
let start = ContinuousClock.now
for index in 0..<total {
    while producer.published - producer.confirmed >= UInt64(window) { producer.readConfirms(block: true) }
    let id = taskID(index)
    builder.set(id: id)
    let body = builder.body(index)
    let status = body.withUnsafeBytes { raw in
        amqp_basic_publish(producer.conn, 1, exchange, routingKey, 0, 0, &builder.properties,
                           amqp_bytes_t(len: raw.count, bytes: UnsafeMutableRawPointer(mutating: raw.baseAddress)))
    }
    guard status == statusOK else { fail("basic.publish: \(String(cString: amqp_error_string2(status)))") }
    producer.published += 1
    if index % 64 == 63 { producer.readConfirms(block: false); amqp_maybe_release_buffers(producer.conn) }
}
while producer.confirmed < producer.published { producer.readConfirms(block: true) }
let sent = ContinuousClock.now
while shared.processed.load(ordering: .relaxed) < total { usleep(200) }
let end = shared.finishedAt.withLock { $0 } ?? .now
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
let elapsed = seconds(end - start)
let batches = consumers.map(\.redisBatches).reduce(0, +)
print("{\"benchmark\": \"\(settings.storeResults ? "raw_limit" : "raw_limit_ignored")\", \"count\": \(total), \"consumers\": \(settings.consumers), \"prefetch\": \(settings.prefetch), "
    + "\"window\": \(window), \"seconds\": \(elapsed), \"messages_per_second\": \(Double(total) / elapsed), "
    + "\"send_seconds\": \(seconds(sent - start)), \"redis_round_trips\": \(batches), "
    + "\"message_body_bytes\": \(builder.body(1).count), \"result_bytes\": \(resultJSON(taskID(1)).count)}")
exit(0)
