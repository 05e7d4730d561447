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

    var json: JSONObject {
        var object = JSONObject(members: [
            .init(key: "key_id", value: .string(id)),
            .init(key: "tenant_id", value: tenantID.map(JSONValue.string) ?? .null),
            .init(key: "name", value: .string(name)),
            .init(key: "role", value: role.map(JSONValue.string) ?? (tenantID == nil ? .string(APIKey.platformAdminRole) : .null)),
            .init(key: "hint", value: .string(hint)),
            .init(key: "created_at", value: .integer(createdAt.milliseconds)),
        ])
        if let revokedAt { object.set("revoked_at", .integer(revokedAt.milliseconds)) }
        if let permissions { object.set("permissions", .array(permissions.sorted().map { .string($0.rawValue) })) }
        if let collections { object.set("collections", .array(collections.map(JSONValue.string))) }
        return object
    }

    static let platformAdminRole = "platform_admin"
    static let secretPrefix = "ak_"
    static let secretRandomLength = 52

    init(id: String, tenantID: String?, name: String, role: String?, permissions: Set<Permission>? = nil, collections: [String]? = nil,
         hint: String, createdAt: Timestamp, revokedAt: Timestamp?) {
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

    init?(body: String) {
        guard case .object(let object)? = try? JSONParser.parse(body),
              let id = object["key_id"]?.stringValue,
              let name = object["name"]?.stringValue,
              let hint = object["hint"]?.stringValue,
              let createdAt = Timestamp(record: object["created_at"]) else { return nil }
        let tenantID = object["tenant_id"]?.stringValue
        var role = object["role"]?.stringValue
        if tenantID == nil { guard role == Self.platformAdminRole else { return nil }; role = nil }
        var permissions: Set<Permission>?
        if case .array(let names)? = object["permissions"] {
            permissions = Set(names.compactMap { $0.stringValue.flatMap(Permission.init(rawValue:)) })
        }
        guard tenantID == nil || role != nil || permissions != nil else { return nil }
        var collections: [String]?
        if case .array(let names)? = object["collections"] { collections = names.compactMap(\.stringValue) }
        self.init(id: id, tenantID: tenantID, name: name, role: role, permissions: permissions, collections: collections, hint: hint,
                  createdAt: createdAt, revokedAt: Timestamp(record: object["revoked_at"]))
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
