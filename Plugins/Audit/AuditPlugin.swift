import AerolithPluginKit
import Foundation

/// The audit trail: records every committed document change of the tenants it is active for,
/// in plugin state, and serves them at GET /v1/audit, newest first, a page at a time. Counts
/// writes per collection as the metric `aerolith_plugin_audit_writes`.
let auditPlugin = Plugin(
    name: "audit", version: "1.1.0", description: "an audit trail of document changes per tenant", buildID: "first-party",
    hooks: [
        Hook(
            "record",
            .events(subscription: [.document]) { call, events in
                for event in events { try AuditTrail.record(event, call: call) }
            }),
        Hook(
            "count",
            .afterWrite { call, write in
                call.host.counterAdd("audit_writes", labels: "collection=\(write.collection)")
            }),
        Hook(
            "trail",
            .route(prefix: "audit", permission: .documentsRead) { call, request in
                guard request.method == "GET", request.path.isEmpty || request.path == "/" else {
                    return .json(#"{"code":"route_not_found","detail":"GET /v1/audit lists the audit trail"}"#, status: 404)
                }
                switch AuditPage.Request.parse(request.query) {
                case .failure(let problem): return .json(problem.json, status: 400)
                case .success(let page): return .json(try AuditPage.read(page, call: call))
                }
            }),
    ],
    onActivate: { call, _ in
        try AuditTrail.migrateLegacyEntries(call: call)
        call.host.log(.info, "audit trail started for \(call.tenantID)")
        return nil
    }
)

@_cdecl("aerolith_plugin_init")
public func aerolithPluginInit(_ host: UnsafeRawPointer?, _ descriptorOut: UnsafeMutableRawPointer?) -> Int32 {
    AerolithPluginKit.initialize(auditPlugin, host: host, descriptorOut: descriptorOut)
}
