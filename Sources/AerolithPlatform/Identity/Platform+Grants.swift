import AerolithPermissions

/// Nobody grants more than they hold: the checks behind user, role and key management.
extension Platform {
    /// Refuses a grant of `permissions` (and, for a key, `collections`) beyond what `grantor`
    /// holds. A nil grantor is the platform admin, who may grant anything.
    func checkGrantable(_ permissions: Set<Permission>, collections: Set<String>? = nil, by grantor: Grant?) throws(PlatformError) {
        guard let grantor else { return }
        let beyond = permissions.subtracting(grantor.permissions)
        guard beyond.isEmpty else {
            throw PlatformError(
                .forbidden, "you cannot grant permissions you do not hold: \(beyond.sorted().map(\.rawValue).joined(separator: ", "))")
        }
        if let scope = grantor.collections {
            guard let collections, collections.isSubset(of: scope) else {
                throw PlatformError(.forbidden, "a credential limited to some collections can only grant access to those collections")
            }
        }
    }

    /// The permissions a list of role names grants in a tenant.
    func permissions(ofRoles roles: [String], tenantID: String) async throws -> Set<Permission> {
        var permissions = Set<Permission>()
        for role in roles { permissions.formUnion(try await self.permissions(ofRole: role, tenantID: tenantID) ?? []) }
        return permissions
    }

    /// Refuses changing a user who holds more than the grantor (an admin cannot demote,
    /// suspend or remove an owner).
    func checkManageable(_ user: User, by grantor: Grant?) async throws {
        guard let grantor else { return }
        guard try await permissions(ofRoles: user.roles, tenantID: user.tenantID).isSubset(of: grantor.permissions) else {
            throw PlatformError(.forbidden, "this user holds permissions you do not; only someone holding all of them can change the user")
        }
    }

    /// Refuses a change that would leave the tenant without an active owner.
    func checkOwnersRemain(changing user: User, to changed: User?) async throws {
        let owner = Role.owner.rawValue
        guard user.status == .active, user.roles.contains(owner) else { return }
        if let changed, changed.status == .active, changed.roles.contains(owner) { return }
        guard
            try await allUsers(tenantID: user.tenantID).contains(where: {
                $0.id != user.id && $0.status == .active && $0.roles.contains(owner)
            })
        else {
            throw PlatformError(.lastOwner, "this is the tenant's last active owner; make someone else owner first")
        }
    }
}
