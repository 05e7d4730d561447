import AerolithStorage

extension Platform {
    /// Suspends or resumes a tenant, or changes its plan. A suspended tenant's keys and users
    /// are refused (403 `tenant_suspended`) from the next request; its data stays.
    public func updateTenant(_ id: String, status statusName: String?, plan planName: String?) async throws -> Tenant {
        let current = try tenant(id)
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
                throw PlatformError(.invalidPlan, "unknown plan \"\(planName.prefix(40))\"; use \(Plan.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            plan = known
        }
        let updated = Tenant(id: current.id, name: current.name, plan: plan, status: status, createdAt: current.createdAt,
                             placement: current.placement)
        _ = try await store.replace(try DocumentID(updated.id), with: updated.json, expectedVersion: nil, mode: .upsert,
                                    in: tenantsCollection, placement: system)
        identityChanged()
        tenantCache.withLock { $0[updated.id] = updated }
        logger.info("updated tenant", metadata: ["tenant": "\(id)", "status": "\(status.rawValue)", "plan": "\(plan.rawValue)"])
        return updated
    }
}
