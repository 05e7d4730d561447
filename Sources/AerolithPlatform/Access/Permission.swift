/// What a request may do. Every route names the one permission it needs.
public enum Permission: String, Sendable, CaseIterable {
    case documentsRead = "documents:read"
    case documentsWrite = "documents:write"
    case collectionsManage = "collections:manage"
    /// Platform operators only: tenants and their keys.
    case platformAdmin = "platform:admin"
}

/// A tenant API key's role: a named set of permissions.
public enum Role: String, Sendable, CaseIterable {
    /// Read documents and run queries.
    case viewer
    /// Read and write documents; create and drop collections and indexes.
    case developer
    /// Everything a tenant can do.
    case admin

    public var permissions: Set<Permission> {
        switch self {
        case .viewer: Self.readOnly
        case .developer, .admin: Self.readWrite
        }
    }

    private static let readOnly: Set<Permission> = [.documentsRead]
    private static let readWrite: Set<Permission> = [.documentsRead, .documentsWrite, .collectionsManage]
}

/// Who is making a request, as established from its credential.
public enum Principal: Sendable, Equatable {
    case platformAdmin(keyID: String)
    case tenant(tenantID: String, keyID: String, role: Role)

    public var tenantID: String? {
        if case .tenant(let tenantID, _, _) = self { return tenantID }
        return nil
    }

    /// Throws `forbidden` unless this principal holds `permission`. The one place permissions
    /// are checked.
    public func require(_ permission: Permission) throws(PlatformError) {
        switch self {
        case .platformAdmin:
            guard permission == .platformAdmin else {
                throw PlatformError(.forbidden, "the platform admin key manages tenants; use a tenant key for \(permission.rawValue)")
            }
        case .tenant(_, _, let role):
            guard role.permissions.contains(permission) else {
                throw PlatformError(.forbidden, "this key's role \"\(role.rawValue)\" lacks the permission \(permission.rawValue)")
            }
        }
    }
}
