import ClientSupport
import Testing

@Suite struct ServiceURLTests {
    @Test func parsesFullAMQPURL() throws {
        let url = try ServiceURL("amqp://user:p%40ss%20w0rd@rabbit.local:5673/my%2Fvhost?heartbeat=30", schemes: ["amqp"])
        #expect(url.user == "user")
        #expect(url.password == "p@ss w0rd")
        #expect(url.host == "rabbit.local")
        #expect(url.port == 5673)
        #expect(url.path == "my/vhost")
        #expect(url.query["heartbeat"] == "30")
        #expect(!url.redacted.contains("p@ss"))
    }

    @Test func parsesPasswordOnlyRedisURL() throws {
        let url = try ServiceURL("redis://:secret@127.0.0.1:6479/2", schemes: ["redis"])
        #expect(url.user == nil)
        #expect(url.password == "secret")
        #expect(url.path == "2")
    }

    @Test func parsesIPv6Host() throws {
        let url = try ServiceURL("redis://[::1]:6380", schemes: ["redis"])
        #expect(url.host == "::1")
        #expect(url.port == 6380)
    }

    @Test(arguments: ["http://host", "redis//host", "redis://host:99999", "redis://host:abc"])
    func rejectsBadURLs(_ text: String) {
        #expect(throws: ServiceURLError.self) { try ServiceURL(text, schemes: ["redis"]) }
    }

    @Test func errorNeverShowsThePassword() {
        do {
            _ = try ServiceURL("redis://:topsecret@host:notaport", schemes: ["redis"])
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("topsecret"))
        }
    }
}

@Suite struct BackoffTests {
    @Test func ceilingGrowsAndCaps() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2, jitter: false)
        #expect(backoff.delay(forAttempt: 0) == .milliseconds(100))
        #expect(backoff.delay(forAttempt: 2) == .milliseconds(400))
        #expect(backoff.delay(forAttempt: 10) == .seconds(1))
        #expect(backoff.delay(forAttempt: 1000) == .seconds(1))
    }

    @Test func jitterStaysUnderTheCeiling() {
        let backoff = Backoff(initial: .milliseconds(50), maximum: .seconds(2))
        for attempt in 0..<20 {
            let delay = backoff.delay(forAttempt: attempt)
            #expect(delay >= .zero && delay <= backoff.ceiling(forAttempt: attempt))
        }
    }
}
