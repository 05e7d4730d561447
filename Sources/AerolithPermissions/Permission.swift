/// The one vocabulary of what a credential may do: roles grant these, core routes require
/// them, and plugin routes name them in `route_permission` by the names the plugin header
/// defines (`AEROLITH_PERMISSION_*`, the raw values here; a test holds the two equal).
public enum Permission: String, Sendable, CaseIterable, Comparable {
    /// Read documents and run queries.
    case documentsRead = "documents:read"
    /// Create, replace, patch and delete documents.
    case documentsWrite = "documents:write"
    /// Create and drop collections and indexes.
    case collectionsManage = "collections:manage"
    /// Invite, change and remove the tenant's users; assign roles; define custom roles.
    case usersManage = "users:manage"
    /// Create and revoke the tenant's API keys.
    case keysManage = "keys:manage"
    /// Read the tenant's metered usage.
    case usageRead = "usage:read"
    /// Read the tenant's invoices and plan.
    case billingRead = "billing:read"
    /// Platform operators only: tenants and their keys, plugins.
    case platformAdmin = "platform:admin"

    /// Every permission a tenant's role can hold.
    public static let tenantPermissions: Set<Permission> = Set(allCases.filter { $0 != .platformAdmin })

    public static func < (lhs: Permission, rhs: Permission) -> Bool { lhs.rawValue < rhs.rawValue }
}
