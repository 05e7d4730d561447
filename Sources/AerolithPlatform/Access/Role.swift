import AerolithPermissions

/// The built-in roles of every tenant, each a fixed set of permissions.
public enum Role: String, Sendable, CaseIterable {
    /// Everything a tenant can do; the user who signed the tenant up.
    case owner
    /// Everything but billing: data, users and keys.
    case admin
    /// Data and collections, and reading usage.
    case developer
    /// Read documents and run queries.
    case viewer
    /// Usage and invoices only.
    case billing

    public var permissions: Set<Permission> {
        switch self {
        case .owner: Permission.tenantPermissions
        case .admin: Permission.tenantPermissions.subtracting([.billingRead])
        case .developer: [.documentsRead, .documentsWrite, .collectionsManage, .usageRead]
        case .viewer: [.documentsRead]
        case .billing: [.usageRead, .billingRead]
        }
    }
}

/// What a tenant credential grants: a role's name and permissions (built-in or the tenant's
/// own), optionally narrowed to some collections.
public struct Grant: Sendable, Equatable {
    public let role: String
    public let permissions: Set<Permission>
    /// The collections the credential may touch; nil for all.
    public let collections: Set<String>?

    public init(role: String, permissions: Set<Permission>, collections: Set<String>? = nil) {
        self.role = role
        self.permissions = permissions
        self.collections = collections
    }

    public init(_ role: Role) { self.init(role: role.rawValue, permissions: role.permissions) }
}

/// A tenant's caller: an API key, a signed-in user, or an identity an authentication plugin vouched for.
public struct TenantCaller: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case apiKey = "api_key"
        case user
        case provider
    }

    public let tenantID: String
    /// The key id, the user id, or "plugin:subject".
    public let subject: String
    public let kind: Kind
    public let grant: Grant
    /// The session a user's access token belongs to.
    public let sessionID: String?

    public init(tenantID: String, subject: String, kind: Kind, grant: Grant, sessionID: String? = nil) {
        self.tenantID = tenantID
        self.subject = subject
        self.kind = kind
        self.grant = grant
        self.sessionID = sessionID
    }
}

/// Who is making a request, as established from its credential.
public enum Principal: Sendable, Equatable {
    case platformAdmin(keyID: String)
    case tenant(TenantCaller)

    public var tenantID: String? {
        if case .tenant(let caller) = self { return caller.tenantID }
        return nil
    }

    /// Throws `forbidden` unless this principal holds `permission` (and, for a credential
    /// scoped to some collections, unless `collection` is one of them). The one place
    /// permissions are checked.
    public func require(_ permission: Permission, collection: String? = nil) throws(PlatformError) {
        switch self {
        case .platformAdmin:
            guard permission == .platformAdmin else {
                throw PlatformError(
                    .forbidden, "the platform admin key manages tenants; use a tenant credential for \(permission.rawValue)")
            }
        case .tenant(let caller):
            guard caller.grant.permissions.contains(permission) else {
                throw PlatformError(.forbidden, "the role \"\(caller.grant.role)\" lacks the permission \(permission.rawValue)")
            }
            if let scope = caller.grant.collections {
                guard let collection, scope.contains(collection) else {
                    throw PlatformError(
                        .forbidden,
                        collection.map { "this credential may not touch the collection \"\($0.prefix(64))\"" }
                            ?? "this credential is limited to some collections and cannot use this route")
                }
            }
        }
    }
}
