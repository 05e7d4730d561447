import AerolithPluginKit

/// A plugin built with the Swift kit that uses what the kit wraps beyond the example: an
/// exported function, an isolation strategy, a typed route permission, histograms,
/// `event_subscription_set`, the process-wide host and `onUnload`. The kernel's tests load it
/// (`KitFixtureTests`); it is never installed beside the server (its name does not start with
/// `libAerolithPlugin`).
let multiply: @convention(c) (Int64, Int64) -> Int64 = { a, b in a &* b }

let kitFixture = Plugin(
    name: "kit-fixture", version: "1.0.0", description: "exercises the Swift kit", buildID: "test",
    hooks: [
        Hook(
            "watch",
            .events(subscription: [.document]) { call, events in
                // Counts what arrives, per kind, in the tenant's state.
                for event in events {
                    let key = "seen-\(event.kind.rawValue)"
                    let count = Int(String(decoding: try call.host.stateGet(key) ?? Array("0".utf8), as: UTF8.self)) ?? 0
                    try call.host.statePut(key, Array(String(count + 1).utf8))
                }
            }),
        Hook(
            "by-plan",
            .isolation { call, request in
                switch request.operation {
                case .provision, .locate:
                    // "tn_abc..." → "kit_abc...": a prefix of the strategy's own.
                    return Placement(tablePrefix: "kit_" + call.tenantID.dropFirst(3).lowercased())
                case .remove:
                    try call.host.statePut("removed", Array(request.tablePrefix.utf8))
                    return nil
                }
            }),
        Hook(
            "probe",
            .route(prefix: "kit", permission: .documentsRead) { call, request in
                switch request.path {
                case "/histogram":
                    let recorded = call.host.histogramRecord("kit_latency_ms", labels: "route=probe", 12.5)
                    let refused = call.host.histogramRecord("Not A Name", 1)
                    return .json(#"{"recorded":\#(recorded),"bad_name_recorded":\#(refused)}"#)
                case "/subscribe":
                    try call.host.eventSubscriptionSet("watch", kinds: [.tenant, .document])
                    var missing = "none"
                    do {
                        try call.host.eventSubscriptionSet("no-such-hook", kinds: [.tenant])
                    } catch let error as PluginError {
                        missing = "\(error.status)"
                    }
                    return .json(#"{"missing_status":"\#(missing)"}"#)
                default:
                    return .json(#"{"code":"route_not_found"}"#, status: 404)
                }
            }),
    ],
    functions: [FunctionExport("multiply", signature: "i64(i64,i64)", description: "a times b, wrapping", multiply)],
    onLoad: { _ in
        // The process-wide host works from any callback (and from threads the plugin starts).
        try AerolithPluginKit.pluginHost?.statePut("loaded", Array("yes".utf8))
    },
    onUnload: { call in try call.host.statePut("unloaded", Array("yes".utf8)) }
)

@_cdecl("aerolith_plugin_init")
public func aerolithPluginInit(_ host: UnsafeRawPointer?, _ descriptorOut: UnsafeMutableRawPointer?) -> Int32 {
    AerolithPluginKit.initialize(kitFixture, host: host, descriptorOut: descriptorOut)
}
