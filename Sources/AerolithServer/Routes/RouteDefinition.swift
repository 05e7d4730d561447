import AerolithExecution
import AerolithKernel
import AerolithPermissions
import AerolithPlatform
import AerolithStorage
import Foundation
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

    /// The method the handler serves; the router answers HEAD for every GET route itself.
    let method: HTTPRequest.Method
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

    /// The problem statuses a route may answer besides its own, from its access level.
    var problemStatuses: [Int] {
        var statuses = [400, 404, 413, 415]
        if case .open = access {} else { statuses += [401, 403] }
        return statuses
    }

    /// The handler behind the one guard every route passes (`RouteGuard`).
    func guardedHandler(_ routeGuard: RouteGuard) -> Handler {
        let access = access
        let handler = handler
        return { request, context in try await routeGuard.respond(to: request, context: context, access: access, handler: handler) }
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
    /// Every storage target's store; the platform's records are on the default one.
    let storage: StorageTargets
}

extension AerolithRequestContext {
    /// The calling tenant's placement, from the tenant the route guard looked up for this
    /// request. The tenant comes from the credential, never from the path or body.
    func tenantPlacement() throws -> Placement {
        guard let tenant else { throw PlatformError(.forbidden, "this route needs a tenant API key") }
        return tenant.placement
    }

    /// The store holding the calling tenant's data (the one its placement names).
    func tenantStore() throws -> any DocumentStore {
        guard let tenantDataStore else { throw PlatformError(.forbidden, "this route needs a tenant API key") }
        return tenantDataStore
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
        return RequestPath.decoded(value)
    }
}
