import AerolithJSON
import AerolithPermissions
import AerolithStorage

/// An API key as stored in `sys.api_keys`; the document id is the digest of the secret.
///
/// `tenant_id` and `role` are always written, null when unset: the platform admin key is the
/// one with a null `tenant_id` and the role `platform_admin` (what `AdminKeyBootstrap` looks
/// for); a tenant key holding a permission list has a null `role`.
struct APIKeyRecord: Codable, Equatable {
    var keyID: String
    var tenantID: String?
    var name: String
    var role: String?
    var hint: String
    /// Milliseconds since the epoch, as is `revokedAt`.
    var createdAt: Int64
    var revokedAt: Int64?
    /// Sorted when written; names that are not a known permission are dropped when read.
    var permissions: [String]?
    /// Members that are not strings are dropped when read.
    var collections: [String]?

    enum CodingKeys: String, CodingKey {
        case name, role, hint, permissions, collections
        case keyID = "key_id"
        case tenantID = "tenant_id"
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }

    init(_ key: APIKey) {
        keyID = key.id
        tenantID = key.tenantID
        name = key.name
        role = key.role ?? (key.tenantID == nil ? APIKey.platformAdminRole : nil)
        hint = key.hint
        createdAt = key.createdAt.milliseconds
        revokedAt = key.revokedAt?.milliseconds
        permissions = key.permissions.map { $0.sorted().map(\.rawValue) }
        collections = key.collections
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        keyID = try container.decode(String.self, forKey: .keyID)
        tenantID = container.lenient(String.self, forKey: .tenantID)
        name = try container.decode(String.self, forKey: .name)
        role = container.lenient(String.self, forKey: .role)
        hint = try container.decode(String.self, forKey: .hint)
        createdAt = try container.decode(Int64.self, forKey: .createdAt)
        revokedAt = container.lenient(Int64.self, forKey: .revokedAt)
        permissions = container.lenientStrings(forKey: .permissions)
        collections = container.lenientStrings(forKey: .collections)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(keyID, forKey: .keyID)
        try container.encode(tenantID, forKey: .tenantID)
        try container.encode(name, forKey: .name)
        try container.encode(role, forKey: .role)
        try container.encode(hint, forKey: .hint)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encodeIfPresent(revokedAt, forKey: .revokedAt)
        try container.encodeIfPresent(permissions, forKey: .permissions)
        try container.encodeIfPresent(collections, forKey: .collections)
    }
}

extension APIKey {
    var json: JSONObject {
        get throws(StorageError) { try RecordCoding.object(APIKeyRecord(self)) }
    }

    /// Nil for a record that is not a key: the admin key's role must be `platform_admin`, and a
    /// tenant key needs a role or a permission list.
    init?(body: String) {
        guard let record = RecordCoding.decode(APIKeyRecord.self, from: body) else { return nil }
        var role = record.role
        if record.tenantID == nil {
            guard role == Self.platformAdminRole else { return nil }
            role = nil
        }
        let permissions = record.permissions.map { Set($0.compactMap(Permission.init(rawValue:))) }
        guard record.tenantID == nil || role != nil || permissions != nil else { return nil }
        self.init(
            id: record.keyID, tenantID: record.tenantID, name: record.name, role: role, permissions: permissions,
            collections: record.collections, hint: record.hint, createdAt: Timestamp(milliseconds: record.createdAt),
            revokedAt: record.revokedAt.map(Timestamp.init(milliseconds:)))
    }
}
