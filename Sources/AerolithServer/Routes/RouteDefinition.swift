import AerolithExecution
import AerolithKernel
import AerolithPlatform
import Foundation
import AerolithStorage
import HTTPTypes
import Hummingbird
import Logging

/// One HTTP route: what the router serves and what `/openapi.json` documents, from the same
/// value, so the document cannot drift from the server.
struct RouteDefinition: Sendable {
    enum Access: Sendable {
        /// No credential needed (health, metrics, the OpenAPI document).
        case open
        /// A credential holding this permission.
        case permission(Permission)
        /// A signed-in user's access token (not an API key): the user's own account and sessions.
        case user
    }

    struct ResponseSpec: Sendable {
        let status: Int
        let description: String
        /// A `#/components/schemas/...` name, or nil for no body.
        let schema: String?
        var mediaType = "application/json"
    }

    typealias Handler = @Sendable (Request, AerolithRequestContext) async throws -> Response

    /// Exactly the method the handler serves: HEAD is a route of its own (see `headVariant`).
    var method: HTTPRequest.Method
    /// OpenAPI-style path, e.g. `/v1/collections/{collection}`; Hummingbird reads the same syntax.
    let path: String
    let operationID: String
    let summary: String
    let tag: String
    let access: Access
    /// Schema name of the JSON request body, if the route takes one.
    var requestSchema: String?
    var requestMediaTypes = ["application/json"]
    /// Header parameters the route reads (documented in OpenAPI).
    var headers: [String] = []
    /// Query parameters the route reads: name and schema type.
    var queryParameters: [(name: String, type: String)] = []
    let responses: [ResponseSpec]
    let handler: Handler

    /// A GET route's HEAD twin: the same access and handler, the body dropped. Registered as a
    /// route of its own rather than derived by the router, so every handler serves exactly the
    /// method it was declared with, and the hooks are told that method.
    var headVariant: RouteDefinition? {
        guard method == .get else { return nil }
        var head = self
        head.method = .head
        return head
    }

    /// The problem statuses a route may answer besides its own, from its access level.
    var problemStatuses: [Int] {
        var statuses = [400, 404, 413, 415]
        if case .open = access {} else { statuses += [401, 403] }
        return statuses
    }

    /// The handler wrapped with the access check — the one place every route's permission is
    /// enforced — followed by the tenant's authorization hooks, which can only narrow access.
    func guardedHandler(_ services: ServerServices) -> Handler {
        let access = access
        let handler = handler
        let plugins = services.plugins
        // Where the collection name sits in this route's path, found once: the authorization
        // input takes it from the request path without a parameter lookup per request.
        let collectionSegment = path.split(separator: "/").firstIndex(of: "{collection}")
        let method = method
        // The route's method and permission, as the authorization hooks are lent them.
        let authorizeRoute: PluginRegistry.AuthorizeRoute? = if case .permission(let permission) = access {
            PluginRegistry.AuthorizeRoute(method: method.rawValue, permission: permission.rawValue)
        } else {
            nil
        }
        return { request, context in
            if case .open = access { return try await handler(request, context) }
            guard let principal = context.principal else {
                throw PlatformError(.unauthenticated, "this route needs Authorization: Bearer <key or access token>")
            }
            guard case .permission(let permission) = access else {
                // `.user`: the signed-in user's own account and sessions.
                guard case .tenant(let caller) = principal, caller.kind == .user else {
                    throw PlatformError(.userRequired, "this route is for signed-in users; sign in with POST /v1/auth/login")
                }
                return try await handler(request, context)
            }
            if case .tenant(let caller) = principal, caller.grant.collections != nil {
                // A credential scoped to some collections: only routes addressing one of them.
                try principal.require(permission, collection: collectionSegment == nil ? nil : try context.pathParameter("collection"))
            } else {
                try principal.require(permission)
            }
            if case .tenant(let caller) = principal {
                try Self.runTenantHooks(request, requestID: context.requestID, caller: caller, plugins: plugins, route: authorizeRoute,
                                        collectionSegment: collectionSegment, permission: permission)
            }
            return try await handler(request, context)
        }
    }
}

/// What route handlers work with.
struct ServerServices: Sendable {
    let platform: Platform
    let plugins: PluginRegistry
    let logger: Logger
    /// Where queries, plans, plugin routes and plugin calls run: fair across tenants, bounded.
    let blockingWork: FairWorkerPool
    /// The exported function that prices a tenant's usage ("plugin/function"), if configured.
    var pricingFunction: String?
    /// The bearer token `GET /metrics` requires; nil: it is refused.
    var metricsToken: String?
    var store: DocumentStore { platform.store }
}

extension AerolithRequestContext {
    /// The calling tenant's placement. Routes guarded by a tenant permission always have a
    /// tenant principal; the tenant comes from the credential, never from the path or body.
    func tenantPlacement(_ services: ServerServices) throws -> Placement {
        guard let tenantID = principal?.tenantID else {
            throw PlatformError(.forbidden, "this route needs a tenant API key")
        }
        return try services.platform.tenant(tenantID).placement
    }

    /// The tenant caller of a route that required one.
    func caller() throws -> TenantCaller {
        guard case .tenant(let caller)? = principal else { throw PlatformError(.userRequired, "this route is for a tenant's callers") }
        return caller
    }

    /// A path parameter, percent-decoded (`x%3Ay` is `x:y`). Text that does not decode is passed
    /// on as it is, for the parameter's own validation to refuse.
    func pathParameter(_ name: String) throws -> String {
        guard let value = parameters.get(name) else { throw ServerError(.invalidParameter, "missing path parameter \(name)") }
        return RouteDefinition.decoded(value)
    }
}
