public import Foundation
import JWTKit

/// Issues and verifies the applicants' bearer tokens: HS256 JWTs whose `sub` is the account id.
public struct TokenService: Sendable {
    let keys: JWTKeyCollection
    public let lifetime: TimeInterval

    public init(secret: String, lifetime: TimeInterval) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
        self.lifetime = lifetime
    }

    /// A token for `accountID`, valid for ``lifetime`` seconds from `now`.
    public func issue(accountID: String, now: Date = Date()) async throws -> String {
        try await keys.sign(AccountClaims(sub: SubjectClaim(value: accountID), iat: IssuedAtClaim(value: now),
                                          exp: ExpirationClaim(value: now.addingTimeInterval(lifetime))))
    }

    /// The account id of a valid, unexpired token; nil for anything else.
    public func accountID(from token: String) async -> String? {
        guard let claims = try? await keys.verify(token, as: AccountClaims.self) else { return nil }
        return claims.sub.value
    }
}

struct AccountClaims: JWTPayload {
    var sub: SubjectClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
