import CAerolithPlugin
import Glibc
import Metrics

/// How one hook call is made, for every kind: through the hook's gate (skipped if the hook was
/// just detached), serialised if the plugin is not reentrant, with a call, a context and a
/// message buffer that live on this thread's stack for the duration of the callback.
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
        return invokeInsideGate(tenantID: tenantID, requestID: requestID, body)
    }

    /// The call itself; the caller has entered `gate` and times the call (see `HookChain.walk`).
    @inline(__always)
    func invokeInsideGate(tenantID: aerolith_slice, requestID: aerolith_slice,
                          _ body: (UnsafeMutableRawPointer?, UnsafePointer<aerolith_call>) -> aerolith_status) -> Result {
        var message = HostBufferRecord(capacityBytes: Int(AEROLITH_MESSAGE_BYTES_MAX))
        defer { free(message.storage) }
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
                return withUnsafePointer(to: &call) { call in
                    instance.perform { body(UnsafeMutableRawPointer(bitPattern: userData), call) }
                }
            }
        }
        return Result(status: status, message: message.count == 0 ? "" : message.text)
    }
}

/// Walking a chain: consecutive hooks behind the same gate (one plugin, one tenant) share one
/// pass through it and one timing against the budget, so a plugin with several hooks in a chain
/// costs one pair of atomic operations and clock reads, not one per hook. A hook whose gate is
/// closed (just detached) is skipped.
enum HookChain {
    @inline(__always)
    static func walk<Outcome>(_ chain: [BoundHook], _ step: (BoundHook) -> Outcome?) -> Outcome? {
        var index = 0
        let count = chain.count
        while index < count {
            let gate = chain[index].gate
            guard gate.enter() else {
                index += 1
                while index < count, chain[index].gate === gate { index += 1 }
                continue
            }
            defer { gate.leave() }
            let first = chain[index]
            let started = CoarseClock.milliseconds()
            defer { SlowCalls.check(first, since: started) }
            repeat {
                if let outcome = step(chain[index]) { return outcome }
                index += 1
            } while index < count && chain[index].gate === gate
        }
        return nil
    }
}

/// A clock cheap enough for every hook call (the coarse monotonic clock: a few nanoseconds,
/// millisecond-ish resolution — plenty against a 50 ms budget).
enum CoarseClock {
    @inline(__always)
    static func milliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        return now.tv_sec * 1_000 + now.tv_nsec / 1_000_000
    }
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

    init(_ hook: BoundHook, message: String) {
        plugin = hook.instance.name
        self.hook = hook.name
        status = Int32(AEROLITH_ERR_INTERNAL)
        self.message = message
    }
}
