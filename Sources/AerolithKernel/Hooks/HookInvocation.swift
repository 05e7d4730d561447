import CAerolithDispatch
import CAerolithPlugin
import Glibc
import Metrics

/// How one hook call is made, for every kind: through the hook's gate (skipped if the hook was
/// just detached) and timed against the budget; `FlatCall` makes the call itself.
extension BoundHook {
    struct Result {
        let status: aerolith_status
        /// What the plugin wrote into `call->message`; empty if nothing.
        let message: String
        var isOK: Bool { status == aerolith_status(AEROLITH_OK) }
    }

    @inline(__always)
    func invoke(tenantID: aerolith_slice, requestID: aerolith_slice,
                _ body: (UnsafeMutableRawPointer?, UnsafePointer<aerolith_call>) -> aerolith_status) -> Result? {
        guard gate.enter() else { return nil }
        defer { gate.leave() }
        let started = CoarseClock.milliseconds()
        defer { SlowCalls.check(self, since: started) }
        return FlatCall.invoke(flat, tenantID: tenantID, requestID: requestID, body)
    }

    /// This hook as a flattened call.
    var flat: FlatHookCall {
        FlatHookCall(function: function, userData: userData, tenantState: tenantState, instance: Unmanaged.passUnretained(instance),
                     reentrant: instance.reentrant)
    }
}

/// Calls into a plugin: serialised if the plugin is not reentrant, with a call, a context and
/// a message buffer that live on this thread's stack for the duration of the callbacks. The
/// caller has passed the hook's gate and times the call.
enum FlatCall {
    @inline(__always)
    static func invoke(_ hook: FlatHookCall, tenantID: aerolith_slice, requestID: aerolith_slice,
                       _ body: (UnsafeMutableRawPointer?, UnsafePointer<aerolith_call>) -> aerolith_status) -> BoundHook.Result {
        withCall(hook, tenantID: tenantID, requestID: requestID) { call, message in
            let status = make(hook, call: call, body)
            return BoundHook.Result(status: status, message: message.pointee.count == 0 ? "" : message.pointee.text)
        }
    }

    /// Runs `body` with a call record for `hook`'s plugin, reusable for consecutive calls into
    /// the same plugin (a run of one plugin's hooks in a chain): set `tenant_state` and clear the
    /// message before each call.
    @inline(__always)
    static func withCall<T>(_ hook: FlatHookCall, tenantID: aerolith_slice, requestID: aerolith_slice,
                            _ body: (UnsafeMutablePointer<aerolith_call>, UnsafeMutablePointer<HostBufferRecord>) -> T) -> T {
        var message = HostBufferRecord(capacityBytes: Int(AEROLITH_MESSAGE_BYTES_MAX))
        defer { message.release() }
        var context = CallContext(instance: hook.instance, tenantID: tenantID, requestID: requestID)
        return withUnsafeMutablePointer(to: &context) { context in
            withUnsafeMutablePointer(to: &message) { message in
                var call = aerolith_call()
                call.struct_size = UInt32(MemoryLayout<aerolith_call>.size)
                call.context = OpaquePointer(context)
                call.tenant_id = tenantID
                call.request_id = requestID
                call.tenant_state = UnsafeMutableRawPointer(bitPattern: hook.tenantState)
                call.message = OpaquePointer(message)
                return CurrentCall.with(call.context) { withUnsafeMutablePointer(to: &call) { call in body(call, message) } }
            }
        }
    }

    /// One call through a call record from `withCall`.
    @inline(__always)
    static func make(_ hook: FlatHookCall, call: UnsafeMutablePointer<aerolith_call>,
                     _ body: (UnsafeMutableRawPointer?, UnsafePointer<aerolith_call>) -> aerolith_status) -> aerolith_status {
        if hook.reentrant { return body(UnsafeMutableRawPointer(bitPattern: hook.userData), call) }
        return hook.instance._withUnsafeGuaranteedRef { $0.perform { body(UnsafeMutableRawPointer(bitPattern: hook.userData), call) } }
    }
}

/// A clock cheap enough for every hook call: the same coarse monotonic clock the dispatch C
/// code times authorization runs with (a few nanoseconds, millisecond-ish resolution — plenty
/// against a 50 ms budget).
enum CoarseClock {
    @inline(__always)
    static func milliseconds() -> Int { Int(aerolith_dispatch_coarse_milliseconds()) }
}

/// Calls that took longer than the budget: logged and counted per plugin.
enum SlowCalls {
    @inline(__always)
    static func check(_ hook: BoundHook, since started: Int) {
        let elapsed = CoarseClock.milliseconds() - started
        if elapsed > PluginLimits.hookCallTimeMillisecondsBudget { record(hook, milliseconds: elapsed) }
    }

    static func record(_ hook: BoundHook, milliseconds: Int) {
        Counter(label: "aerolith_plugins_slow_calls_total", dimensions: [("plugin", hook.instance.name), ("kind", hook.kind.name)]).increment()
        pluginLogger.warning("a hook call took longer than its budget", metadata: [
            "plugin": "\(hook.instance.name)", "hook": "\(hook.name)", "milliseconds": "\(milliseconds)",
            "budget_milliseconds": "\(PluginLimits.hookCallTimeMillisecondsBudget)",
        ])
    }
}

/// Who failed a call, and how, for the server to report.
public struct HookFailure: Error, Sendable, Equatable {
    public let plugin: String
    public let hook: String
    public let status: Int32
    public let message: String

    init(_ hook: BoundHook, _ result: BoundHook.Result) {
        plugin = hook.instance.name
        self.hook = hook.name
        status = result.status
        message = result.message
    }

    /// The hook could not be called: its plugin is being re-activated, deactivated or disabled
    /// for the tenant. Checks that cannot run refuse.
    init(unavailable hook: BoundHook) {
        plugin = hook.instance.name
        self.hook = hook.name
        status = Int32(AEROLITH_ERR_UNAVAILABLE)
        message = "the plugin is being re-activated or detached; try again"
    }

    init(_ hook: BoundHook, message: String) {
        plugin = hook.instance.name
        self.hook = hook.name
        status = Int32(AEROLITH_ERR_INTERNAL)
        self.message = message
    }
}
