import AerolithJSON
import AerolithKernel
import AerolithPlatform
import AerolithStorage

/// The platform's isolation strategy, answered by the plugin the operator selected
/// (`"isolation_strategy": "<plugin>/<hook>"`); the built-in placement when none is selected.
struct PluginPlacementStrategy: TenantPlacementStrategy {
    let plugins: PluginRegistry

    func provision(_ tenant: Tenant) throws -> Placement { try ask(.provision, tenant) }

    func locate(_ tenant: Tenant) throws -> Placement { try ask(.locate, tenant) }

    private func ask(_ operation: PluginRegistry.IsolationOperation, _ tenant: Tenant) throws -> Placement {
        switch plugins.isolation(operation, tenantID: tenant.id, tenantJSON: JSONWriter.bytes(.object(tenant.summaryJSON))) {
        case .builtIn:
            return try Placement(tablePrefix: tenant.id)
        case .failed(let failure):
            throw PluginProblem.failed(failure)
        case .unavailable(let detail):
            throw Problem(status: .serviceUnavailable, code: "isolation_unavailable", detail: detail)
        case .placement(let database, let prefix):
            do {
                return try Placement(database: database, tablePrefix: prefix)
            } catch {
                throw Problem(
                    status: .internalServerError, code: "isolation_failed",
                    detail: "the isolation strategy returned an unusable placement \(database):\(prefix): \(error.message)")
            }
        }
    }
}
