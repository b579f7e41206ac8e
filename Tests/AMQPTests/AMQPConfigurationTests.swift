import AMQP
import Testing

@Suite struct AMQPConfigurationTests {
    @Test func parsesAFullURL() throws {
        let c = try AMQPConfiguration(url: "amqp://alice:p%40ss%2Fword@broker.example:5673/my%2Fvhost?heartbeat=7")
        #expect(c.host == "broker.example")
        #expect(c.port == 5673)
        #expect(c.user == "alice")
        #expect(c.password == "p@ss/word")
        #expect(c.vhost == "my/vhost")
        #expect(c.heartbeat == .seconds(7))
        #expect(!c.redactedURL.contains("p@ss"))
    }

    @Test func defaults() throws {
        let c = try AMQPConfiguration(url: "amqp://localhost")
        #expect(c.port == 5672)
        #expect(c.vhost == "/")
        #expect(c.user == "guest")
        #expect(c.heartbeat == .seconds(30))
        #expect(c.frameMax == 131_072)
        #expect(try AMQPConfiguration(url: "amqp://h/").vhost == "/")
    }

    @Test func rejectsBadURLsClearly() {
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: "http://host/") }
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: "amqp://host:99999/") }
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: "amqp://host/?heartbeat=abc") }
        do {
            _ = try AMQPConfiguration(url: "amqp://u:secret@host:notaport/")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("port"))
            #expect(!error.description.contains("secret"))
        }
    }

    @Test func queueDeclarationConveniences() {
        var q = QueueDeclaration(name: "q")
        q.deadLetterExchange = "dlx"
        q.deadLetterRoutingKey = "dead"
        q.maxPriority = 10
        q.messageTTL = .seconds(60)
        q.expires = .seconds(120)
        #expect(q.arguments["x-dead-letter-exchange"] == .string("dlx"))
        #expect(q.arguments["x-dead-letter-routing-key"] == .string("dead"))
        #expect(q.arguments["x-max-priority"] == .int32(10))
        #expect(q.arguments["x-message-ttl"] == .int32(60_000))
        #expect(q.expires == .seconds(120))
        #expect(q.maxPriority == 10)
    }
}
