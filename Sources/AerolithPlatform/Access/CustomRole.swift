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

    var json: JSONObject {
        JSONObject(members: [
            .init(key: "tenant_id", value: .string(tenantID)),
            .init(key: "name", value: .string(name)),
            .init(key: "permissions", value: .array(permissions.sorted().map { .string($0.rawValue) })),
            .init(key: "created_at", value: .integer(createdAt.milliseconds)),
        ])
    }

    init(tenantID: String, name: String, permissions: Set<Permission>, createdAt: Timestamp) {
        self.tenantID = tenantID
        self.name = name
        self.permissions = permissions
        self.createdAt = createdAt
    }

    init?(body: String) {
        guard case .object(let object)? = try? JSONParser.parse(body), let tenantID = object["tenant_id"]?.stringValue,
              let name = object["name"]?.stringValue, case .array(let values)? = object["permissions"],
              let createdAt = Timestamp(record: object["created_at"]) else { return nil }
        self.init(tenantID: tenantID, name: name, permissions: Set(values.compactMap { $0.stringValue.flatMap(Permission.init(rawValue:)) }),
                  createdAt: createdAt)
    }

    /// The record's id: one per tenant and name.
    static func documentID(tenantID: String, name: String) -> String {
        "rol_" + APIKey.digest(of: "\(tenantID)\n\(name)")
    }

    /// Lower-case letters, digits, `-` and `_`, starting with a letter; not a reserved name.
    static func validName(_ name: String) -> Bool {
        guard name != APIKey.platformAdminRole, let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
              name.utf8.count <= nameLengthBytesMax else { return false }
        return name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
            || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }
}

/// Permission names from an API request, checked against what a tenant may hold.
public enum PermissionNames {
    public static func parse(_ names: [String]) throws(PlatformError) -> Set<Permission> {
        var permissions = Set<Permission>()
        for name in names {
            guard let permission = Permission(rawValue: name), Permission.tenantPermissions.contains(permission) else {
                throw PlatformError(.invalidPermission, "unknown permission \"\(name.prefix(40))\"; use \(Permission.tenantPermissions.sorted().map(\.rawValue).joined(separator: ", "))")
            }
            permissions.insert(permission)
        }
        return permissions
    }
}
