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
    /// `platform:admin`: only the platform admin key; the route is then process-wide.
    case platformAdmin

    /// The name the header defines for this permission.
    public var name: String {
        switch self {
        case .documentsRead: AEROLITH_PERMISSION_DOCUMENTS_READ
        case .documentsWrite: AEROLITH_PERMISSION_DOCUMENTS_WRITE
        case .collectionsManage: AEROLITH_PERMISSION_COLLECTIONS_MANAGE
        case .platformAdmin: AEROLITH_PERMISSION_PLATFORM_ADMIN
        }
    }
}
