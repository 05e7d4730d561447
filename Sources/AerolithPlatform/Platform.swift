import AerolithStorage
import Logging
import Synchronization

/// Tenants and their API keys, and the authentication of requests.
///
/// Platform records live in the document store under a placement of their own (`sys`), in the
/// same database and with the same durability as tenants' data. Authentication is a point
/// lookup by the key's digest, cached in memory; a revocation takes effect on the next request.
public final class Platform: Sendable {
    public let store: any DocumentStore
    /// The storage target `store` is: where tenants whose placement names no other target live.
    public let defaultTarget: String
    let logger: Logger
    let system: Placement
    let tenantsCollection: CollectionName
    let keysCollection: CollectionName
    /// Digest → key record, for keys seen since start (a revoked key stays, marked revoked).
    let keyCache = Mutex<[String: APIKey]>([:])
    /// Tenant id → tenant, for tenants seen since start.
    let tenantCache = Mutex<[String: Tenant]>([:])
    /// Slug → tenant id, for slugs looked up since start (a slug never changes or moves).
    let tenantIDsBySlug = Mutex<[String: String]>([:])
    /// Where new tenants' data goes; nil: the built-in placement.
    let placementStrategy: (any TenantPlacementStrategy)?
    // Identity: users, sessions, and the keys that sign access tokens.
    public let identity: IdentitySettings
    let hasher: PasswordHasher
    let usersCollection: CollectionName
    let sessionsCollection: CollectionName
    let signingKeysCollection: CollectionName
    let rolesCollection: CollectionName
    /// Tenant id → its custom roles by name, loaded on first use.
    let roleCache = Mutex<[String: [String: CustomRole]]>([:])
    let accessTokens = AccessTokens()
    /// User id → user, for users seen since start; every change goes through here.
    let userCache = Mutex<[String: User]>([:])
    /// Session id → session, for sessions seen since start; every change goes through here.
    let sessionCache = Mutex<[String: Session]>([:])
    let throttle: LoginThrottle
    /// Bumped after every change that can alter what an access token grants (a session ended,
    /// a user, role or tenant changed): principals remembered under an older value are stale.
    /// A cache miss reads it before reading the store and inserts only if it is unchanged; a
    /// change bumps it after storing and before updating the cache, so a lookup that read the old
    /// record is either refused or overwritten.
    let identityGeneration = Atomic<UInt64>(0)
    /// Access token → the principal it resolved to, and the generation it was resolved at.
    let principalCache = Mutex<[String: ResolvedAccess]>([:])
    /// Called with the record's id between a cache miss's read of the store and its insert into
    /// the cache, where a change racing the lookup lands; tests use it to force that race.
    let afterCacheMissRead = Mutex<(@Sendable (String) -> Void)?>(nil)

    public init(
        store: any DocumentStore, defaultTarget: String = StorageConfiguration.singleTargetName,
        placementStrategy: (any TenantPlacementStrategy)? = nil, identity: IdentitySettings = IdentitySettings(),
        logger: Logger = Logger(label: "aerolith.platform")
    ) async throws {
        self.store = store
        self.defaultTarget = defaultTarget
        self.placementStrategy = placementStrategy
        self.logger = logger
        self.identity = identity
        hasher = PasswordHasher(parameters: identity.passwordHashing)
        throttle = LoginThrottle(settings: identity)
        // Nodes cache these records and act on them: never read from a replica that may lag.
        system = try Placement(tablePrefix: "sys").readingFromPrimary
        tenantsCollection = try CollectionName("tenants")
        keysCollection = try CollectionName("api_keys")
        usersCollection = try CollectionName("users")
        sessionsCollection = try CollectionName("sessions")
        signingKeysCollection = try CollectionName("signing_keys")
        rolesCollection = try CollectionName("roles")
        for name in [tenantsCollection, keysCollection, usersCollection, sessionsCollection, signingKeysCollection, rolesCollection] {
            do throws(StorageError) {
                _ = try await store.createCollection(name, in: system)
            } catch {
                guard error.code == .collectionExists else { throw error }
            }
        }
        try await ensureIndexes(
            on: keysCollection,
            try [("by_tenant", "tenant_id"), ("by_key_id", "key_id"), ("by_role", "role")].map {
                try IndexDefinition(name: $0.0, paths: [try FieldPath($0.1)])
            })
        try await ensureIndexes(
            on: usersCollection,
            [
                try IndexDefinition(name: "by_email", paths: [try FieldPath("tenant_id"), try FieldPath("email")], unique: true),
                // Finding an email's tenants (`tenantsSigningIn`) searches every tenant.
                try IndexDefinition(name: "by_email_any_tenant", paths: [try FieldPath("email")]),
            ])
        try await ensureIndexes(
            on: sessionsCollection,
            [
                try IndexDefinition(name: "by_user", paths: [try FieldPath("user_id"), try FieldPath("active")]),
                try IndexDefinition(name: "by_expiry", paths: [try FieldPath("expires_at")]),
            ])
        try await ensureIndexes(on: rolesCollection, [try IndexDefinition(name: "by_tenant", paths: [try FieldPath("tenant_id")])])
        try await prepareTenantSlugs()
        try await loadSigningKeys()
    }

    private func ensureIndexes(on collection: CollectionName, _ definitions: [IndexDefinition]) async throws(StorageError) {
        let indexed = try await store.indexes(on: collection, placement: system).map(\.name)
        for definition in definitions where !indexed.contains(definition.name) {
            _ = try await store.createIndex(definition, on: collection, placement: system)
        }
    }

    // MARK: Tenants

    /// Creates a tenant. `slug`: the one the caller chose (refused if malformed, reserved or
    /// taken); nil derives one from the name, the first free of `TenantSlug.candidates`.
    public func createTenant(name: String, plan: String?, slug: String? = nil) async throws -> Tenant {
        guard validDisplayName(name, lengthBytesMax: PlatformLimits.tenantNameLengthBytesMax) else {
            throw PlatformError(
                .invalidTenantName, "a tenant name is 1-\(PlatformLimits.tenantNameLengthBytesMax) bytes of text without control characters"
            )
        }
        let chosenPlan: Plan
        if let plan {
            guard let known = Plan(rawValue: plan) else {
                throw PlatformError(
                    .invalidPlan, "unknown plan \"\(plan.prefix(40))\"; use \(Plan.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            chosenPlan = known
        } else {
            chosenPlan = .starter
        }
        if let slug { try await checkSlugAvailable(slug) }
        let id = RandomID.make(prefix: "tn_", length: 20)
        var placement = Tenant.defaultPlacement(id)
        if let placementStrategy {
            placement = try placementStrategy.provision(
                Tenant(
                    id: id, slug: slug ?? "", name: name, plan: chosenPlan, status: .active,
                    createdAt: .now()))
        }
        // Recorded with the tenant by name, so a later change of the default target does not move it.
        placement = placement.resolved(defaultTarget: defaultTarget)
        let tenant = try await insertTenant(id: id, slug: slug, name: name, plan: chosenPlan, placement: placement)
        tenantCache.withLock { $0[tenant.id] = tenant }
        logger.info("created tenant", metadata: ["tenant": "\(tenant.id)", "slug": "\(tenant.slug)", "plan": "\(tenant.plan.rawValue)"])
        return tenant
    }

    /// The tenant with this id (`tn_…`); see `tenant(named:)` for an id or a slug.
    public func tenant(_ id: String) async throws -> Tenant {
        if let cached = tenantCache.withLock({ $0[id] }) { return cached }
        let generation = identityGeneration.load(ordering: .acquiring)
        guard RandomID.isValid(id, prefix: "tn_", length: 20) else {
            throw PlatformError(.tenantNotFound, "tenant \"\(id.prefix(40))\" does not exist")
        }
        guard let document = try await store.findDocument(try DocumentID(id), in: tenantsCollection, placement: system) else {
            throw PlatformError(.tenantNotFound, "tenant \"\(id)\" does not exist")
        }
        guard let tenant = Tenant(document: document) else { throw StorageError(.storageFailure, "tenant record \(id) is unreadable") }
        afterCacheMissRead.withLock { $0 }?(id)
        if let placementStrategy, let located = try? placementStrategy.locate(tenant),
            located.resolved(defaultTarget: defaultTarget) != tenant.placement
        {
            // The record is authoritative: a strategy that forgot a placement must not hide data.
            logger.error(
                "the isolation strategy located the tenant elsewhere than recorded; using the recorded placement",
                metadata: [
                    "tenant": "\(id)", "recorded": "\(tenant.placement)", "located": "\(located)",
                ])
        }
        // Only what nothing changed while it was read is remembered (a suspension racing this read wins).
        tenantCache.withLock { if identityGeneration.load(ordering: .acquiring) == generation { $0[id] = tenant } }
        return tenant
    }

    /// One page of tenants in creation order.
    public func tenants(limit: Int, cursor: String?) async throws -> (tenants: [Tenant], nextCursor: String?) {
        let page = try await store.query(
            Query(limit: min(max(limit, 1), PlatformLimits.tenantPageSizeMax), cursor: cursor),
            in: tenantsCollection, placement: system)
        return (page.documents.compactMap(Tenant.init(document:)), page.nextCursor)
    }
}
