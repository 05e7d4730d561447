import AerolithStorage
import Foundation

extension Platform {
    /// Creates a user of a tenant. The email must be new to the tenant (another tenant may have
    /// it); `grantor` (nil: the platform admin) must hold every permission the roles grant.
    public func createUser(
        tenantID: String, email rawEmail: String, password: String, displayName: String?,
        roles: [String], grantor: Grant?
    ) async throws -> User {
        try await createUser(
            tenantID: tenantID, email: rawEmail, password: password, displayName: displayName, roles: roles,
            grantor: grantor, passwordHash: nil)
    }

    /// `passwordHash`: the password hashed already (signup hashes before it creates anything).
    func createUser(
        tenantID: String, email rawEmail: String, password: String, displayName: String?,
        roles: [String], grantor: Grant?, passwordHash: String?
    ) async throws -> User {
        let tenant = try await tenant(tenantID)
        let (email, name) = try checkedIdentity(email: rawEmail, password: password, displayName: displayName)
        let checkedRoles = try await validRoles(roles, tenantID: tenant.id)
        try await checkGrantable(try permissions(ofRoles: checkedRoles, tenantID: tenant.id), by: grantor)
        var hash = passwordHash
        if hash == nil { hash = try await hasher.hash(password, tenantID: tenant.id) }
        let now = Timestamp.now()
        var user = User(
            id: RandomID.make(prefix: User.idPrefix, length: User.idRandomLength), tenantID: tenant.id, email: email,
            displayName: name, status: .active, roles: checkedRoles, passwordHash: hash ?? "",
            createdAt: now, updatedAt: now, passwordChangedAt: now)
        do throws(StorageError) {
            user.version = try await store.insert(user.json, id: try DocumentID(user.id), into: usersCollection, in: system).version
        } catch {
            guard error.code == .uniqueViolation else { throw error }
            throw PlatformError(.emailTaken, "this tenant already has a user with that email")
        }
        userCache.withLock { $0[user.id] = user }
        logger.info("created user", metadata: ["tenant": "\(tenant.id)", "user": "\(user.id)"])
        return user
    }

    /// The normalised email and the display name (the email's local part if none is given),
    /// checked with the password before anything is created.
    func checkedIdentity(email rawEmail: String, password: String, displayName: String?) throws -> (email: String, name: String) {
        guard let email = User.normalizedEmail(rawEmail) else {
            throw PlatformError(.invalidEmail, "\"\(rawEmail.prefix(64))\" is not an email address")
        }
        try checkPassword(password)
        let name = displayName ?? String(email.prefix { $0 != "@" })
        guard validDisplayName(name, lengthBytesMax: IdentityLimits.displayNameLengthBytesMax) else {
            throw PlatformError(
                .invalidDisplayName,
                displayName == nil
                    ? "the email's local part is not a usable display name; give display_name"
                    : "a display name is 1-\(IdentityLimits.displayNameLengthBytesMax) bytes of text without control characters")
        }
        return (email, name)
    }

    /// A user of `tenantID`; another tenant's user is not found.
    public func user(_ id: String, tenantID: String) async throws -> User {
        guard let user = try await user(id), user.tenantID == tenantID else {
            throw PlatformError(.userNotFound, "user \"\(id.prefix(40))\" does not exist")
        }
        return user
    }

    func user(_ id: String) async throws -> User? {
        if let cached = userCache.withLock({ $0[id] }) { return cached }
        let generation = identityGeneration.load(ordering: .acquiring)
        guard let user = try await storedUser(id) else { return nil }
        // Only what nothing changed while it was read is remembered.
        userCache.withLock { if identityGeneration.load(ordering: .acquiring) == generation { $0[id] = user } }
        return user
    }

    /// The user as stored now, bypassing the cache.
    func storedUser(_ id: String) async throws -> User? {
        guard RandomID.isValid(id, prefix: User.idPrefix, length: User.idRandomLength),
            let document = try await store.findDocument(try DocumentID(id), in: usersCollection, placement: system),
            var user = User(body: document.body)
        else { return nil }
        user.version = document.version
        return user
    }

    /// The users a query returned, each read through `user(_:)` (so the cache serves them).
    func users(_ documents: [Document]) async throws -> [User] {
        var users: [User] = []
        for document in documents { if let user = try await user(document.id) { users.append(user) } }
        return users
    }

    func user(tenantID: String, email: String) async throws -> User? {
        let filter = Filter.all([
            .compare(try FieldPath("tenant_id"), .equal(.string(tenantID))),
            .compare(try FieldPath("email"), .equal(.string(email))),
        ])
        guard let document = try await store.query(Query(filter: filter, limit: 1), in: usersCollection, placement: system).documents.first
        else {
            return nil
        }
        return try await user(document.id)
    }

    /// One page of a tenant's users, oldest first.
    public func users(tenantID: String, limit: Int, cursor: String?) async throws -> (users: [User], nextCursor: String?) {
        let tenant = try await tenant(tenantID)
        let filter = Filter.compare(try FieldPath("tenant_id"), .equal(.string(tenant.id)))
        let page = try await store.query(
            Query(filter: filter, limit: min(max(limit, 1), PlatformLimits.tenantPageSizeMax), cursor: cursor),
            in: usersCollection, placement: system)
        return (try await users(page.documents), page.nextCursor)
    }

    /// Every user of a tenant, page by page.
    func allUsers(tenantID: String) async throws -> [User] {
        var users: [User] = []
        var cursor: String?
        repeat {
            let page = try await self.users(tenantID: tenantID, limit: PlatformLimits.tenantPageSizeMax, cursor: cursor)
            users += page.users
            cursor = page.nextCursor
        } while cursor != nil
        return users
    }

    /// Changes a user's name, status or roles. A suspended user's tokens are refused (403
    /// `user_suspended`) from the next request and sign-in is refused; resuming lets them back.
    /// The grantor must hold everything the user holds now and everything the new roles grant,
    /// and the tenant keeps an active owner.
    public func updateUser(
        _ id: String, tenantID: String, displayName: String?, status: String?, roles: [String]?,
        grantor: Grant?
    ) async throws -> User {
        let current = try await user(id, tenantID: tenantID)
        try await checkManageable(current, by: grantor)
        var user = current
        if let displayName {
            guard validDisplayName(displayName, lengthBytesMax: IdentityLimits.displayNameLengthBytesMax) else {
                throw PlatformError(
                    .invalidDisplayName,
                    "a display name is 1-\(IdentityLimits.displayNameLengthBytesMax) bytes of text without control characters")
            }
            user.displayName = displayName
        }
        if let status {
            guard let known = User.Status(rawValue: status) else {
                throw PlatformError(.invalidStatus, "status is one of \(User.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            user.status = known
        }
        if let roles {
            user.roles = try await validRoles(roles, tenantID: tenantID)
            try await checkGrantable(try permissions(ofRoles: user.roles, tenantID: tenantID), by: grantor)
        }
        try await checkOwnersRemain(changing: current, to: user)
        user.updatedAt = .now()
        return try await save(user)
    }

    /// Deletes a user and ends their sessions (not the tenant's last active owner).
    public func deleteUser(_ id: String, tenantID: String, grantor: Grant?) async throws {
        let user = try await user(id, tenantID: tenantID)
        try await checkManageable(user, by: grantor)
        try await checkOwnersRemain(changing: user, to: nil)
        try await endSessions(ofUser: user.id, reason: "user_deleted", except: nil)
        do throws(StorageError) {
            try await store.delete(try DocumentID(user.id), expectedVersion: user.version, in: usersCollection, placement: system)
        } catch {
            guard error.code == .versionConflict else { throw error }
            throw PlatformError(.concurrentChange, "the user changed while being deleted; try again")
        }
        identityChanged()
        userCache.withLock { _ = $0.removeValue(forKey: user.id) }
    }

    /// Changes a user's password after checking the current one; every other session ends.
    public func changePassword(userID: String, tenantID: String, current: String, new: String, keepingSession: String?) async throws {
        let before = try await user(userID, tenantID: tenantID)
        try checkPassword(new)
        let account = LoginThrottle.accountKey(tenantID: tenantID, email: before.email)
        let attempt = try throttle.reserve(account: account, address: nil)
        let matches: Bool
        do {
            matches = try await hasher.verify(current, against: before.passwordHash, tenantID: tenantID).matches
        } catch {
            throttle.cancel(attempt)
            throw error
        }
        guard matches else { throw PlatformError(.invalidCredentials, "the current password is wrong") }
        throttle.succeeded(attempt)
        let hash = try await hasher.hash(new, tenantID: tenantID)
        // Applied to the user as stored now: changes made meanwhile (a suspension) are kept.
        guard var user = try await storedUser(userID), user.tenantID == tenantID, user.passwordHash == before.passwordHash else {
            throw PlatformError(.concurrentChange, "the user changed meanwhile; try again")
        }
        user.passwordHash = hash
        user.passwordChangedAt = .now()
        user.updatedAt = user.passwordChangedAt
        _ = try await save(user)
        try await endSessions(ofUser: user.id, reason: "password_changed", except: keepingSession)
    }

    /// Writes `user` if the stored record is still the version it was read at.
    @discardableResult
    func save(_ user: User) async throws -> User {
        var saved = user
        do throws(StorageError) {
            saved.version = try await store.replace(
                try DocumentID(user.id), with: user.json, expectedVersion: user.version, mode: .replaceOnly,
                in: usersCollection, placement: system
            ).document.version
        } catch {
            guard error.code == .versionConflict || error.code == .documentNotFound else { throw error }
            userCache.withLock { _ = $0.removeValue(forKey: user.id) }
            throw PlatformError(.concurrentChange, "the user changed meanwhile; try again")
        }
        identityChanged()
        userCache.withLock { $0[user.id] = saved }
        return saved
    }

    func checkPassword(_ password: String) throws(PlatformError) {
        guard (IdentityLimits.passwordLengthBytesMin...IdentityLimits.passwordLengthBytesMax).contains(password.utf8.count) else {
            throw PlatformError(
                .invalidPassword,
                "a password is \(IdentityLimits.passwordLengthBytesMin)-\(IdentityLimits.passwordLengthBytesMax) bytes long")
        }
    }

    func validRoles(_ roles: [String], tenantID: String) async throws -> [String] {
        guard !roles.isEmpty, roles.count <= IdentityLimits.rolesPerUserMax else {
            throw PlatformError(.invalidRole, "a user holds 1-\(IdentityLimits.rolesPerUserMax) roles")
        }
        for role in roles where try await permissions(ofRole: role, tenantID: tenantID) == nil {
            throw PlatformError(
                .invalidRole,
                "unknown role \"\(role.prefix(40))\"; use a custom role or \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return Array(Set(roles)).sorted()
    }

    /// What a user's roles grant together (a custom role deleted since grants nothing).
    func grant(for user: User) async throws -> Grant {
        Grant(role: user.roles.joined(separator: ","), permissions: try await permissions(ofRoles: user.roles, tenantID: user.tenantID))
    }
}
