import AerolithJSON
import AerolithKernel
import AerolithPlatform
import Foundation
import HTTPTypes
import Hummingbird

/// Serves /v1/<prefix> and /v1/<prefix>/... for plugins' route hooks. Core routes win: the
/// router only falls through to these for paths no core route matches.
enum PluginMountedRoutes {
    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]

    static func register(on router: Router<AerolithRequestContext>, _ services: ServerServices, routeGuard: RouteGuard) {
        let handler: RouteDefinition.Handler = { request, context in
            let prefix = context.parameters.get("plugin_prefix") ?? ""
            guard let mounted = services.plugins.mountedRoute(prefix) else { throw ServerError(.routeNotFound, "no such route") }
            let permission = mounted.permission
            // The same guard as core routes: permission, authorization hooks, usage record.
            return try await routeGuard.respond(to: request, context: context, access: .permission(permission)) { request, context in
                try await handle(request, context: context, prefix: prefix, services)
            }
        }
        for method in methods {
            router.on("/v1/{plugin_prefix}", method: method, use: handler)
            router.on("/v1/{plugin_prefix}/**", method: method, use: handler)
        }
    }

    /// Calls the plugin's route handler, once the guard has let the request through.
    static func handle(_ request: Request, context: AerolithRequestContext, prefix: String, _ services: ServerServices) async throws
        -> Response
    {
        let plugins = services.plugins
        guard let principal = context.principal else {
            throw PlatformError(.unauthenticated, "this route needs Authorization: Bearer <key>")
        }
        let body = try await request.body.collect(upTo: ServerLimits.requestBodyBytesMax)
        // Normalised as the router matched it ("/v1//audit/x" is "/v1/audit/x").
        let rest = String(RequestPath.path(of: request).dropFirst("/v1/".count + prefix.utf8.count))
        let (subject, role, tenantID): (String, String, String?) =
            switch principal {
            case .platformAdmin(let keyID): (keyID, "platform_admin", nil)
            case .tenant(let caller): (caller.subject, caller.grant.role, caller.tenantID)
            }
        let input = PluginRegistry.RouteInput(
            method: request.method.rawValue, path: rest, query: request.uri.query ?? "", headersJSON: headersJSON(request.headers),
            body: Array(buffer: body), subject: subject, role: role)
        let requestID = context.requestID
        let outcome = try await services.blocking(for: context) {
            plugins.route(prefix: prefix, tenantID: tenantID, requestID: requestID, input)
        }
        switch outcome {
        case .notMounted, .notActive:
            // Not active for this tenant: the route does not exist for it.
            throw ServerError(.routeNotFound, "no such route")
        case .failed(let failure):
            throw PluginProblem.failed(failure)
        case .response(let status, let bytes, let contentType):
            return Response(
                status: HTTPResponse.Status(code: status), headers: [.contentType: contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    /// {"lower-case-name":"value",...}; repeated fields joined by ", ". Credentials are left out.
    static func headersJSON(_ fields: HTTPFields) -> [UInt8] {
        var merged: [(String, String)] = []
        for field in fields where field.name != .authorization && field.name != .cookie {
            let name = field.name.canonicalName
            if let index = merged.firstIndex(where: { $0.0 == name }) {
                merged[index].1 += ", " + field.value
            } else {
                merged.append((name, field.value))
            }
        }
        return JSONWriter.bytes(.object(JSONObject(members: merged.map { .init(key: $0.0, value: .string($0.1)) })))
    }
}
