import AerolithPluginKit
import Foundation

/// Most audit events one GET /v1/audit returns (the host's state_list limit).
let auditPageCountMax: UInt32 = 1_000

/// The audit trail: records every committed document change of the tenants it is active for,
/// in plugin state, and serves them at GET /v1/audit. Counts writes per collection as the
/// metric `aerolith_plugin_audit_writes`.
let auditPlugin = Plugin(
    name: "audit", version: "1.0.0", description: "an audit trail of document changes per tenant", buildID: "first-party",
    hooks: [
        Hook("record", .events(subscription: [.document]) { call, events in
            for event in events {
                // Sequences are contiguous per tenant, so zero-padded keys list in order.
                let key = "event/" + String(repeating: "0", count: max(0, 20 - String(event.sequence).count)) + String(event.sequence)
                try call.host.statePut(key, Array(event.payload.utf8))
            }
        }),
        Hook("count", .afterWrite { call, write in
            call.host.counterAdd("audit_writes", labels: "collection=\(write.collection)")
        }),
        Hook("trail", .route(prefix: "audit", permission: "documents:read") { call, request in
            guard request.method == "GET", request.path.isEmpty || request.path == "/" else {
                return .json(#"{"code":"route_not_found","detail":"GET /v1/audit lists the audit trail"}"#, status: 404)
            }
            guard let keys = try JSONSerialization.jsonObject(with: Data(try call.host.stateList(prefix: "event/", limit: auditPageCountMax).utf8)) as? [String] else {
                throw PluginError(.internalError, "the host returned an unreadable key list")
            }
            var entries: [String] = []
            for key in keys {
                if let value = try call.host.stateGet(key) { entries.append(String(decoding: value, as: UTF8.self)) }
            }
            return .json(#"{"events":["# + entries.joined(separator: ",") + "]}")
        }),
    ],
    onActivate: { call, _ in
        call.host.log(.info, "audit trail started for \(call.tenantID)")
        return nil
    }
)

@_cdecl("aerolith_plugin_init")
public func aerolithPluginInit(_ host: UnsafeRawPointer?, _ descriptorOut: UnsafeMutableRawPointer?) -> Int32 {
    AerolithPluginKit.initialize(auditPlugin, host: host, descriptorOut: descriptorOut)
}
