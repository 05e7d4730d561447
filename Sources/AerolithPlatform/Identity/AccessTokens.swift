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
    static func checkTimes(iat: Date, exp: Date, now: Date) throws {
        let skew = TimeInterval(IdentityLimits.clockSkewSecondsMax)
        guard now.addingTimeInterval(-skew) < exp else { throw PlatformError(.tokenExpired, "the access token has expired") }
        guard iat <= now.addingTimeInterval(skew) else { throw PlatformError(.unauthenticated, "the access token is not valid yet") }
    }
}

/// Signs and verifies access tokens: HS256 JWTs with a `kid`, through jwt-kit.
///
/// Signing keys are 256-bit random secrets kept in the platform's store. Rotating adds a key
/// that signs from then on; earlier keys keep verifying until every token they signed has
/// expired, so nobody is signed out by a rotation. A token's header must name HS256 and a key
/// this server holds: `alg: none`, other algorithms and unknown or missing `kid`s are refused
/// before any signature check. A token whose signature was verified once is remembered (by
/// its exact text, until it expires), so requests after the first pay a lookup, not an HMAC
/// and two JSON decodes.
final class AccessTokens: Sendable {
    static let algorithm = "HS256"

    struct SigningKey: Sendable {
        let kid: String
        let secret: [UInt8]
        let createdAt: Timestamp
        var retiredAt: Timestamp?
    }

    private let keys = JWTKeyCollection()
    private let state = Mutex<(current: String?, known: Set<String>)>((nil, []))
    private let verified = Mutex<[String: AccessClaims]>([:])

    func install(_ key: SigningKey, current: Bool) async {
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: key.secret)), digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.kid))
        // No default key: a token must name one of ours.
        _ = await keys.clearDefault()
        state.withLock { state in
            state.known.insert(key.kid)
            if current { state.current = key.kid }
        }
    }

    func remove(kid: String) async {
        _ = await keys.remove(kid: JWKIdentifier(string: kid))
        state.withLock { _ = $0.known.remove(kid) }
        verified.withLock { $0.removeAll() }
    }

    func sign(_ claims: AccessClaims) async throws -> String {
        guard let kid = state.withLock({ $0.current }) else { throw PlatformError(.unauthenticated, "no signing key is installed") }
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// The verified claims of `token`, or `unauthenticated` / `token_expired`.
    func verify(_ token: String) async throws(PlatformError) -> AccessClaims {
        if let claims = verified.withLock({ $0[token] }) {
            do {
                try AccessClaims.checkTimes(iat: claims.iat.value, exp: claims.exp.value, now: Date())
            } catch let error as PlatformError {
                throw error
            } catch {
                throw PlatformError(.unauthenticated, "the access token is not valid")
            }
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

    /// The header must say HS256 and name a key this server holds.
    private func checkHeader(_ token: String) throws(PlatformError) {
        let invalid = PlatformError(.unauthenticated, "the access token is not valid")
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]),
              case .object(let header)? = try? JSONParser.parse(String(decoding: headerBytes, as: UTF8.self)) else { throw invalid }
        guard header["alg"]?.stringValue == Self.algorithm else {
            throw PlatformError(.unauthenticated, "the access token's algorithm is not accepted")
        }
        guard let kid = header["kid"]?.stringValue, state.withLock({ $0.known.contains(kid) }) else {
            throw PlatformError(.unauthenticated, "the access token names no key this server holds")
        }
    }

    /// Forgets verified tokens of a session (after it ends, they must not pass on the cache).
    func forget(sessionID: String) {
        verified.withLock { cache in cache = cache.filter { $0.value.sid != sessionID } }
    }

    func purgeExpired(now: Date) {
        verified.withLock { cache in cache = cache.filter { $0.value.exp.value > now } }
    }
}

/// Base64url without padding (RFC 7515 §2).
enum Base64URL {
    static func decode(_ text: Substring) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
