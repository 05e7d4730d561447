import AerolithJSON
import AerolithKernel
import AerolithPlatform
import AerolithStorage
import Hummingbird

/// A tenant's stored usage and, when the operator names a pricing function, its price.
///
/// The price comes from a plugin's exported C function named in configuration
/// (`"pricing_function": "<plugin>/<function>"`), called through libffi with the signature
/// `i64(i64,i64)`: (documents, storage bytes) → price in minor currency units (integers, never
/// floating point money).
enum UsageRoutes {
    static let pricingSignature = "i64(i64,i64)"

    static func routes(_ services: ServerServices) -> [RouteDefinition] {
        [
            RouteDefinition(
                method: .get, path: "/v1/usage", operationID: "getUsage",
                summary: "The calling tenant's stored usage, priced by the configured pricing function if there is one",
                tag: "usage", access: .permission(.usageRead),
                responses: [
                    .init(status: 200, description: "Usage", schema: "Usage"),
                    .init(status: 503, description: "The configured pricing function cannot be called", schema: "Problem"),
                ]
            ) { _, context in
                let usage = try await context.tenantStore().usage(in: try context.tenantPlacement())
                var object = JSONObject(members: [
                    .init(key: "collections", value: .integer(Int64(usage.collectionCount))),
                    .init(key: "documents", value: .integer(usage.documentCount)),
                    .init(key: "storage_bytes", value: .integer(usage.sizeBytes)),
                ])
                if let function = services.pricingFunction {
                    let amount = try await price(usage, function: function, services: services, context: context)
                    object.set(
                        "price",
                        .object(
                            JSONObject(members: [
                                .init(key: "function", value: .string(function)), .init(key: "amount_minor_units", value: .integer(amount)),
                            ])))
                } else {
                    object.set("price", .null)
                }
                return ResponseJSON.response(.ok, .object(object))
            }
        ]
    }

    static func price(
        _ usage: StorageUsage, function qualified: String, services: ServerServices,
        context: AerolithRequestContext
    ) async throws -> Int64 {
        let plugins = services.plugins
        let parts = qualified.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw unavailable("the pricing function \"\(qualified)\" is not <plugin>/<function>") }
        guard let plugin = plugins.entry(named: parts[0])?.plugin,
            let exported = plugin.functions.first(where: { $0.name == parts[1] })
        else {
            throw unavailable("the pricing function \(qualified) is not loaded")
        }
        guard exported.signature == pricingSignature else {
            throw unavailable("the pricing function \(qualified) has the signature \(exported.signature), not \(pricingSignature)")
        }
        let arguments: [FunctionValue] = [.integer(usage.documentCount), .integer(usage.sizeBytes)]
        let result: FunctionValue
        do {
            result = try await services.blocking(for: context) {
                try plugins.call(plugin: parts[0], function: parts[1], arguments: arguments)
            }
        } catch let error as PluginControlError {
            throw unavailable("the pricing function \(qualified) cannot be called: \(error.message)")
        }
        guard case .integer(let amount) = result else { throw unavailable("the pricing function \(qualified) returned no integer") }
        return amount
    }

    static func unavailable(_ detail: String) -> Problem {
        Problem(status: .serviceUnavailable, code: "pricing_unavailable", detail: detail)
    }
}
