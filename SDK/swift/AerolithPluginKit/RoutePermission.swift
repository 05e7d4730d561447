import CAerolithPluginABI

/// The permission a plugin route requires (`route_permission`): the header's
/// `AEROLITH_PERMISSION_*` names, one case each. The host checks it before the route runs.
public enum RoutePermission: Sendable, CaseIterable {
    /// `documents:read`: any tenant credential that may read documents.
    case documentsRead
    /// `documents:write`: any tenant credential that may write documents.
    case documentsWrite
    /// `collections:manage`: tenant credentials that may create and drop collections.
    case collectionsManage
    /// `users:manage`: tenant credentials that may manage the tenant's users and roles.
    case usersManage
    /// `keys:manage`: tenant credentials that may create and revoke the tenant's API keys.
    case keysManage
    /// `usage:read`: tenant credentials that may read the tenant's usage.
    case usageRead
    /// `billing:read`: tenant credentials that may read the tenant's invoices and plan.
    case billingRead
    /// `platform:admin`: only the platform admin key; the route is then process-wide.
    case platformAdmin

    /// The name the header defines for this permission.
    public var name: String {
        switch self {
        case .documentsRead: AEROLITH_PERMISSION_DOCUMENTS_READ
        case .documentsWrite: AEROLITH_PERMISSION_DOCUMENTS_WRITE
        case .collectionsManage: AEROLITH_PERMISSION_COLLECTIONS_MANAGE
        case .usersManage: AEROLITH_PERMISSION_USERS_MANAGE
        case .keysManage: AEROLITH_PERMISSION_KEYS_MANAGE
        case .usageRead: AEROLITH_PERMISSION_USAGE_READ
        case .billingRead: AEROLITH_PERMISSION_BILLING_READ
        case .platformAdmin: AEROLITH_PERMISSION_PLATFORM_ADMIN
        }
    }
}
