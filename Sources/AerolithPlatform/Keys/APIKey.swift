import AerolithJSON
import AerolithPermissions
import AerolithStorage
import Crypto

/// An API key as stored: never the secret itself, only its SHA-256 digest.
///
/// Keys are 256-bit random secrets (`ak_` + 52 base-32 characters), so a fast hash is as safe
/// as a slow KDF here: there is nothing to guess. Operator-supplied admin keys must be long too
/// (`PlatformLimits.adminKeyLengthBytesMin`).
public struct APIKey: Sendable, Equatable {
    /// Public identifier, `key_` + 16 base-32 characters; what lists show and revocation names.
    public let id: String
    /// `nil` for the platform admin key.
    public let tenantID: String?
    public let name: String
    /// A built-in or custom role name; `nil` for the platform admin key and for keys holding
    /// an explicit permission list.
    public let role: String?
    /// An explicit set of permissions instead of a role.
    public let permissions: Set<Permission>?
    /// The collections the key may touch; `nil` for all.
    public let collections: [String]?
    /// The first characters of the secret, to help people tell keys apart.
    public let hint: String
    public let createdAt: Timestamp
    public let revokedAt: Timestamp?

    static let platformAdminRole = "platform_admin"
    static let secretPrefix = "ak_"
    static let secretRandomLength = 52

    init(
        id: String, tenantID: String?, name: String, role: String?, permissions: Set<Permission>? = nil, collections: [String]? = nil,
        hint: String, createdAt: Timestamp, revokedAt: Timestamp?
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.role = role
        self.permissions = permissions
        self.collections = collections
        self.hint = hint
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// The storage id of a key's record: the hex SHA-256 of the secret, so authenticating is a
    /// point lookup and the secret is never stored.
    static func digest(of secret: String) -> String {
        Hex.string(SHA256.hash(data: Array(secret.utf8)))
    }

    static func newSecret() -> String {
        RandomID.make(prefix: secretPrefix, length: secretRandomLength)
    }
}
