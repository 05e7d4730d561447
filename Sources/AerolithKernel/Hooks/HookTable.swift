import AerolithPermissions
import CAerolithPlugin

/// A hook ready to call: where it lives, what it passes, and the gate its calls go through.
/// A class, so walking a chain retains one reference per hook, not each of its fields.
final class BoundHook: Sendable {
    /// Unowned: instances are never freed (see `PluginInstance`), so no reference count is paid
    /// on every call.
    unowned(unsafe) let instance: PluginInstance
    let kind: HookKind
    let name: String
    let function: UInt
    let userData: UInt
    /// The tenant's activation gate, or the plugin's process gate (process-wide hooks, and
    /// all-tenant hooks for tenants where the plugin is not active).
    let gate: CallGate
    /// What `on_activate` stored for the tenant, or 0.
    let tenantState: UInt
    let routePermission: Permission?
    let routePrefix: String

    init(
        instance: PluginInstance, kind: HookKind, name: String, function: UInt, userData: UInt, gate: CallGate, tenantState: UInt,
        routePermission: Permission?, routePrefix: String
    ) {
        self.instance = instance
        self.kind = kind
        self.name = name
        self.function = function
        self.userData = userData
        self.gate = gate
        self.tenantState = tenantState
        self.routePermission = routePermission
        self.routePrefix = routePrefix
    }

    var qualifiedName: String { instance.name + "/" + name }
}

/// The hooks that run for one tenant, in chain order.
public final class TenantHooks: Sendable {
    let authorize: [BoundHook]
    let beforeWrite: [BoundHook]
    let afterWrite: [BoundHook]
    let events: [BoundHook]
    /// Route prefix → handler, for tenant-scoped routes of plugins active here (or all-tenant).
    let routes: [String: BoundHook]

    init(
        authorize: [BoundHook] = [], beforeWrite: [BoundHook] = [], afterWrite: [BoundHook] = [],
        events: [BoundHook] = [], routes: [String: BoundHook] = [:]
    ) {
        self.authorize = authorize
        self.beforeWrite = beforeWrite
        self.afterWrite = afterWrite
        self.events = events
        self.routes = routes
    }

    public var hasAuthorize: Bool { !authorize.isEmpty }
    public var hasBeforeWrite: Bool { !beforeWrite.isEmpty }
    public var hasAfterWrite: Bool { !afterWrite.isEmpty }
    public var hasEvents: Bool { !events.isEmpty }
}

/// Everything dispatch needs, rebuilt whenever a plugin is enabled, disabled, replaced,
/// activated or deactivated, and swapped in whole: a request sees one consistent table.
final class HookTable: Sendable {
    let tenants: [String: TenantHooks]
    /// For tenants where no plugin is active: only all-tenant hooks.
    let inactive: TenantHooks
    let authenticate: [BoundHook]
    let isolation: BoundHook?
    /// Platform-admin routes: process-wide, no tenant.
    let adminRoutes: [String: BoundHook]
    /// Every mounted route prefix → the plugin serving it and the permission it requires.
    let mountedRoutes: [String: (plugin: String, permission: Permission)]
    /// Chain order by kind, as "plugin/hook", for the listing.
    let chains: [HookKind: [String]]
    let warnings: [String]

    static let empty = HookTable(
        tenants: [:], inactive: TenantHooks(), authenticate: [], isolation: nil, adminRoutes: [:],
        mountedRoutes: [:], chains: [:], warnings: [])

    init(
        tenants: [String: TenantHooks], inactive: TenantHooks, authenticate: [BoundHook], isolation: BoundHook?,
        adminRoutes: [String: BoundHook], mountedRoutes: [String: (plugin: String, permission: Permission)],
        chains: [HookKind: [String]], warnings: [String]
    ) {
        self.tenants = tenants
        self.inactive = inactive
        self.authenticate = authenticate
        self.isolation = isolation
        self.adminRoutes = adminRoutes
        self.mountedRoutes = mountedRoutes
        self.chains = chains
        self.warnings = warnings
    }

    func hooks(forTenant tenantID: String) -> TenantHooks { tenants[tenantID] ?? inactive }

    /// Builds the table from the enabled plugins.
    static func build(enabled: [PluginInstance], settings: PluginSettings) -> HookTable {
        var warnings: [String] = []
        var ordered: [HookKind: [HookOrder.Candidate]] = [:]
        for kind in HookKind.allCases {
            let candidates = enabled.flatMap { instance in
                instance.plugin.hooks.filter { $0.kind == kind }.map {
                    HookOrder.Candidate(plugin: instance.name, registration: $0, loadOrder: instance.loadOrder)
                }
            }
            let result = HookOrder.order(candidates, override: settings.order[kind] ?? [])
            ordered[kind] = result.ordered
            warnings += result.warnings
        }
        let byName = Dictionary(enabled.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func bind(_ candidate: HookOrder.Candidate, activation: PluginInstance.Activation?) -> BoundHook {
            let instance = byName[candidate.plugin]!
            return BoundHook(
                instance: instance, kind: candidate.registration.kind, name: candidate.registration.name,
                function: candidate.registration.function, userData: candidate.registration.userData,
                gate: activation?.gate ?? instance.processGate, tenantState: activation?.tenantState ?? 0,
                routePermission: candidate.registration.routePermission, routePrefix: candidate.registration.routePrefix)
        }
        var adminRoutes: [String: BoundHook] = [:]
        var mounted: [String: (plugin: String, permission: Permission)] = [:]
        for candidate in ordered[.route] ?? [] {
            guard let permission = candidate.registration.routePermission else { continue }
            if let taken = mounted[candidate.registration.routePrefix] {
                warnings.append(
                    "\(candidate.qualifiedName) cannot mount /v1/\(candidate.registration.routePrefix): \(taken.plugin) serves it")
                continue
            }
            mounted[candidate.registration.routePrefix] = (candidate.plugin, permission)
            if permission == .platformAdmin { adminRoutes[candidate.registration.routePrefix] = bind(candidate, activation: nil) }
        }
        let activations = Dictionary(uniqueKeysWithValues: enabled.map { ($0.name, $0.activations.withLock { $0 }) })
        func tenantHooks(_ tenantID: String?) -> TenantHooks {
            func chain(_ kind: HookKind) -> [BoundHook] {
                (ordered[kind] ?? []).compactMap { candidate in
                    let activation = tenantID.flatMap { activations[candidate.plugin]?[$0] }
                    guard activation != nil || candidate.registration.allTenants else { return nil }
                    return bind(candidate, activation: activation)
                }
            }
            var routes: [String: BoundHook] = [:]
            for hook in chain(.route)
            where hook.routePermission != .platformAdmin && mounted[hook.routePrefix]?.plugin == hook.instance.name {
                routes[hook.routePrefix] = hook
            }
            return TenantHooks(
                authorize: chain(.authorize), beforeWrite: chain(.documentBeforeWrite), afterWrite: chain(.documentAfterWrite),
                events: chain(.events), routes: routes)
        }
        let tenantIDs = Set(activations.values.flatMap(\.keys))
        var tenants: [String: TenantHooks] = [:]
        for tenantID in tenantIDs { tenants[tenantID] = tenantHooks(tenantID) }
        var isolation: BoundHook?
        if let selected = settings.isolationStrategy {
            if let candidate = (ordered[.isolation] ?? []).first(where: { $0.qualifiedName == selected }) {
                isolation = bind(candidate, activation: nil)
            } else {
                warnings.append("the isolation strategy \(selected) is not loaded and enabled")
            }
        }
        return HookTable(
            tenants: tenants, inactive: tenantHooks(nil),
            authenticate: (ordered[.authenticate] ?? []).map { bind($0, activation: nil) }, isolation: isolation,
            adminRoutes: adminRoutes, mountedRoutes: mounted,
            chains: ordered.mapValues { $0.map(\.qualifiedName) }, warnings: warnings
        )
    }
}
