import AerolithPermissions
import AerolithStorage

extension Platform {
    /// Creates an API key for a tenant and returns it with its secret, which is shown once and
    /// stored only as a digest.
    /// `grantor` (nil: the platform admin) must hold every permission the key grants, and a
    /// grantor limited to some collections can only make keys limited to those.
    public func createKey(
        tenantID: String, name: String, role roleName: String?, permissions permissionNames: [String]? = nil,
        collections: [String]? = nil, grantor: Grant? = nil
    ) async throws -> (key: APIKey, secret: String) {
        let tenant = try await tenant(tenantID)
        guard validDisplayName(name, lengthBytesMax: PlatformLimits.keyNameLengthBytesMax) else {
            throw PlatformError(
                .invalidKeyName, "a key name is 1-\(PlatformLimits.keyNameLengthBytesMax) bytes of text without control characters")
        }
        var role: String?
        var permissions: Set<Permission>?
        switch (roleName, permissionNames) {
        case (let name?, nil):
            guard try await self.permissions(ofRole: name, tenantID: tenant.id) != nil else {
                throw PlatformError(
                    .invalidRole,
                    "unknown role \"\(name.prefix(40))\"; use a custom role or \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            role = name
        case (nil, let names?):
            permissions = try PermissionNames.parse(names)
            guard !permissions!.isEmpty else { throw PlatformError(.invalidPermission, "a key holds at least one permission") }
        case (nil, nil):
            role = Role.developer.rawValue
        case (_?, _?):
            throw PlatformError(.invalidPermission, "give a key a role or a list of permissions, not both")
        }
        if let collections {
            guard !collections.isEmpty, collections.count <= PlatformLimits.keyCollectionsMax,
                collections.allSatisfy({ (try? CollectionName($0)) != nil })
            else {
                throw PlatformError(.invalidKeyScope, "collections is a list of 1-\(PlatformLimits.keyCollectionsMax) collection names")
            }
        }
        let granted: Set<Permission> =
            if let explicit = permissions { explicit } else {
                try await self.permissions(ofRoles: role.map { [$0] } ?? [], tenantID: tenant.id)
            }
        try checkGrantable(granted, collections: collections.map(Set.init), by: grantor)
        guard try await keys(tenantID: tenant.id).filter({ $0.revokedAt == nil }).count < PlatformLimits.keysPerTenantMax else {
            throw PlatformError(.keyLimitReached, "a tenant holds at most \(PlatformLimits.keysPerTenantMax) active keys; revoke one first")
        }
        return try await storeKey(
            secret: APIKey.newSecret(), tenantID: tenant.id, name: name, role: role, permissions: permissions,
            collections: collections.map { Array(Set($0)).sorted() })
    }

    func storeKey(
        secret: String, tenantID: String?, name: String, role: String?, permissions: Set<Permission>? = nil,
        collections: [String]? = nil
    ) async throws -> (key: APIKey, secret: String) {
        let key = APIKey(
            id: RandomID.make(prefix: "key_", length: 16), tenantID: tenantID, name: name, role: role, permissions: permissions,
            collections: collections, hint: String(secret.prefix(7)), createdAt: .now(), revokedAt: nil)
        let digest = APIKey.digest(of: secret)
        _ = try await store.insert(key.json, id: try DocumentID(digest), into: keysCollection, in: system)
        keyCache.withLock { $0[digest] = key }
        logger.info("created key", metadata: ["tenant": "\(tenantID ?? "-")", "key": "\(key.id)"])
        return (key, secret)
    }

    /// A tenant's keys, revoked ones included, oldest first.
    public func keys(tenantID: String) async throws -> [APIKey] {
        let tenant = try await tenant(tenantID)
        return try await keyRecords(matching: .compare(try FieldPath("tenant_id"), .equal(.string(tenant.id)))).map(\.key)
    }

    func keyRecords(matching filter: Filter) async throws -> [(digest: String, key: APIKey)] {
        var records: [(String, APIKey)] = []
        var cursor: String?
        repeat {
            let page = try await store.query(
                Query(filter: filter, limit: StorageLimits.queryLimitMax, cursor: cursor), in: keysCollection, placement: system)
            records += page.documents.compactMap { document in APIKey(body: document.body).map { (document.id, $0) } }
            cursor = page.nextCursor
        } while cursor != nil
        return records
    }

    /// Revokes a tenant's key; it stops working on the next request.
    /// `revoker` (nil: the platform admin) must hold every permission the key holds, and a
    /// revoker limited to some collections can only revoke keys limited to those: the rule
    /// that holds for granting, so a `keys:manage` key cannot take away the owner's keys.
    public func revokeKey(tenantID: String, keyID: String, revoker: Grant? = nil) async throws -> APIKey {
        let tenant = try await tenant(tenantID)
        let filter = Filter.all([
            .compare(try FieldPath("tenant_id"), .equal(.string(tenant.id))),
            .compare(try FieldPath("key_id"), .equal(.string(keyID))),
        ])
        guard let (digest, key) = try await keyRecords(matching: filter).first else {
            throw PlatformError(.keyNotFound, "key \"\(keyID.prefix(40))\" does not exist for this tenant")
        }
        if let revoker {
            let held: Set<Permission> =
                if let explicit = key.permissions { explicit } else {
                    try await permissions(ofRoles: key.role.map { [$0] } ?? [], tenantID: tenant.id)
                }
            guard held.isSubset(of: revoker.permissions),
                revoker.collections.map({ scope in
                    key.collections.map { Set($0).isSubset(of: scope) } ?? false
                }) ?? true
            else {
                throw PlatformError(
                    .forbidden, "this key holds permissions or collections you do not; only someone holding all of them can revoke it")
            }
        }
        if key.revokedAt != nil { return key }
        return try await revoke(key, digest: digest)
    }

    @discardableResult
    func revoke(_ key: APIKey, digest: String) async throws -> APIKey {
        let revoked = APIKey(
            id: key.id, tenantID: key.tenantID, name: key.name, role: key.role, permissions: key.permissions,
            collections: key.collections, hint: key.hint, createdAt: key.createdAt, revokedAt: .now())
        _ = try await store.replace(
            try DocumentID(digest), with: revoked.json, expectedVersion: nil, mode: .upsert,
            in: keysCollection, placement: system)
        identityChanged()
        keyCache.withLock { $0[digest] = revoked }
        logger.info("revoked key", metadata: ["tenant": "\(key.tenantID ?? "-")", "key": "\(key.id)"])
        return revoked
    }

    /// Establishes who presents `secret`. Throws `unauthenticated` for an unknown or revoked key
    /// and `tenant_suspended` for a key of a suspended tenant.
    public func authenticate(secret: String) async throws -> Principal {
        let digest = APIKey.digest(of: secret)
        var key = keyCache.withLock { $0[digest] }
        if key == nil {
            let generation = identityGeneration.load(ordering: .acquiring)
            guard let document = try await store.findDocument(try DocumentID(digest), in: keysCollection, placement: system) else {
                throw PlatformError(.unauthenticated, "the API key is not valid")
            }
            key = APIKey(body: document.body)
            afterCacheMissRead.withLock { $0 }?(digest)
            // Only what nothing changed while it was read is remembered (a revocation racing this read wins).
            if let key { keyCache.withLock { if identityGeneration.load(ordering: .acquiring) == generation { $0[digest] = key } } }
        }
        guard let key, key.revokedAt == nil else { throw PlatformError(.unauthenticated, "the API key is not valid or was revoked") }
        guard let tenantID = key.tenantID else { return .platformAdmin(keyID: key.id) }
        let tenant = try await tenant(tenantID)
        guard tenant.status == .active else { throw PlatformError(.tenantSuspended, "the tenant is suspended") }
        // A key's custom role deleted since grants nothing.
        let permissions: Set<Permission> =
            if let explicit = key.permissions { explicit } else {
                try await self.permissions(ofRoles: key.role.map { [$0] } ?? [], tenantID: tenantID)
            }
        let grant = Grant(role: key.role ?? "permissions", permissions: permissions, collections: key.collections.map(Set.init))
        return .tenant(TenantCaller(tenantID: tenantID, subject: key.id, kind: .apiKey, grant: grant))
    }
}
