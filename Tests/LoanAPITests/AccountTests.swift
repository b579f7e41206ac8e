import Foundation
import Hummingbird
import HummingbirdTesting
import JSONCore
import LoanAPI
import Testing
import TestSupport

@Suite("LoanAPI accounts")
struct AccountTests {
    @Test func signUpLogInUpdateDelete() async throws {
        try await APIHarness.withClient("api-accounts") { harness, client in
            let (token, id) = try await client.newAccount("Ann@Example.com", password: "first password")
            let me = try await client.call(.get, "/accounts/me", token: token)
            #expect(me.status == .ok && me.json["email"] == "ann@example.com" && me.json["id"] == .string(id))
            #expect(me.json["password_hash"] == nil)

            let duplicate = try await client.call(.post, "/accounts", json: #"{"email": "ann@example.com", "password": "another one"}"#)
            #expect(duplicate.status == .conflict)

            let changed = try await client.call(.patch, "/accounts/me", token: token, json: #"{"password": "second password"}"#)
            #expect(changed.status == .ok, "\(changed.json)")
            let oldPassword = try await client.call(.post, "/auth/login", json: #"{"email": "ann@example.com", "password": "first password"}"#)
            #expect(oldPassword.status == .unauthorized)
            let newPassword = try await client.call(.post, "/auth/login", json: #"{"email": "ann@example.com", "password": "second password"}"#)
            #expect(newPassword.status == .ok && newPassword.json["token_type"] == "bearer")

            let deleted = try await client.call(.delete, "/accounts/me", token: token)
            #expect(deleted.status == .noContent)
            let afterDelete = try await client.call(.get, "/accounts/me", token: token)
            #expect(afterDelete.status == .unauthorized)
        }
    }

    @Test func signUpValidation() async throws {
        try await APIHarness.withClient("api-signup") { harness, client in
            let missing = try await client.call(.post, "/accounts", json: "{}")
            #expect(missing.status == .unprocessableContent)
            #expect(missing.json["fields"]?["email"] == "required" && missing.json["fields"]?["password"] == "required")
            let wrongTypes = try await client.call(.post, "/accounts", json: #"{"email": 5, "password": ["x"], "admin": true}"#)
            #expect(wrongTypes.json["fields"]?["email"] == "must be a string" && wrongTypes.json["fields"]?["password"] == "must be a string")
            #expect(wrongTypes.json["fields"]?["admin"] == "unknown field")
            let short = try await client.call(.post, "/accounts", json: #"{"email": "not-an-email", "password": "short"}"#)
            #expect(short.status == .unprocessableContent && short.json["fields"]?.objectValue?.count == 2)
            let badJSON = try await client.call(.post, "/accounts", json: #"{"email": "#)
            #expect(badJSON.status == .badRequest && badJSON.json["error"]?.stringValue?.contains("malformed JSON") == true)
            let notObject = try await client.call(.post, "/accounts", json: "[1, 2]")
            #expect(notObject.status == .badRequest)
            let empty = try await client.call(.post, "/accounts")
            #expect(empty.status == .badRequest)
        }
    }

    @Test func repeatedFailedLoginsAreRateLimited() async throws {
        try await APIHarness.withClient("api-ratelimit") { harness, client in  // 3 failures per minute
            _ = try await client.newAccount("bob@example.com", password: "right password")
            for _ in 0..<3 {
                let wrong = try await client.call(.post, "/auth/login", json: #"{"email": "bob@example.com", "password": "wrong password"}"#)
                #expect(wrong.status == .unauthorized)
            }
            let limited = try await client.call(.post, "/auth/login", json: #"{"email": "bob@example.com", "password": "right password"}"#)
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil, "\(limited.json)")
            // Other accounts are not affected.
            let other = try await client.newAccount()
            #expect(!other.token.isEmpty)
        }
    }

    @Test func badAndExpiredTokensAnswer401() async throws {
        try await APIHarness.withClient("api-tokens") { harness, client in
            let (_, id) = try await client.newAccount()
            let expired = try await TokenService(secret: APIHarness.secret, lifetime: 60).issue(accountID: id, now: Date().addingTimeInterval(-120))
            let foreign = try await TokenService(secret: String(repeating: "x", count: 40), lifetime: 60).issue(accountID: id)
            for token in [expired, foreign, "not.a.jwt", ""] {
                let response = try await client.call(.get, "/loans", token: token)
                #expect(response.status == .unauthorized && response.json["error"] != nil, "token \(token)")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
            let none = try await client.call(.get, "/accounts/me")
            #expect(none.status == .unauthorized)
        }
    }
}
