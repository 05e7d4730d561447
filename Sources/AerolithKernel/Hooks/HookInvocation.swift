import CAerolithPlugin
import Glibc
import Metrics

/// How one hook call is made, for every kind: through the hook's gate (skipped if the hook was
/// just detached), serialised if its plugin is not reentrant, with a call record and a message
/// buffer on this thread's stack for the duration of the callback, and timed against the budget.
extension BoundHook {
    struct Result {
        let status: aerolith_status
        /// What the plugin wrote into `call->message`; empty if nothing.
        let message: String
        var isOK: Bool { status == aerolith_status(AEROLITH_OK) }
    }

    /// Calls the hook's function through `body`; nil when the gate is closed (the plugin is
    /// being re-activated, deactivated or disabled for the tenant).
    func invoke(
        tenantID: aerolith_slice, requestID: aerolith_slice,
        _ body: (UnsafeMutableRawPointer?, UnsafePointer<aerolith_call>) -> aerolith_status
    ) -> Result? {
        guard gate.enter() else { return nil }
        defer { gate.leave() }
        let started = ContinuousClock.now
        defer { SlowCalls.check(self, since: started) }
        var message = HostBufferRecord(capacityBytes: Int(AEROLITH_MESSAGE_BYTES_MAX))
        defer { message.release() }
        var context = CallContext(instance: Unmanaged.passUnretained(instance), tenantID: tenantID, requestID: requestID)
        let status = withUnsafeMutablePointer(to: &context) { context in
            withUnsafeMutablePointer(to: &message) { message in
                var call = aerolith_call()
                call.struct_size = UInt32(MemoryLayout<aerolith_call>.size)
                call.context = OpaquePointer(context)
                call.tenant_id = tenantID
                call.request_id = requestID
                call.tenant_state = UnsafeMutableRawPointer(bitPattern: tenantState)
                call.message = OpaquePointer(message)
                let userData = UnsafeMutableRawPointer(bitPattern: userData)
                return CurrentCall.with(call.context) {
                    withUnsafePointer(to: &call) { call in instance.perform { body(userData, call) } }
                }
            }
        }
        return Result(status: status, message: message.text)
    }
}

/// Calls that took longer than the budget: logged and counted per plugin. Timed with the one
/// clock of the kernel, `ContinuousClock`.
enum SlowCalls {
    static func check(_ hook: BoundHook, since started: ContinuousClock.Instant) {
        let elapsed = started.duration(to: .now)
        if elapsed > .milliseconds(PluginLimits.hookCallTimeMillisecondsBudget) {
            record(hook, milliseconds: Int(elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
        }
    }

    static func record(_ hook: BoundHook, milliseconds: Int) {
        Counter(label: "aerolith_plugins_slow_calls_total", dimensions: [("plugin", hook.instance.name), ("kind", hook.kind.name)])
            .increment()
        pluginLogger.warning(
            "a hook call took longer than its budget",
            metadata: [
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
