import AerolithStorage

extension Platform {
    /// Self-service provisioning: a tenant (Starter unless a plan is named), its owner, and a
    /// session for the owner. Refused when the operator turned signup off.
    public func signup(tenantName: String, email: String, password: String, plan: String?,
                       displayName: String?) async throws -> (tenant: Tenant, user: User, tokens: IssuedTokens) {
        guard identity.signupEnabled else { throw PlatformError(.signupDisabled, "signup is turned off on this server") }
        // Check the owner's fields before creating anything.
        guard User.normalizedEmail(email) != nil else { throw PlatformError(.invalidEmail, "\"\(email.prefix(64))\" is not an email address") }
        try checkPassword(password)
        if let displayName, !validDisplayName(displayName, lengthBytesMax: IdentityLimits.displayNameLengthBytesMax) {
            throw PlatformError(.invalidDisplayName, "a display name is 1-\(IdentityLimits.displayNameLengthBytesMax) bytes of text without control characters")
        }
        let tenant = try await createTenant(name: tenantName, plan: plan)
        let user = try await createUser(tenantID: tenant.id, email: email, password: password, displayName: displayName,
                                        roles: [Role.owner.rawValue])
        return (tenant, user, try await openSession(for: user))
    }
}
