import CAerolithPlugin
import Glibc
import Logging
import Synchronization

/// One accepted plugin image at run time: its gates, its per-tenant activations, its event
/// subscriptions, and the one way calls go into it (`perform`), which serialises calls into a
/// plugin that did not declare itself reentrant.
///
/// Instances are never freed: the process-wide context handed to the plugin points at this
/// object for as long as the image is mapped, which is forever.
public final class PluginInstance: Sendable {
    /// A tenant where the plugin is active: the state its `on_activate` returned and the gate
    /// that tenant's hook calls pass through.
    final class Activation: Sendable {
        let tenantID: String
        let settings: [UInt8]
        let gate = CallGate()
        let tenantState: UInt

        init(tenantID: String, settings: [UInt8], tenantState: UInt) {
            self.tenantID = tenantID
            self.settings = settings
            self.tenantState = tenantState
        }
    }

    public let plugin: LoadedPlugin
    /// `plugin.reentrant`, kept apart: it is read on every hook call, the whole descriptor is not.
    let reentrant: Bool
    /// Order of loading in this process; breaks ordering-constraint cycles (the last loaded loses).
    let loadOrder: Int
    let services: KernelServices
    /// Process-wide and all-tenant hooks pass through this gate; tenant hooks through their
    /// activation's gate.
    let processGate = CallGate()
    /// Serialises calls into a plugin that is not reentrant (`perform`): a `pthread_mutex_t`, held
    /// by address because `Mutex`'s `withLock` cannot return a caller's non-sendable result.
    /// Allocated once and never freed, like the instance.
    let serialLock: UInt
    /// Orders lifecycle callbacks among themselves.
    let lifecycleLock = Mutex(())
    let activations = Mutex<[String: Activation]>([:])
    /// Events registrations' current subscriptions, by registration name.
    let subscriptions: Mutex<[String: EventSubscription]>
    let metrics: PluginMetrics
    /// Whether host functions called with the process-wide context act: true while the plugin
    /// is enabled (set just before it starts), false from the moment it is disabled or retired.
    /// During its own lifecycle callbacks the call's context is accepted either way.
    let acceptsHostCalls = Atomic(false)

    struct EventSubscription: Sendable, Equatable {
        var mask: UInt64
        var payloadVersion: UInt32
    }

    init(plugin: LoadedPlugin, loadOrder: Int, services: KernelServices, exportedMetricLabelKeys: Set<String> = []) {
        self.plugin = plugin
        reentrant = plugin.reentrant
        self.loadOrder = loadOrder
        self.services = services
        metrics = PluginMetrics(plugin: plugin.name, exportedLabelKeys: exportedMetricLabelKeys)
        var initial: [String: EventSubscription] = [:]
        for hook in plugin.hooks where hook.kind == .events {
            initial[hook.name] = EventSubscription(mask: hook.eventMask, payloadVersion: hook.eventPayloadVersion)
        }
        subscriptions = Mutex(initial)
        let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        serialLock = UInt(bitPattern: lock)
        _ = Unmanaged.passRetained(self) // see the type's comment: never freed
        processContext.pointee.instance = Unmanaged.passUnretained(self).toOpaque()
    }

    public var name: String { plugin.name }

    var processContext: UnsafeMutablePointer<CallContext> {
        UnsafeMutablePointer<CallContext>(bitPattern: plugin.processContext)!
    }

    /// Runs a call into the plugin, serialised with every other call unless it is reentrant.
    @inline(__always)
    func perform<T>(_ body: () -> T) -> T {
        if reentrant { return body() }
        let lock = UnsafeMutablePointer<pthread_mutex_t>(bitPattern: serialLock)!
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }

    /// The tenants where the plugin is active, sorted.
    public var activeTenants: [String] { activations.withLock { $0.keys.sorted() } }

    func activation(_ tenantID: String) -> Activation? { activations.withLock { $0[tenantID] } }

    // MARK: Lifecycle

    /// Runs `on_load` and then `on_configure` with `configuration` (a JSON object).
    func start(configuration: [UInt8]) -> Result<Void, PluginRefusal> {
        lifecycleLock.withLock { _ in
            let load = callLifecycle(plugin.lifecycle.onLoad, tenant: nil) { function, userData, call in
                unsafeBitCast(function, to: aerolith_load_fn.self)(userData, call)
            }
            if let failure = load { return .failure(.initFailed(status: failure.status, message: "on_load: " + failure.message)) }
            if let failure = configureLocked(configuration) {
                // on_load acquired resources: release them before the plugin is refused.
                _ = callLifecycle(plugin.lifecycle.onUnload, tenant: nil) { function, userData, call in
                    unsafeBitCast(function, to: aerolith_unload_fn.self)(userData, call)
                }
                return .failure(.initFailed(status: failure.status, message: "on_configure: " + failure.message))
            }
            return .success(())
        }
    }

    func configure(_ configuration: [UInt8]) -> (status: Int32, message: String)? {
        lifecycleLock.withLock { _ in configureLocked(configuration) }
    }

    private func configureLocked(_ configuration: [UInt8]) -> (status: Int32, message: String)? {
        callLifecycle(plugin.lifecycle.onConfigure, tenant: nil) { function, userData, call in
            SliceText.with(configuration) { unsafeBitCast(function, to: aerolith_configure_fn.self)(userData, call, $0) }
        }
    }

    /// Activates the plugin for a tenant: `on_activate` with the tenant's settings. Already
    /// active: nothing happens.
    func activate(tenantID: String, settings: [UInt8]) -> (status: Int32, message: String)? {
        lifecycleLock.withLock { _ in
            if activation(tenantID) != nil { return nil }
            var tenantState: UnsafeMutableRawPointer?
            let failure = callLifecycle(plugin.lifecycle.onActivate, tenant: tenantID) { function, userData, call in
                SliceText.with(settings) { unsafeBitCast(function, to: aerolith_activate_fn.self)(userData, call, $0, &tenantState) }
            }
            if failure == nil {
                let activation = Activation(tenantID: tenantID, settings: settings, tenantState: UInt(bitPattern: tenantState))
                activations.withLock { $0[tenantID] = activation }
            }
            return failure
        }
    }

    /// Closes the tenant's gate, waits for its in-flight calls and runs `on_deactivate`. The
    /// caller has already removed the tenant's hooks from the dispatch table.
    /// Returns false if calls were still running when the drain timed out (on_deactivate was
    /// then not called, and the plugin must not be unloaded).
    @discardableResult
    func deactivate(tenantID: String, logger: Logger) -> Bool {
        lifecycleLock.withLock { _ in
            guard let activation = activations.withLock({ $0.removeValue(forKey: tenantID) }) else { return true }
            guard activation.gate.closeAndDrain(timeoutMilliseconds: PluginLimits.drainTimeMillisecondsMax) else {
                logger.error(
                    "calls into the plugin did not finish in time; its tenant state is kept, on_deactivate not called",
                    metadata: ["plugin": "\(name)", "tenant": "\(tenantID)"])
                return false
            }
            let failure = callLifecycle(plugin.lifecycle.onDeactivate, tenant: tenantID, tenantState: activation.tenantState) {
                function, userData, call in
                unsafeBitCast(function, to: aerolith_deactivate_fn.self)(userData, call)
            }
            if let failure {
                logger.warning(
                    "on_deactivate failed",
                    metadata: ["plugin": "\(name)", "tenant": "\(tenantID)", "status": "\(failure.status)", "detail": "\(failure.message)"])
            }
            return true
        }
    }

    /// Runs `on_unload` (the caller has deactivated every tenant and drained the process gate).
    func unload(logger: Logger) {
        lifecycleLock.withLock { _ in
            let failure = callLifecycle(plugin.lifecycle.onUnload, tenant: nil) { function, userData, call in
                unsafeBitCast(function, to: aerolith_unload_fn.self)(userData, call)
            }
            if let failure {
                logger.warning(
                    "on_unload failed", metadata: ["plugin": "\(name)", "status": "\(failure.status)", "detail": "\(failure.message)"])
            }
        }
    }

    /// Calls one lifecycle callback (if the plugin has it) with a call for `tenant` (nil:
    /// process-wide). Returns nil on success, else the status and the plugin's message.
    private func callLifecycle(
        _ function: UInt, tenant: String?, tenantState: UInt = 0,
        _ invoke: (UInt, UnsafeMutableRawPointer?, UnsafePointer<aerolith_call>) -> aerolith_status
    )
        -> (status: Int32, message: String)?
    {
        guard function != 0 else { return nil }
        let userData = UnsafeMutableRawPointer(bitPattern: plugin.lifecycle.userData)
        let (status, message) = HostBuffers.with(capacityBytes: Int(AEROLITH_MESSAGE_BYTES_MAX)) { message in
            let status: aerolith_status = SliceText.with(tenant ?? "") { tenantSlice in
                var context = CallContext(instance: Unmanaged.passUnretained(self), tenantID: tenantSlice, requestID: aerolith_slice())
                return withUnsafeMutablePointer(to: &context) { contextPointer in
                    var call = aerolith_call()
                    call.struct_size = UInt32(MemoryLayout<aerolith_call>.size)
                    call.context = tenant == nil ? OpaquePointer(processContext) : OpaquePointer(contextPointer)
                    call.tenant_id = tenantSlice
                    call.tenant_state = UnsafeMutableRawPointer(bitPattern: tenantState)
                    call.message = HostBuffers.opaque(message)
                    return CurrentCall.with(call.context) {
                        withUnsafePointer(to: &call) { call in perform { invoke(function, userData, call) } }
                    }
                }
            }
            return (status, message.pointee.text)
        }
        return status == aerolith_status(AEROLITH_OK) ? nil : (status, message)
    }
}
