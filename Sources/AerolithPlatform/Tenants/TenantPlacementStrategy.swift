import AerolithStorage

/// Decides where a tenant's data lives (an isolation strategy). The built-in placement — the
/// shared database, tables prefixed with the tenant id — applies when none is configured.
public protocol TenantPlacementStrategy: Sendable {
    /// Chooses (and prepares) the placement of a new tenant.
    func provision(_ tenant: Tenant) throws -> Placement
    /// The placement of an existing tenant; must be what `provision` returned.
    func locate(_ tenant: Tenant) throws -> Placement
}
