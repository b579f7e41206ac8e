import AMQP
import TestSupport
import Testing

@Suite struct AMQPHeaderTests {
    @Test func everyFieldTypeAndPropertyRoundTrips() async throws {
        let connection = try await connected()
        let configuration = try testConfiguration()
        let queue = TestEnvironment.uniqueName("amqp-headers")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true))
        let headers: AMQPTable = [
            "bool-true": .bool(true),
            "bool-false": .bool(false),
            "int8": .int8(-8),
            "uint8": .uint8(200),
            "int16": .int16(-16_000),
            "uint16": .uint16(60_000),
            "int32": .int32(-2_000_000_000),
            "uint32": .uint32(4_000_000_000),
            "int64": .int64(-9_000_000_000_000_000_000),
            "int64-celery": .integer(1 << 40),
            "float": .float(1.5),
            "double": .double(3.141592653589793),
            "decimal": .decimal(scale: 2, value: 12345),
            "string": .string("héllo wörld ✓"),
            "empty-string": .string(""),
            "bytes": .bytes([0, 1, 2, 255]),
            "timestamp": .timestamp(1_700_000_000),
            "void": .void,
            "timelimit": .array([.void, .void]),
            "mixed-array": .array([.int32(1), .string("two"), .double(3.0), .bool(true), .array([]), .table(["k": .void])]),
            "stamps": .table([:]),
            "nested": .table([
                "inner": .table(["deep": .int64(Int64.max), "list": .array([.int64(Int64.min)])]),
                "flag": .bool(true),
            ]),
            "empty-array": .array([]),
        ]
        let properties = AMQPProperties(
            contentType: "application/json", contentEncoding: "utf-8", headers: headers, deliveryMode: .transient,
            priority: 5, correlationID: "corr-1", replyTo: "reply-queue", expiration: "60000", messageID: "id-1",
            timestamp: 1_700_000_001, type: "task", userID: configuration.user, appID: "celeriac-tests")
        try await connection.publish(OutgoingMessage(routingKey: queue, body: Array("{}".utf8), properties: properties))
        let consumer = try await connection.consume(queue: queue, prefetch: 1)
        let delivery = try #require(try await take(1, from: consumer).first)
        #expect(delivery.properties == properties)
        let received = try #require(delivery.properties.headers)
        for (key, value) in headers {
            #expect(received[key] == value, "header \(key)")
        }
        #expect(delivery.routingKey == queue)
        #expect(delivery.exchange == "")
        try await connection.ack(delivery)
        await connection.close()
    }

    @Test func unsignedSixtyFourBitHeaderRoundTrips() async throws {
        // RabbitMQ does not know the 'L' (unsigned 64-bit) field type: a message carrying it
        // would make the broker close the connection, so it is only checked locally.
        let value = AMQPFieldValue.uint64(UInt64.max)
        #expect(value.intValue == nil)
        #expect(AMQPFieldValue.integer(UInt64.max) == value)
        #expect(AMQPFieldValue.integer(5) == .int32(5))
        #expect(AMQPFieldValue.integer(Int64(1) << 40) == .int64(1 << 40))
    }
}
