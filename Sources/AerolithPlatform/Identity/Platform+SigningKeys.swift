import AerolithJSON
import AerolithStorage
import Crypto
import Foundation

extension Platform {
    /// Installs the stored signing keys, creating the first one on a new database. Keys
    /// retired longer ago than an access token lives are deleted.
    func loadSigningKeys() async throws {
        let page = try store.query(Query(limit: StorageLimits.queryLimitMax), in: signingKeysCollection, placement: system)
        var keys = page.documents.compactMap { Self.signingKey(body: $0.body) }
        let now = Timestamp.now().milliseconds
        let lifetimeMilliseconds = Int64(identity.accessTokenLifetimeSeconds + IdentityLimits.clockSkewSecondsMax) * 1_000
        let expired = { (key: AccessTokens.SigningKey) in key.retiredAt.map { $0.milliseconds + lifetimeMilliseconds < now } ?? false }
        for key in keys where expired(key) {
            try await store.delete(try DocumentID(key.kid), expectedVersion: nil, in: signingKeysCollection, placement: system)
        }
        keys.removeAll(where: expired)
        if !keys.contains(where: { $0.retiredAt == nil }) { keys.append(try await storeNewSigningKey()) }
        let current = keys.filter { $0.retiredAt == nil }.max { $0.createdAt.milliseconds < $1.createdAt.milliseconds }
        for key in keys { await accessTokens.install(key, current: key.kid == current?.kid) }
    }

    /// Starts signing with a new key. Tokens signed with the previous ones stay valid until
    /// they expire; the previous keys are deleted at a later start after that.
    public func rotateSigningKey() async throws -> String {
        let page = try store.query(Query(limit: StorageLimits.queryLimitMax), in: signingKeysCollection, placement: system)
        for var key in page.documents.compactMap({ Self.signingKey(body: $0.body) }) where key.retiredAt == nil {
            key.retiredAt = .now()
            _ = try await store.replace(try DocumentID(key.kid), with: Self.json(key), expectedVersion: nil, mode: .upsert,
                                        in: signingKeysCollection, placement: system)
        }
        let key = try await storeNewSigningKey()
        await accessTokens.install(key, current: true)
        logger.info("rotated the access-token signing key", metadata: ["kid": "\(key.kid)"])
        return key.kid
    }

    private func storeNewSigningKey() async throws -> AccessTokens.SigningKey {
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let key = AccessTokens.SigningKey(kid: RandomID.make(prefix: "kid_", length: IdentityLimits.signingKeyIDRandomLength), secret: secret, createdAt: .now(), retiredAt: nil)
        _ = try await store.insert(Self.json(key), id: try DocumentID(key.kid), into: signingKeysCollection, in: system)
        return key
    }

    static func json(_ key: AccessTokens.SigningKey) -> JSONObject {
        var object = JSONObject(members: [
            .init(key: "kid", value: .string(key.kid)),
            .init(key: "algorithm", value: .string(AccessTokens.algorithm)),
            .init(key: "secret", value: .string(Data(key.secret).base64EncodedString())),
            .init(key: "created_at", value: .integer(key.createdAt.milliseconds)),
        ])
        if let retiredAt = key.retiredAt { object.set("retired_at", .integer(retiredAt.milliseconds)) }
        return object
    }

    static func signingKey(body: String) -> AccessTokens.SigningKey? {
        guard case .object(let object)? = try? JSONParser.parse(body), let kid = object["kid"]?.stringValue,
              object["algorithm"]?.stringValue == AccessTokens.algorithm,
              let secret = object["secret"]?.stringValue.flatMap({ Data(base64Encoded: $0) }), secret.count == 32,
              let createdAt = Timestamp(record: object["created_at"]) else { return nil }
        return AccessTokens.SigningKey(kid: kid, secret: Array(secret), createdAt: createdAt, retiredAt: Timestamp(record: object["retired_at"]))
    }
}
