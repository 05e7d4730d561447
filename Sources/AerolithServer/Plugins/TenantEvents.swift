import AerolithJSON
import AerolithPlatform
import AerolithStorage

extension ServerServices {
    /// Tells plugins subscribed to tenant lifecycle events what happened to `tenant`:
    /// `{"action","tenant":{"id","name","plan","status"}}`.
    func publishTenantEvent(_ tenant: Tenant, action: String, at time: Timestamp = .now()) {
        plugins.publish(tenantID: tenant.id, kind: .tenant, timeMilliseconds: time.milliseconds) {
            JSONWriter.bytes(
                .object(
                    JSONObject(members: [
                        .init(key: "action", value: .string(action)), .init(key: "tenant", value: .object(tenant.summaryJSON)),
                    ])))
        }
    }
}
