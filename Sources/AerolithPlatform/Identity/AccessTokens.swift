import AerolithStorage
import Crypto
import Foundation
import JWTKit
import Synchronization

/// The claims of an access token.
struct AccessClaims: JWTPayload, Equatable {
    var sub: SubjectClaim
    var tenant: String
    var roles: [String]
    var sid: String
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var jti: IDClaim
    /// Not issued by this server, but honoured if present.
    var nbf: NotBeforeClaim?

    func verify(using algorithm: some JWTAlgorithm) throws {
        let now = Date()
        try Self.checkTimes(iat: iat.value, exp: exp.value, now: now)
        if let nbf, nbf.value > now.addingTimeInterval(TimeInterval(IdentityLimits.clockSkewSecondsMax)) {
            throw PlatformError(.unauthenticated, "the access token is not valid yet")
        }
    }

    /// Expired, or issued in the future (beyond the tolerated clock skew): refused.
    static func checkTimes(iat: Date, exp: Date, now: Date) throws(PlatformError) {
        try checkNotExpired(exp, now: now)
        guard iat <= now.addingTimeInterval(TimeInterval(IdentityLimits.clockSkewSecondsMax)) else {
            throw PlatformError(.unauthenticated, "the access token is not valid yet")
        }
    }

    /// Expired (beyond the tolerated clock skew): refused with `token_expired`.
    static func checkNotExpired(_ exp: Date, now: Date) throws(PlatformError) {
        guard now.addingTimeInterval(-TimeInterval(IdentityLimits.clockSkewSecondsMax)) < exp else {
            throw PlatformError(.tokenExpired, "the access token has expired")
        }
    }
}

/// Signs and verifies access tokens: HS256 JWTs with a `kid`, through jwt-kit.
///
/// Signing keys are 256-bit random secrets kept in the platform's store. Rotating adds a key
/// that signs from then on; earlier keys keep verifying until every token they signed has
/// expired, so nobody is signed out by a rotation. A token's header must name HS256 and a key
/// this server holds: `alg: none`, other algorithms and unknown or missing `kid`s are refused.
/// A token whose signature was verified once is remembered (by its exact text, until it
/// expires), so requests after the first pay a lookup, not an HMAC and two JSON decodes.
final class AccessTokens: Sendable {
    static let algorithm = "HS256"
    /// A signing key's secret: 256 bits.
    static let secretLengthBytes = 32

    struct SigningKey: Sendable {
        let kid: String
        let secret: [UInt8]
        let createdAt: Timestamp
        var retiredAt: Timestamp?
    }

    private let keys = JWTKeyCollection()
    /// The key new tokens are signed with.
    private let current = Mutex<String?>(nil)
    private let verified = Mutex<[String: AccessClaims]>([:])

    func install(_ key: SigningKey, current: Bool) async {
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: key.secret)), digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.kid))
        // No default key: a token naming no key, or a key this server does not hold, is refused.
        _ = await keys.clearDefault()
        if current { self.current.withLock { $0 = key.kid } }
    }

    func sign(_ claims: AccessClaims) async throws -> String {
        guard let kid = current.withLock({ $0 }) else { throw PlatformError(.unauthenticated, "no signing key is installed") }
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// The verified claims of `token`, or `unauthenticated` / `token_expired`.
    func verify(_ token: String) async throws(PlatformError) -> AccessClaims {
        if let claims = verified.withLock({ $0[token] }) {
            try AccessClaims.checkTimes(iat: claims.iat.value, exp: claims.exp.value, now: Date())
            return claims
        }
        try checkHeader(token)
        let claims: AccessClaims
        do {
            claims = try await keys.verify(token, as: AccessClaims.self)
        } catch let error as PlatformError {
            throw error
        } catch {
            throw PlatformError(.unauthenticated, "the access token is not valid")
        }
        verified.withLock { cache in
            if cache.count >= IdentityLimits.verifiedTokenCacheCountMax { cache.removeAll(keepingCapacity: true) }
            cache[token] = claims
        }
        return claims
    }

    /// The header must say HS256: jwt-kit verifies with the named key's own algorithm whatever
    /// the header says, so a token claiming another algorithm is refused here.
    private func checkHeader(_ token: String) throws(PlatformError) {
        guard let header = try? DefaultJWTParser().parse(Array(token.utf8), as: AccessClaims.self).header else {
            throw PlatformError(.unauthenticated, "the access token is not valid")
        }
        guard header.alg == Self.algorithm else {
            throw PlatformError(.unauthenticated, "the access token's algorithm is not accepted")
        }
    }

    func purgeExpired(now: Date) {
        verified.withLock { cache in cache = cache.filter { $0.value.exp.value > now } }
    }
}
