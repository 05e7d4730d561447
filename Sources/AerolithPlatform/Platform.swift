import AerolithStorage
import Logging
import Synchronization

/// Tenants and their API keys, and the authentication of requests.
///
/// Platform records live in the document store under a placement of their own (`sys`), in the
/// same database and with the same durability as tenants' data. Authentication is a point
/// lookup by the key's digest, cached in memory; a revocation takes effect on the next request.
public final class Platform: Sendable {
    public let store: DocumentStore
    let logger: Logger
    let system: Placement
    let tenantsCollection: CollectionName
    let keysCollection: CollectionName
    /// Digest → key record, for keys seen since start (a revoked key stays, marked revoked).
    let keyCache = Mutex<[String: APIKey]>([:])
    /// Tenant id → tenant, for tenants seen since start.
    let tenantCache = Mutex<[String: Tenant]>([:])
    /// Where new tenants' data goes; nil: the built-in placement.
    let placementStrategy: (any TenantPlacementStrategy)?

    public init(store: DocumentStore, placementStrategy: (any TenantPlacementStrategy)? = nil,
                logger: Logger = Logger(label: "aerolith.platform")) async throws(StorageError) {
        self.store = store
        self.placementStrategy = placementStrategy
        self.logger = logger
        system = try Placement(tablePrefix: "sys")
        tenantsCollection = try CollectionName("tenants")
        keysCollection = try CollectionName("api_keys")
        for name in [tenantsCollection, keysCollection] {
            do {
                _ = try await store.createCollection(name, in: system)
            } catch where error.code == .collectionExists {
                continue
            }
        }
        let indexed = try store.indexes(on: keysCollection, placement: system).map(\.name)
        for (name, path) in [("by_tenant", "tenant_id"), ("by_key_id", "key_id"), ("by_role", "role")] where !indexed.contains(name) {
            _ = try await store.createIndex(try IndexDefinition(name: name, paths: [try FieldPath(path)]), on: keysCollection, placement: system)
        }
    }

    // MARK: Tenants

    public func createTenant(name: String, plan: String?) async throws -> Tenant {
        guard validDisplayName(name, lengthBytesMax: PlatformLimits.tenantNameLengthBytesMax) else {
            throw PlatformError(.invalidTenantName, "a tenant name is 1-\(PlatformLimits.tenantNameLengthBytesMax) bytes of text without control characters")
        }
        let chosenPlan: Plan
        if let plan {
            guard let known = Plan(rawValue: plan) else {
                throw PlatformError(.invalidPlan, "unknown plan \"\(plan.prefix(40))\"; use \(Plan.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            chosenPlan = known
        } else {
            chosenPlan = .starter
        }
        var tenant = Tenant(id: RandomID.make(prefix: "tn_", length: 20), name: name, plan: chosenPlan, status: .active, createdAt: .now())
        if let placementStrategy {
            let placement = try placementStrategy.provision(tenant)
            tenant = Tenant(id: tenant.id, name: tenant.name, plan: tenant.plan, status: tenant.status, createdAt: tenant.createdAt, placement: placement)
        }
        _ = try await store.insert(tenant.json, id: try DocumentID(tenant.id), into: tenantsCollection, in: system)
        tenantCache.withLock { $0[tenant.id] = tenant }
        logger.info("created tenant", metadata: ["tenant": "\(tenant.id)", "plan": "\(tenant.plan.rawValue)"])
        return tenant
    }

    public func tenant(_ id: String) throws -> Tenant {
        if let cached = tenantCache.withLock({ $0[id] }) { return cached }
        guard RandomID.isValid(id, prefix: "tn_", length: 20) else {
            throw PlatformError(.tenantNotFound, "tenant \"\(id.prefix(40))\" does not exist")
        }
        guard let document = try store.findDocument(try DocumentID(id), in: tenantsCollection, placement: system) else {
            throw PlatformError(.tenantNotFound, "tenant \"\(id)\" does not exist")
        }
        guard let tenant = Tenant(document: document) else { throw StorageError(.storageFailure, "tenant record \(id) is unreadable") }
        if let placementStrategy, let located = try? placementStrategy.locate(tenant), located != tenant.placement {
            // The record is authoritative: a strategy that forgot a placement must not hide data.
            logger.error("the isolation strategy located the tenant elsewhere than recorded; using the recorded placement", metadata: [
                "tenant": "\(id)", "recorded": "\(tenant.placement)", "located": "\(located)",
            ])
        }
        tenantCache.withLock { $0[id] = tenant }
        return tenant
    }

    /// One page of tenants in creation order.
    public func tenants(limit: Int, cursor: String?) throws -> (tenants: [Tenant], nextCursor: String?) {
        let page = try store.query(Query(limit: min(max(limit, 1), PlatformLimits.tenantPageSizeMax), cursor: cursor),
                                   in: tenantsCollection, placement: system)
        return (page.documents.compactMap(Tenant.init(document:)), page.nextCursor)
    }
}
