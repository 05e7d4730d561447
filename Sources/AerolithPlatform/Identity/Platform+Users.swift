import AerolithStorage
import Foundation

extension Platform {
    /// Creates a user of a tenant. The email must be new to the tenant (another tenant may have it).
    public func createUser(tenantID: String, email rawEmail: String, password: String, displayName: String?,
                           roles: [String]) async throws -> User {
        let tenant = try tenant(tenantID)
        guard let email = User.normalizedEmail(rawEmail) else {
            throw PlatformError(.invalidEmail, "\"\(rawEmail.prefix(64))\" is not an email address")
        }
        try checkPassword(password)
        let name = displayName ?? String(email.prefix { $0 != "@" })
        guard validDisplayName(name, lengthBytesMax: IdentityLimits.displayNameLengthBytesMax) else {
            throw PlatformError(.invalidDisplayName, "a display name is 1-\(IdentityLimits.displayNameLengthBytesMax) bytes of text without control characters")
        }
        let checkedRoles = try validRoles(roles, tenantID: tenant.id)
        let now = Timestamp.now()
        let user = User(id: RandomID.make(prefix: User.idPrefix, length: User.idRandomLength), tenantID: tenant.id, email: email,
                        displayName: name, status: .active, roles: checkedRoles, passwordHash: try hasher.hash(password),
                        createdAt: now, updatedAt: now, passwordChangedAt: now)
        do throws(StorageError) {
            _ = try await store.insert(user.json, id: try DocumentID(user.id), into: usersCollection, in: system)
        } catch {
            guard error.code == .uniqueViolation else { throw error }
            throw PlatformError(.emailTaken, "this tenant already has a user with that email")
        }
        userCache.withLock { $0[user.id] = user }
        logger.info("created user", metadata: ["tenant": "\(tenant.id)", "user": "\(user.id)"])
        return user
    }

    /// A user of `tenantID`; another tenant's user is not found.
    public func user(_ id: String, tenantID: String) throws -> User {
        guard let user = try user(id), user.tenantID == tenantID else {
            throw PlatformError(.userNotFound, "user \"\(id.prefix(40))\" does not exist")
        }
        return user
    }

    func user(_ id: String) throws -> User? {
        if let cached = userCache.withLock({ $0[id] }) { return cached }
        guard RandomID.isValid(id, prefix: User.idPrefix, length: User.idRandomLength),
              let document = try store.findDocument(try DocumentID(id), in: usersCollection, placement: system),
              let user = User(body: document.body) else { return nil }
        userCache.withLock { $0[id] = user }
        return user
    }

    func user(tenantID: String, email: String) throws -> User? {
        let filter = Filter.all([.compare(try FieldPath("tenant_id"), .equal(.string(tenantID))),
                                 .compare(try FieldPath("email"), .equal(.string(email)))])
        guard let document = try store.query(Query(filter: filter, limit: 1), in: usersCollection, placement: system).documents.first else {
            return nil
        }
        return try user(document.id)
    }

    /// One page of a tenant's users, oldest first.
    public func users(tenantID: String, limit: Int, cursor: String?) throws -> (users: [User], nextCursor: String?) {
        let tenant = try tenant(tenantID)
        let filter = Filter.compare(try FieldPath("tenant_id"), .equal(.string(tenant.id)))
        let page = try store.query(Query(filter: filter, limit: min(max(limit, 1), PlatformLimits.tenantPageSizeMax), cursor: cursor),
                                   in: usersCollection, placement: system)
        return (try page.documents.compactMap { try user($0.id) }, page.nextCursor)
    }

    /// Changes a user's name, status or roles. A suspended user's tokens are refused (403
    /// `user_suspended`) from the next request and sign-in is refused; resuming lets them back.
    public func updateUser(_ id: String, tenantID: String, displayName: String?, status: String?, roles: [String]?) async throws -> User {
        var user = try user(id, tenantID: tenantID)
        if let displayName {
            guard validDisplayName(displayName, lengthBytesMax: IdentityLimits.displayNameLengthBytesMax) else {
                throw PlatformError(.invalidDisplayName, "a display name is 1-\(IdentityLimits.displayNameLengthBytesMax) bytes of text without control characters")
            }
            user.displayName = displayName
        }
        if let status {
            guard let known = User.Status(rawValue: status) else {
                throw PlatformError(.invalidStatus, "status is one of \(User.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            user.status = known
        }
        if let roles { user.roles = try validRoles(roles, tenantID: tenantID) }
        user.updatedAt = .now()
        try await save(user)
        return user
    }

    /// Deletes a user and ends their sessions.
    public func deleteUser(_ id: String, tenantID: String) async throws {
        let user = try user(id, tenantID: tenantID)
        try await endSessions(ofUser: user.id, reason: "user_deleted", except: nil)
        try await store.delete(try DocumentID(user.id), expectedVersion: nil, in: usersCollection, placement: system)
        userCache.withLock { _ = $0.removeValue(forKey: user.id) }
        identityChanged()
    }

    /// Changes a user's password after checking the current one; every other session ends.
    public func changePassword(userID: String, tenantID: String, current: String, new: String, keepingSession: String?) async throws {
        var user = try user(userID, tenantID: tenantID)
        guard hasher.verify(current, against: user.passwordHash).matches else {
            throw PlatformError(.invalidCredentials, "the current password is wrong")
        }
        try checkPassword(new)
        user.passwordHash = try hasher.hash(new)
        user.passwordChangedAt = .now()
        user.updatedAt = user.passwordChangedAt
        try await save(user)
        try await endSessions(ofUser: user.id, reason: "password_changed", except: keepingSession)
    }

    func save(_ user: User) async throws {
        _ = try await store.replace(try DocumentID(user.id), with: user.json, expectedVersion: nil, mode: .upsert,
                                    in: usersCollection, placement: system)
        userCache.withLock { $0[user.id] = user }
        identityChanged()
    }

    func checkPassword(_ password: String) throws(PlatformError) {
        guard (IdentityLimits.passwordLengthBytesMin...IdentityLimits.passwordLengthBytesMax).contains(password.utf8.count) else {
            throw PlatformError(.invalidPassword,
                                "a password is \(IdentityLimits.passwordLengthBytesMin)-\(IdentityLimits.passwordLengthBytesMax) bytes long")
        }
    }

    func validRoles(_ roles: [String], tenantID: String) throws -> [String] {
        guard !roles.isEmpty, roles.count <= IdentityLimits.rolesPerUserMax else {
            throw PlatformError(.invalidRole, "a user holds 1-\(IdentityLimits.rolesPerUserMax) roles")
        }
        for role in roles where try permissions(ofRole: role, tenantID: tenantID) == nil {
            throw PlatformError(.invalidRole, "unknown role \"\(role.prefix(40))\"; use a custom role or \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return Array(Set(roles)).sorted()
    }

    /// What a user's roles grant together (a custom role deleted since grants nothing).
    func grant(for user: User) throws -> Grant {
        var permissions = Set<Permission>()
        for role in user.roles { permissions.formUnion(try self.permissions(ofRole: role, tenantID: user.tenantID) ?? []) }
        return Grant(role: user.roles.joined(separator: ","), permissions: permissions)
    }
}
