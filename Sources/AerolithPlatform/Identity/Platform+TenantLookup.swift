import AerolithStorage

extension Platform {
    /// Most accounts (tenants) one email's lookup checks a password against, oldest first.
    public static let tenantLookupAccountsMax = 20
    /// The hashing queue of every lookup, known email or not: they compete only with each other,
    /// and an overloaded queue refuses a known and an unknown email alike.
    static let tenantLookupHashKey = "\u{0}tenant-lookup"

    /// The tenants where `email` and `password` sign in (active user, active tenant), oldest
    /// account first: how a person finds the tenant to name at sign-in.
    ///
    /// Nothing tells an unknown email from a wrong password: both answer an empty list, after
    /// the same work (an unknown email is hashed against nothing, as sign-in does), through the
    /// same throttle and hashing queue. One password check is made per account the email holds
    /// (at most `tenantLookupAccountsMax`), so an email holding several accounts takes that many
    /// checks longer than an unknown one; one holding one account takes exactly as long.
    public func tenantsSigningIn(email rawEmail: String, password: String, clientAddress: String?) async throws -> [Tenant] {
        let email = User.normalizedEmail(rawEmail) ?? rawEmail.lowercased()
        // One account key for the email across tenants: a lookup cannot multiply the guesses
        // the per-account limit allows.
        let attempt = try throttle.reserve(
            account: LoginThrottle.accountKey(tenantID: Self.tenantLookupHashKey, email: email),
            address: clientAddress)
        let accounts = await User.normalizedEmail(rawEmail) == nil ? [] : try accountsHolding(email: email)
        let checkable = password.utf8.count <= IdentityLimits.passwordLengthBytesMax
        var matched: [User] = []
        do {
            if accounts.isEmpty || !checkable {
                try await hasher.verifyNothing(
                    String(password.utf8.prefix(IdentityLimits.passwordLengthBytesMax)) ?? "", tenantID: Self.tenantLookupHashKey)
            } else {
                for account in accounts {
                    let check = try await hasher.verify(password, against: account.passwordHash, tenantID: Self.tenantLookupHashKey)
                    if check.matches { matched.append(account) }
                }
            }
        } catch {
            throttle.cancel(attempt)
            throw error
        }
        var tenants: [Tenant] = []
        for user in matched where user.status == .active {
            if let tenant = try? await tenant(user.tenantID), tenant.status == .active { tenants.append(tenant) }
        }
        if !matched.isEmpty { throttle.succeeded(attempt) }
        return tenants
    }

    /// The users with this (normalised) email in any tenant, oldest first, at most `tenantLookupAccountsMax`.
    private func accountsHolding(email: String) async throws -> [User] {
        let filter = Filter.compare(try FieldPath("email"), .equal(.string(email)))
        let page = try await store.query(Query(filter: filter, limit: Self.tenantLookupAccountsMax), in: usersCollection, placement: system)
        return try await users(page.documents).sorted { $0.createdAt.milliseconds < $1.createdAt.milliseconds }
    }
}
