import AerolithJSON
import AerolithPermissions
import AerolithStorage

/// A tenant's own role: a name and a subset of the tenant permissions.
public struct CustomRole: Sendable, Equatable {
    public let tenantID: String
    public let name: String
    public let permissions: Set<Permission>
    public let createdAt: Timestamp

    static let nameLengthBytesMax = 40

    init(tenantID: String, name: String, permissions: Set<Permission>, createdAt: Timestamp) {
        self.tenantID = tenantID
        self.name = name
        self.permissions = permissions
        self.createdAt = createdAt
    }

    /// The record's id: one per tenant and name.
    static func documentID(tenantID: String, name: String) -> String {
        "rol_" + APIKey.digest(of: "\(tenantID)\n\(name)")
    }

    /// Lower-case letters, digits, `-` and `_`, starting with a letter; not a reserved name.
    static func validName(_ name: String) -> Bool {
        guard name != APIKey.platformAdminRole, let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
            name.utf8.count <= nameLengthBytesMax
        else { return false }
        return name.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
        }
    }
}

/// A custom role as stored in `sys.roles`; the document id is `CustomRole.documentID`.
struct CustomRoleRecord: Codable, Equatable {
    var tenantID: String
    var name: String
    /// Sorted when written; names that are not a known permission are dropped when read.
    var permissions: [String]
    /// Milliseconds since the epoch.
    var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case name, permissions
        case tenantID = "tenant_id"
        case createdAt = "created_at"
    }

    init(_ role: CustomRole) {
        tenantID = role.tenantID
        name = role.name
        permissions = role.permissions.sorted().map(\.rawValue)
        createdAt = role.createdAt.milliseconds
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tenantID = try container.decode(String.self, forKey: .tenantID)
        name = try container.decode(String.self, forKey: .name)
        permissions = try container.strings(forKey: .permissions)
        createdAt = try container.decode(Int64.self, forKey: .createdAt)
    }
}

extension CustomRole {
    var json: JSONObject {
        get throws(StorageError) { try RecordCoding.object(CustomRoleRecord(self)) }
    }

    init?(body: String) {
        guard let record = RecordCoding.decode(CustomRoleRecord.self, from: body) else { return nil }
        self.init(
            tenantID: record.tenantID, name: record.name, permissions: Set(record.permissions.compactMap(Permission.init(rawValue:))),
            createdAt: Timestamp(milliseconds: record.createdAt))
    }
}

/// Permission names from an API request, checked against what a tenant may hold.
public enum PermissionNames {
    public static func parse(_ names: [String]) throws(PlatformError) -> Set<Permission> {
        var permissions = Set<Permission>()
        for name in names {
            guard let permission = Permission(rawValue: name), Permission.tenantPermissions.contains(permission) else {
                throw PlatformError(
                    .invalidPermission,
                    "unknown permission \"\(name.prefix(40))\"; use \(Permission.tenantPermissions.sorted().map(\.rawValue).joined(separator: ", "))"
                )
            }
            permissions.insert(permission)
        }
        return permissions
    }
}
