import Foundation
import Hummingbird
import HummingbirdBcrypt
import NIOPosix

extension LoanAPIServices {
    /// The account of the request's bearer token; 401 for a missing, bad or expired token, or
    /// one whose account was deleted.
    func authenticate(_ request: Request) async throws -> Account {
        guard let token = request.bearerToken, let id = await tokens.accountID(from: token),
              let account = try await accounts.account(id: id) else {
            throw APIError.unauthorized
        }
        return account
    }

    /// Operator routes: the `ADMIN_TOKEN` bearer token; 403 when none is configured.
    func requireAdmin(_ request: Request) throws {
        guard let expected = configuration.adminToken else {
            throw APIError(.forbidden, "operator routes are disabled: ADMIN_TOKEN is not set")
        }
        guard let token = request.headers.bearerToken, Self.constantTimeEqual(Array(token.utf8), Array(expected.utf8)) else {
            throw APIError(.unauthorized, "operator routes need the admin bearer token", headers: [.wwwAuthenticate: "Bearer"])
        }
    }

    /// bcrypt off the cooperative pool: a hash takes tens to hundreds of milliseconds.
    func hashPassword(_ password: String) async throws -> String {
        let cost = configuration.bcryptCost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verifyPassword(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension HTTPFields {
    /// The `Authorization: Bearer` token only (operator routes take no query token).
    var bearerToken: String? {
        guard let value = self[.authorization], value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst("Bearer ".count))
    }
}
