import AerolithJSON
import AerolithStorage
import Crypto
import Foundation

extension Platform {
    /// Installs the stored signing keys, creating the first one on a new database. Keys
    /// retired longer ago than an access token lives are deleted.
    func loadSigningKeys() async throws {
        let page = try await store.query(Query(limit: StorageLimits.queryLimitMax), in: signingKeysCollection, placement: system)
        var keys = page.documents.compactMap { SigningKeyRecord.signingKey(body: $0.body) }
        let now = Timestamp.now().milliseconds
        let lifetimeMilliseconds = Int64(identity.accessTokenLifetimeSeconds + IdentityLimits.clockSkewSecondsMax) * 1_000
        let expired = { (key: AccessTokens.SigningKey) in key.retiredAt.map { $0.milliseconds + lifetimeMilliseconds < now } ?? false }
        for key in keys where expired(key) {
            try await store.delete(try DocumentID(key.kid), expectedVersion: nil, in: signingKeysCollection, placement: system)
        }
        keys.removeAll(where: expired)
        if !keys.contains(where: { $0.retiredAt == nil }) {
            keys.append(try await storeNewSigningKey())
            await store.coordination.announce(Self.platformChange)
        }
        await install(keys)
    }

    /// Installs the keys stored now (another node may have added or rotated one), deleting none.
    func installStoredSigningKeys() async throws {
        let page = try await store.query(Query(limit: StorageLimits.queryLimitMax), in: signingKeysCollection, placement: system)
        await install(page.documents.compactMap { SigningKeyRecord.signingKey(body: $0.body) })
    }

    /// Verifies with every key; signs with the newest unretired one (every node picks the same).
    private func install(_ keys: [AccessTokens.SigningKey]) async {
        let current = keys.filter { $0.retiredAt == nil }.max {
            ($0.createdAt.milliseconds, $0.kid) < ($1.createdAt.milliseconds, $1.kid)
        }
        for key in keys { await accessTokens.install(key, current: key.kid == current?.kid) }
    }

    /// Starts signing with a new key. Tokens signed with the previous ones stay valid until
    /// they expire; the previous keys are deleted at a later start after that.
    public func rotateSigningKey() async throws -> String {
        let page = try await store.query(Query(limit: StorageLimits.queryLimitMax), in: signingKeysCollection, placement: system)
        for var key in page.documents.compactMap({ SigningKeyRecord.signingKey(body: $0.body) }) where key.retiredAt == nil {
            key.retiredAt = .now()
            _ = try await store.replace(
                try DocumentID(key.kid), with: try SigningKeyRecord(key).object(), expectedVersion: nil, mode: .upsert,
                in: signingKeysCollection, placement: system)
        }
        let key = try await storeNewSigningKey()
        await accessTokens.install(key, current: true)
        await store.coordination.announce(Self.platformChange)
        logger.info("rotated the access-token signing key", metadata: ["kid": "\(key.kid)"])
        return key.kid
    }

    private func storeNewSigningKey() async throws -> AccessTokens.SigningKey {
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let key = AccessTokens.SigningKey(
            kid: RandomID.make(prefix: "kid_", length: IdentityLimits.signingKeyIDRandomLength), secret: secret, createdAt: .now(),
            retiredAt: nil)
        _ = try await store.insert(try SigningKeyRecord(key).object(), id: try DocumentID(key.kid), into: signingKeysCollection, in: system)
        return key
    }
}

/// An access-token signing key as stored in `sys.signing_keys`; the document id is the `kid`.
struct SigningKeyRecord: Codable, Equatable {
    var kid: String
    /// Always `AccessTokens.algorithm`; a key recorded for another is not used.
    var algorithm: String
    /// The 32-byte secret, base64.
    var secret: String
    /// Milliseconds since the epoch, as is `retiredAt`.
    var createdAt: Int64
    var retiredAt: Int64?

    enum CodingKeys: String, CodingKey {
        case kid, algorithm, secret
        case createdAt = "created_at"
        case retiredAt = "retired_at"
    }

    init(_ key: AccessTokens.SigningKey) {
        kid = key.kid
        algorithm = AccessTokens.algorithm
        secret = Data(key.secret).base64EncodedString()
        createdAt = key.createdAt.milliseconds
        retiredAt = key.retiredAt?.milliseconds
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kid = try container.decode(String.self, forKey: .kid)
        algorithm = try container.decode(String.self, forKey: .algorithm)
        secret = try container.decode(String.self, forKey: .secret)
        createdAt = try container.decode(Int64.self, forKey: .createdAt)
        retiredAt = container.lenient(Int64.self, forKey: .retiredAt)
    }

    func object() throws(StorageError) -> JSONObject { try RecordCoding.object(self) }

    static func signingKey(body: String) -> AccessTokens.SigningKey? {
        guard let record = RecordCoding.decode(Self.self, from: body), record.algorithm == AccessTokens.algorithm,
            let secret = Data(base64Encoded: record.secret), secret.count == AccessTokens.secretLengthBytes
        else { return nil }
        return AccessTokens.SigningKey(
            kid: record.kid, secret: Array(secret), createdAt: Timestamp(milliseconds: record.createdAt),
            retiredAt: record.retiredAt.map(Timestamp.init(milliseconds:)))
    }
}
