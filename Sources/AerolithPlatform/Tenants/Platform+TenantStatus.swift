import AerolithStorage

extension Platform {
    /// Suspends or resumes a tenant, or changes its plan. A suspended tenant's keys and users
    /// are refused (403 `tenant_suspended`) from the next request; its data stays.
    public func updateTenant(_ id: String, status statusName: String?, plan planName: String?) async throws -> Tenant {
        // Read from the store, with its version, not from the cache: the write below is made
        // against that version, so two changes racing each other cannot undo one another.
        _ = try await tenant(id)
        guard let document = try await store.findDocument(try DocumentID(id), in: tenantsCollection, placement: system),
            let current = Tenant(document: document)
        else {
            throw PlatformError(.tenantNotFound, "tenant \"\(id.prefix(40))\" does not exist")
        }
        var status = current.status
        if let statusName {
            guard let known = Tenant.Status(rawValue: statusName) else {
                throw PlatformError(.invalidStatus, "status is one of \(Tenant.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = known
        }
        var plan = current.plan
        if let planName {
            guard let known = Plan(rawValue: planName) else {
                throw PlatformError(
                    .invalidPlan, "unknown plan \"\(planName.prefix(40))\"; use \(Plan.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            plan = known
        }
        let updated = Tenant(
            id: current.id, slug: current.slug, name: current.name, plan: plan, status: status, createdAt: current.createdAt,
            placement: current.placement)
        do throws(StorageError) {
            _ = try await store.replace(
                try DocumentID(updated.id), with: updated.json, expectedVersion: document.version, mode: .replaceOnly,
                in: tenantsCollection, placement: system)
        } catch {
            guard error.code == .versionConflict || error.code == .documentNotFound else { throw error }
            throw PlatformError(.concurrentChange, "the tenant changed while this change was made; try again")
        }
        identityChanged()
        tenantCache.withLock { $0[updated.id] = updated }
        logger.info("updated tenant", metadata: ["tenant": "\(id)", "status": "\(status.rawValue)", "plan": "\(plan.rawValue)"])
        return updated
    }
}
