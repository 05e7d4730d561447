import AerolithJSON
import AerolithStorage
import Hummingbird
import Prometheus

/// Liveness, readiness, metrics and the OpenAPI document: routes for operators and tools, open
/// but for the metrics, which need the metrics token (`MetricsAccess`).
enum HealthRoutes {
    static func routes(_ services: ServerServices, registry: PrometheusCollectorRegistry, openAPI: @escaping @Sendable () -> [UInt8])
        -> [RouteDefinition]
    {
        [
            RouteDefinition(
                method: .get, path: "/health/live", operationID: "live", summary: "The process is up", tag: "health", access: .open,
                responses: [.init(status: 200, description: "Alive", schema: "Health")]
            ) { _, _ in
                ResponseJSON.response(.ok, .object(JSONObject(members: [.init(key: "status", value: .string("ok"))])))
            },
            RouteDefinition(
                method: .get, path: "/health/ready", operationID: "ready", summary: "The server can serve requests (storage answers)",
                tag: "health", access: .open,
                responses: [
                    .init(status: 200, description: "Ready", schema: "Health"),
                    .init(status: 503, description: "Not ready", schema: "Problem"),
                ]
            ) { _, _ in
                // Every storage target answers a catalog read, or the node is not ready.
                let probe = try Placement(tablePrefix: "sys")
                for (name, store) in services.storage.all {
                    do {
                        _ = try await store.usage(in: probe)
                    } catch {
                        throw Problem(
                            status: .serviceUnavailable, code: "not_ready", detail: "storage target \(name) is not answering: \(error)")
                    }
                }
                return ResponseJSON.response(.ok, .object(JSONObject(members: [.init(key: "status", value: .string("ready"))])))
            },
            RouteDefinition(
                method: .get, path: MetricsAccess.path, operationID: "metrics",
                summary: "Prometheus metrics (text exposition format); needs Authorization: Bearer <metrics token>",
                tag: "health", access: .open,
                responses: [
                    .init(status: 200, description: "Metrics", schema: "MetricsText", mediaType: "text/plain"),
                    .init(status: 401, description: "No or a wrong metrics token, or none configured", schema: "Problem"),
                ]
            ) { request, _ in
                try MetricsAccess.check(request, token: services.metricsToken)
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                    body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
            },
            RouteDefinition(
                method: .get, path: "/openapi.json", operationID: "openapi", summary: "This API's OpenAPI 3.1 document", tag: "health",
                access: .open, responses: [.init(status: 200, description: "The document", schema: "OpenAPIDocument")]
            ) { _, _ in
                ResponseJSON.response(.ok, bytes: openAPI())
            },
        ]
    }
}
