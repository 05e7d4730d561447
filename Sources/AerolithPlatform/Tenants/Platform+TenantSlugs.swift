import AerolithStorage

extension Platform {
    /// A tenant named by its id (`tn_…`) or its slug: what API paths, the sign-in body and the
    /// CLI's `--tenant` accept. The two never overlap (a slug holds no underscore).
    public func tenant(named reference: String) async throws -> Tenant {
        guard TenantSlug.isWellFormed(reference) else { return try await tenant(reference) }
        guard let id = try await tenantID(bySlug: reference) else {
            throw PlatformError(.tenantNotFound, "tenant \"\(reference)\" does not exist")
        }
        return try await tenant(id)
    }

    /// The id of the tenant holding `slug`, if any. Found ones are remembered: a slug is
    /// never changed and a tenant never deleted, so the answer cannot go stale.
    func tenantID(bySlug slug: String) async throws -> String? {
        if let id = tenantIDsBySlug.withLock({ $0[slug] }) { return id }
        let filter = Filter.compare(try FieldPath("slug"), .equal(.string(slug)))
        guard
            let document = try await store.query(Query(filter: filter, limit: 1), in: tenantsCollection, placement: system).documents.first
        else {
            return nil
        }
        tenantIDsBySlug.withLock { $0[slug] = document.id }
        return document.id
    }

    /// Refuses a chosen slug that is malformed, reserved (`invalid_slug`) or taken (`slug_taken`)
    /// before anything is created. Only a check: the unique index decides at insert.
    func checkSlugAvailable(_ slug: String) async throws {
        try TenantSlug.check(slug)
        if try await tenantID(bySlug: slug) != nil { throw Self.slugTaken(slug) }
    }

    static func slugTaken(_ slug: String) -> PlatformError {
        PlatformError(.slugTaken, "another tenant has the slug \"\(slug)\"; choose another")
    }

    /// Inserts a new tenant record. The slug's uniqueness is the storage's unique index, so two
    /// creations racing for one slug cannot both succeed: a chosen slug that lost the race is
    /// `slug_taken`; a derived one moves on to its next candidate.
    ///
    /// A placement provisioned for a creation that then fails stays provisioned (unused).
    func insertTenant(id: String, slug chosen: String?, name: String, plan: Plan, placement: Placement?) async throws -> Tenant {
        let candidates = chosen.map { [$0] } ?? TenantSlug.candidates(name: name, id: id)
        let createdAt = Timestamp.now()
        for slug in candidates {
            if chosen == nil, try await tenantID(bySlug: slug) != nil { continue }
            let tenant = Tenant(id: id, slug: slug, name: name, plan: plan, status: .active, createdAt: createdAt, placement: placement)
            do throws(StorageError) {
                _ = try await store.insert(tenant.json, id: try DocumentID(id), into: tenantsCollection, in: system)
            } catch {
                guard error.code == .uniqueViolation else { throw error }
                if chosen != nil { throw Self.slugTaken(slug) }
                continue
            }
            tenantIDsBySlug.withLock { $0[slug] = id }
            return tenant
        }
        throw PlatformError(.slugTaken, "every slug derived from the name \"\(name.prefix(40))\" is taken; choose one with slug")
    }

    /// Run when the platform opens: the unique slug index, then a slug for every tenant stored
    /// before slugs existed. Tenants are taken oldest first (ties by id) and each gets the first
    /// free candidate derived from its name and id, so the same data always gets the same slugs.
    func prepareTenantSlugs() async throws {
        let slugPath = try FieldPath("slug")
        let indexed = try await store.indexes(on: tenantsCollection, placement: system).map(\.name)
        if !indexed.contains("by_slug") {
            _ = try await store.createIndex(
                try IndexDefinition(name: "by_slug", paths: [slugPath], unique: true),
                on: tenantsCollection, placement: system)
        }
        var missing: [(tenant: Tenant, version: Int64)] = []
        var cursor: String?
        repeat {
            let page = try await store.query(
                Query(filter: .compare(slugPath, .exists(false)), limit: PlatformLimits.tenantPageSizeMax, cursor: cursor),
                in: tenantsCollection, placement: system)
            missing += page.documents.compactMap { document in Tenant(document: document).map { ($0, document.version) } }
            cursor = page.nextCursor
        } while cursor != nil
        missing.sort { ($0.tenant.createdAt.milliseconds, $0.tenant.id) < ($1.tenant.createdAt.milliseconds, $1.tenant.id) }
        for (old, version) in missing {
            guard let slug = try await backfillSlug(of: old, version: version) else {
                logger.error("no free slug for a tenant stored without one; it stays reachable by id", metadata: ["tenant": "\(old.id)"])
                continue
            }
            logger.notice("gave a tenant stored without a slug its slug", metadata: ["tenant": "\(old.id)", "slug": "\(slug)"])
        }
    }

    private func backfillSlug(of old: Tenant, version: Int64) async throws -> String? {
        for slug in TenantSlug.candidates(name: old.name, id: old.id) where try await tenantID(bySlug: slug) == nil {
            let tenant = Tenant(
                id: old.id, slug: slug, name: old.name, plan: old.plan, status: old.status, createdAt: old.createdAt,
                placement: old.placement)
            do throws(StorageError) {
                _ = try await store.replace(
                    try DocumentID(old.id), with: tenant.json, expectedVersion: version, mode: .replaceOnly,
                    in: tenantsCollection, placement: system)
            } catch {
                guard error.code == .uniqueViolation else { throw error }
                continue
            }
            tenantIDsBySlug.withLock { $0[slug] = old.id }
            return slug
        }
        return nil
    }
}
