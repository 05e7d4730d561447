extension Platform {
    /// Self-service provisioning: a tenant (Starter unless a plan is named; its slug derived
    /// from the name unless one is chosen), its owner, and a session for the owner. Refused when
    /// the operator turned signup off.
    public func signup(
        tenantName: String, email: String, password: String, plan: String?,
        displayName: String?, clientAddress: String?, tenantSlug: String? = nil
    ) async throws -> (tenant: Tenant, user: User, tokens: IssuedTokens) {
        guard identity.signupEnabled else { throw PlatformError(.signupDisabled, "signup is turned off on this server") }
        // Check the owner's fields and the chosen slug before creating anything.
        _ = try checkedIdentity(email: email, password: password, displayName: displayName)
        if let tenantSlug { try await checkSlugAvailable(tenantSlug) }
        try throttle.admitSignup(address: clientAddress)
        // Hashed before anything is created: a hash refused under load (503 overloaded) leaves
        // no tenant without an owner behind.
        let hash = try await hasher.hash(password, tenantID: PasswordHasher.unknownTenantKey)
        let tenant = try await createTenant(name: tenantName, plan: plan, slug: tenantSlug)
        let user = try await createUser(
            tenantID: tenant.id, email: email, password: password, displayName: displayName,
            roles: [Role.owner.rawValue], grantor: nil, passwordHash: hash)
        return (tenant, user, try await openSession(for: user))
    }
}
