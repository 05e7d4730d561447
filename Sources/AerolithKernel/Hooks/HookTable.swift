import CAerolithDispatch
import CAerolithPlugin
import Glibc

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
    let routePermission: RoutePermission?
    let routePrefix: String

    init(instance: PluginInstance, kind: HookKind, name: String, function: UInt, userData: UInt, gate: CallGate, tenantState: UInt,
         routePermission: RoutePermission?, routePrefix: String) {
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

/// One hook call, flattened: plain values and no reference counts. The plugin instance it
/// holds unretained is immortal.
struct FlatHookCall: Sendable {
    let function: UInt
    let userData: UInt
    let tenantState: UInt
    let instance: Unmanaged<PluginInstance>
    let reentrant: Bool
}

/// The hooks that run for one tenant, in chain order.
public final class TenantHooks: Sendable {
    // The fields a request's authorization reads first, so they share the object's first line.
    /// `authorize` as the dispatch C code walks it: runs of one plugin's hooks, each an
    /// `aerolith_dispatch_run` followed by its `aerolith_dispatch_hook`s, then the tenant id's
    /// bytes, in one allocation freed with this object; the runs' gates are held by
    /// `authorize`'s hooks.
    let authorizeChain: UInt
    let authorizeCount: Int
    /// Where the tenant id's bytes start in the block, and their count (-1 in the table of
    /// all-tenant hooks).
    private let tenantOffset: Int
    private let tenantByteCount: Int
    let authorize: [BoundHook]
    let beforeWrite: [BoundHook]
    let afterWrite: [BoundHook]
    let events: [BoundHook]
    /// Route prefix → handler, for tenant-scoped routes of plugins active here (or all-tenant).
    let routes: [String: BoundHook]

    init(tenantID: String? = nil, authorize: [BoundHook] = [], beforeWrite: [BoundHook] = [], afterWrite: [BoundHook] = [],
         events: [BoundHook] = [], routes: [String: BoundHook] = [:]) {
        self.authorize = authorize
        authorizeCount = authorize.count
        tenantByteCount = tenantID?.utf8.count ?? -1
        let chain = Self.chain(authorize, tenantID: tenantID)
        authorizeChain = UInt(bitPattern: chain.block)
        tenantOffset = chain.tenantOffset
        self.beforeWrite = beforeWrite
        self.afterWrite = afterWrite
        self.events = events
        self.routes = routes
    }

    deinit { free(UnsafeMutableRawPointer(bitPattern: authorizeChain)) }

    /// The tenant these hooks are for, lent to their calls for as long as this object lives;
    /// nil in the table of all-tenant hooks or without authorization hooks.
    @inline(__always) var tenantSlice: aerolith_slice? {
        guard tenantByteCount >= 0, let chain = UnsafeRawPointer(bitPattern: authorizeChain) else { return nil }
        return aerolith_slice(data: (chain + tenantOffset).assumingMemoryBound(to: CChar.self), len: tenantByteCount)
    }

    /// An authorization chain as the dispatch code walks it: consecutive hooks behind one gate
    /// (one plugin's, for this tenant) under one run header, then the tenant id's bytes.
    private static func chain(_ chain: [BoundHook], tenantID: String?) -> (block: UnsafeMutableRawPointer?, tenantOffset: Int) {
        guard !chain.isEmpty else { return (nil, 0) }
        var runs: [ArraySlice<BoundHook>] = []
        var runStart = 0
        for index in chain.indices.dropFirst() where chain[index].gate !== chain[runStart].gate {
            runs.append(chain[runStart..<index])
            runStart = index
        }
        runs.append(chain[runStart...])
        let tenantBytes = Array((tenantID ?? "").utf8)
        let chainBytes = runs.reduce(0) { $0 + aerolith_dispatch_run_bytes($1.count) }
        let block = malloc(chainBytes + max(tenantBytes.count, 1))!
        var cursor = block
        for run in runs {
            let first = run[run.startIndex]
            cursor.bindMemory(to: aerolith_dispatch_run.self, capacity: 1).initialize(to: aerolith_dispatch_run(
                gate: first.gate.word, serial: first.instance.reentrant ? nil : UnsafeMutablePointer(bitPattern: first.instance.serialLock),
                instance: Unmanaged.passUnretained(first.instance).toOpaque(),
                tenant_state: UnsafeMutableRawPointer(bitPattern: first.tenantState), count: run.count))
            let hooks = (cursor + MemoryLayout<aerolith_dispatch_run>.size).bindMemory(to: aerolith_dispatch_hook.self, capacity: run.count)
            for (offset, hook) in run.enumerated() {
                (hooks + offset).initialize(to: aerolith_dispatch_hook(authorize: unsafeBitCast(hook.function, to: aerolith_authorize_fn.self),
                                                                       user_data: UnsafeMutableRawPointer(bitPattern: hook.userData)))
            }
            cursor += aerolith_dispatch_run_bytes(run.count)
        }
        tenantBytes.withUnsafeBytes { cursor.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(block), byteCount: $0.count) }
        return (block, chainBytes)
    }

    public var hasAuthorize: Bool { authorizeCount > 0 }
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
    let mountedRoutes: [String: (plugin: String, permission: RoutePermission)]
    /// Chain order by kind, as "plugin/hook", for the listing.
    let chains: [HookKind: [String]]
    let warnings: [String]

    static let empty = HookTable(tenants: [:], inactive: TenantHooks(), authenticate: [], isolation: nil, adminRoutes: [:],
                                 mountedRoutes: [:], chains: [:], warnings: [])

    init(tenants: [String: TenantHooks], inactive: TenantHooks, authenticate: [BoundHook], isolation: BoundHook?,
         adminRoutes: [String: BoundHook], mountedRoutes: [String: (plugin: String, permission: RoutePermission)],
         chains: [HookKind: [String]], warnings: [String]) {
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
            return BoundHook(instance: instance, kind: candidate.registration.kind, name: candidate.registration.name,
                             function: candidate.registration.function, userData: candidate.registration.userData,
                             gate: activation?.gate ?? instance.processGate, tenantState: activation?.tenantState ?? 0,
                             routePermission: candidate.registration.routePermission, routePrefix: candidate.registration.routePrefix)
        }
        var adminRoutes: [String: BoundHook] = [:]
        var mounted: [String: (plugin: String, permission: RoutePermission)] = [:]
        for candidate in ordered[.route] ?? [] {
            guard let permission = candidate.registration.routePermission else { continue }
            if let taken = mounted[candidate.registration.routePrefix] {
                warnings.append("\(candidate.qualifiedName) cannot mount /v1/\(candidate.registration.routePrefix): \(taken.plugin) serves it")
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
            for hook in chain(.route) where hook.routePermission != .platformAdmin && mounted[hook.routePrefix]?.plugin == hook.instance.name {
                routes[hook.routePrefix] = hook
            }
            return TenantHooks(tenantID: tenantID, authorize: chain(.authorize), beforeWrite: chain(.documentBeforeWrite), afterWrite: chain(.documentAfterWrite),
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
