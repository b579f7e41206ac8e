import Foundation
import Hummingbird
import JSONCore

/// `POST /accounts`, `POST /auth/login`, `GET|PATCH|DELETE /accounts/me`.
struct AccountRoutes {
    let services: LoanAPIServices

    func register(in table: RouteTable<BasicRequestContext>) {
        table.add(.post, "/accounts") { request, _ in try await signUp(request) }
        table.add(.post, "/auth/login") { request, _ in try await logIn(request) }
        table.add(.get, "/accounts/me") { request, _ in
            let account = try await services.authenticate(request)
            return Self.view(account).response()
        }
        table.add(.patch, "/accounts/me") { request, _ in try await update(request) }
        table.add(.delete, "/accounts/me") { request, _ in
            let account = try await services.authenticate(request)
            _ = try await services.accounts.delete(id: account.id)
            return Response(status: .noContent)
        }
    }

    func signUp(_ request: Request) async throws -> Response {
        let body = try await request.jsonObject(limit: services.configuration.maxBodyBytes)
        var errors: [String: String] = [:]
        let email = Self.email(body["email"], errors: &errors)
        let password = Self.password(body["password"], errors: &errors)
        for key in body.keys where key != "email" && key != "password" { errors[key] = "unknown field" }
        guard errors.isEmpty, let email, let password else { throw APIError.validation(errors) }
        let hash = try await services.hashPassword(password)
        guard let account = try await services.accounts.create(email: email, passwordHash: hash) else {
            throw APIError(.conflict, "an account with this email already exists")
        }
        return Self.view(account).response(status: .created)
    }

    func logIn(_ request: Request) async throws -> Response {
        let body = try await request.jsonObject(limit: services.configuration.maxBodyBytes)
        var errors: [String: String] = [:]
        if body["email"]?.stringValue == nil { errors["email"] = "required, a string" }
        if body["password"]?.stringValue == nil { errors["password"] = "required, a string" }
        guard errors.isEmpty, let rawEmail = body["email"]?.stringValue, let password = body["password"]?.stringValue else {
            throw APIError.validation(errors)
        }
        let email = rawEmail.lowercased()
        if let wait = services.loginLimiter.retryAfter(email) {
            throw APIError(.tooManyRequests, "too many failed logins for this account; retry in \(Int(wait.rounded(.up))) s",
                           headers: [.retryAfter: String(Int(wait.rounded(.up)))])
        }
        guard let account = try await services.accounts.account(email: email),
              try await services.verifyPassword(password, hash: account.passwordHash) else {
            services.loginLimiter.recordFailure(email)
            throw APIError(.unauthorized, "wrong email or password")
        }
        services.loginLimiter.recordSuccess(email)
        let token = try await services.tokens.issue(accountID: account.id)
        return JSONValue.object(["access_token": .string(token), "token_type": "bearer",
                                 "expires_in": .int(Int64(services.tokens.lifetime))]).response()
    }

    func update(_ request: Request) async throws -> Response {
        let account = try await services.authenticate(request)
        let body = try await request.jsonObject(limit: services.configuration.maxBodyBytes)
        var errors: [String: String] = [:]
        let email = body["email"].flatMap { $0.isNull ? nil : Self.email($0, errors: &errors) }
        let password = body["password"].flatMap { $0.isNull ? nil : Self.password($0, errors: &errors) }
        for key in body.keys where key != "email" && key != "password" { errors[key] = "unknown field" }
        if errors.isEmpty, email == nil, password == nil { errors["email"] = "give email and/or password to change" }
        guard errors.isEmpty else { throw APIError.validation(errors) }
        var hash: String?
        if let password { hash = try await services.hashPassword(password) }
        guard try await services.accounts.update(id: account.id, email: email, passwordHash: hash) else {
            throw APIError(.conflict, "an account with this email already exists")
        }
        guard let updated = try await services.accounts.account(id: account.id) else { throw APIError.unauthorized }
        return Self.view(updated).response()
    }

    static func view(_ account: Account) -> JSONValue {
        .object(["id": .string(account.id), "email": .string(account.email),
                 "created_at": .string(account.createdAt.formatted(.iso8601)),
                 "updated_at": .string(account.updatedAt.formatted(.iso8601))])
    }

    static func email(_ value: JSONValue?, errors: inout [String: String]) -> String? {
        guard let value, !value.isNull else { errors["email"] = "required"; return nil }
        guard let text = value.stringValue else { errors["email"] = "must be a string"; return nil }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard (3...254).contains(text.utf8.count), parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !text.contains(where: \.isWhitespace) else {
            errors["email"] = "must be an email address (name@domain), at most 254 characters"
            return nil
        }
        return text.lowercased()
    }

    static func password(_ value: JSONValue?, errors: inout [String: String]) -> String? {
        guard let value, !value.isNull else { errors["password"] = "required"; return nil }
        guard let text = value.stringValue else { errors["password"] = "must be a string"; return nil }
        // bcrypt reads at most 72 bytes: longer passwords would be silently truncated.
        guard text.count >= 8, text.utf8.count <= 72 else {
            errors["password"] = "must be 8 to 72 bytes long"
            return nil
        }
        return text
    }
}
