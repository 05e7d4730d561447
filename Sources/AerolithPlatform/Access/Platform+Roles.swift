import AerolithPermissions
import AerolithStorage

extension Platform {
    /// Defines a custom role for a tenant, from permissions `grantor` holds (nil: the platform admin).
    public func createRole(tenantID: String, name: String, permissions names: [String], grantor: Grant?) async throws -> CustomRole {
        let tenant = try await tenant(tenantID)
        guard CustomRole.validName(name) else {
            throw PlatformError(
                .invalidRole, "a role name is 1-\(CustomRole.nameLengthBytesMax) lower-case letters, digits, - or _, starting with a letter"
            )
        }
        guard Role(rawValue: name) == nil else { throw PlatformError(.roleExists, "\"\(name)\" is a built-in role") }
        let permissions = try PermissionNames.parse(names)
        guard !permissions.isEmpty else { throw PlatformError(.invalidPermission, "a role holds at least one permission") }
        try checkGrantable(permissions, by: grantor)
        guard try await customRoles(tenantID: tenant.id).count < PlatformLimits.customRolesPerTenantMax else {
            throw PlatformError(.roleLimitReached, "a tenant defines at most \(PlatformLimits.customRolesPerTenantMax) roles")
        }
        let role = CustomRole(tenantID: tenant.id, name: name, permissions: permissions, createdAt: .now())
        do throws(StorageError) {
            _ = try await store.insert(
                role.json, id: try DocumentID(CustomRole.documentID(tenantID: tenant.id, name: name)),
                into: rolesCollection, in: system)
        } catch {
            guard error.code == .documentExists else { throw error }
            throw PlatformError(.roleExists, "this tenant already has a role named \"\(name)\"")
        }
        identityChanged()
        roleCache.withLock { $0[tenant.id] = nil }
        return role
    }

    /// A tenant's custom roles, by name.
    public func customRoles(tenantID: String) async throws -> [String: CustomRole] {
        if let cached = roleCache.withLock({ $0[tenantID] }) { return cached }
        let filter = Filter.compare(try FieldPath("tenant_id"), .equal(.string(tenantID)))
        let generation = identityGeneration.load(ordering: .acquiring)
        let page = try await store.query(
            Query(filter: filter, limit: PlatformLimits.customRolesPerTenantMax), in: rolesCollection, placement: system)
        let roles = Dictionary(
            page.documents.compactMap { CustomRole(body: $0.body) }.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // Only what nothing changed while it was read is remembered.
        roleCache.withLock { if identityGeneration.load(ordering: .acquiring) == generation { $0[tenantID] = roles } }
        return roles
    }

    /// Removes a custom role nobody holds: a user or an unrevoked key holding it is refused with
    /// `role_in_use` (a role later made with the same name must not grant anything to them).
    public func deleteRole(tenantID: String, name: String) async throws {
        let tenant = try await tenant(tenantID)
        guard try await customRoles(tenantID: tenant.id)[name] != nil else {
            throw PlatformError(.roleNotFound, "no custom role \"\(name.prefix(40))\"")
        }
        let keyHolders = try await keys(tenantID: tenant.id).filter { $0.revokedAt == nil && $0.role == name }.count
        let userHolders = try await allUsers(tenantID: tenant.id).filter { $0.roles.contains(name) }.count
        guard keyHolders == 0 && userHolders == 0 else {
            throw PlatformError(
                .roleInUse, "\(userHolders) user(s) and \(keyHolders) key(s) hold the role \"\(name)\"; change or revoke them first")
        }
        try await store.delete(
            try DocumentID(CustomRole.documentID(tenantID: tenant.id, name: name)), expectedVersion: nil,
            in: rolesCollection, placement: system)
        identityChanged()
        roleCache.withLock { $0[tenant.id] = nil }
    }

    /// The permissions of a role name in a tenant (built-in or custom); nil if there is no such role.
    func permissions(ofRole name: String, tenantID: String) async throws -> Set<Permission>? {
        if let builtIn = Role(rawValue: name) { return builtIn.permissions }
        return try await customRoles(tenantID: tenantID)[name]?.permissions
    }
}
