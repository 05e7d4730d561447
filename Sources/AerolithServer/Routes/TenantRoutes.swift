import AerolithJSON
import AerolithPlatform
import Hummingbird

/// Platform administration: tenants and their API keys. Only the platform admin key may call these.
enum TenantRoutes {
    static func routes(_ services: ServerServices) -> [RouteDefinition] {
        let platform = services.platform
        return [
            RouteDefinition(
                method: .post, path: "/v1/tenants", operationID: "createTenant", summary: "Create a tenant", tag: "tenants",
                access: .permission(.platformAdmin), requestSchema: "TenantCreate",
                responses: [
                    .init(status: 201, description: "Created", schema: "Tenant"),
                    .init(status: 409, description: "The slug is taken (slug_taken)", schema: "Problem"),
                ]
            ) { request, context in
                let fields = try RequestFields(try await RequestBody.object(request, context: context), allowed: ["name", "plan", "slug"])
                let slug = try fields.string("slug", required: false)
                let tenant = try await platform.createTenant(
                    name: try fields.string("name", required: true) ?? "",
                    plan: try fields.string("plan", required: false), slug: slug)
                services.publishTenantEvent(tenant, action: "created", at: tenant.createdAt)
                return ResponseJSON.response(.created, ResponseJSON.tenant(tenant, slugDerived: slug == nil))
            },
            RouteDefinition(
                method: .get, path: "/v1/tenants", operationID: "listTenants", summary: "List tenants in creation order",
                tag: "tenants", access: .permission(.platformAdmin), queryParameters: [("limit", "integer"), ("cursor", "string")],
                responses: [.init(status: 200, description: "One page of tenants", schema: "TenantPage")]
            ) { request, _ in
                let limit = try Self.limit(request)
                let page = try await platform.tenants(limit: limit, cursor: request.uri.queryParameters["cursor"].map(String.init))
                return ResponseJSON.response(
                    .ok,
                    .object(
                        JSONObject(members: [
                            .init(key: "tenants", value: .array(page.tenants.map { ResponseJSON.tenant($0) })),
                            .init(key: "next_cursor", value: ResponseJSON.cursor(page.nextCursor)),
                        ])))
            },
            RouteDefinition(
                method: .get, path: "/v1/tenants/{tenant}", operationID: "getTenant", summary: "Show a tenant", tag: "tenants",
                access: .permission(.platformAdmin), responses: [.init(status: 200, description: "The tenant", schema: "Tenant")]
            ) { _, context in
                await ResponseJSON.response(.ok, ResponseJSON.tenant(try platform.tenant(named: try context.pathParameter("tenant"))))
            },
            RouteDefinition(
                method: .patch, path: "/v1/tenants/{tenant}", operationID: "updateTenant",
                summary: "Suspend or resume a tenant, or change its plan", tag: "tenants", access: .permission(.platformAdmin),
                requestSchema: "TenantUpdate", responses: [.init(status: 200, description: "The tenant", schema: "Tenant")]
            ) { request, context in
                let fields = try RequestFields(try await RequestBody.object(request, context: context), allowed: ["status", "plan"])
                let before = try await platform.tenant(named: try context.pathParameter("tenant"))
                let tenant = try await platform.updateTenant(
                    before.id, status: try fields.string("status", required: false),
                    plan: try fields.string("plan", required: false))
                if tenant.status != before.status {
                    services.publishTenantEvent(tenant, action: tenant.status == .suspended ? "suspended" : "resumed")
                }
                return ResponseJSON.response(.ok, ResponseJSON.tenant(tenant))
            },
            RouteDefinition(
                method: .post, path: "/v1/tenants/{tenant}/keys", operationID: "createKey",
                summary: "Create an API key for a tenant; the key is shown only in this response", tag: "keys",
                access: .permission(.platformAdmin), requestSchema: "KeyCreate",
                responses: [.init(status: 201, description: "Created", schema: "KeyWithSecret")]
            ) { request, context in
                let (key, secret) = try await Self.createKey(
                    platform, tenantID: try context.namedTenantID(platform), grantor: nil, request, context)
                return ResponseJSON.response(.created, ResponseJSON.key(key, secret: secret))
            },
            RouteDefinition(
                method: .get, path: "/v1/tenants/{tenant}/keys", operationID: "listKeys", summary: "List a tenant's keys (without secrets)",
                tag: "keys", access: .permission(.platformAdmin),
                responses: [.init(status: 200, description: "The keys", schema: "KeyList")]
            ) { _, context in
                let keys = try await platform.keys(tenantID: try context.namedTenantID(platform))
                return ResponseJSON.response(
                    .ok, .object(JSONObject(members: [.init(key: "keys", value: .array(keys.map { ResponseJSON.key($0) }))])))
            },
            RouteDefinition(
                method: .delete, path: "/v1/tenants/{tenant}/keys/{key}", operationID: "revokeKey", summary: "Revoke an API key",
                tag: "keys", access: .permission(.platformAdmin), responses: [.init(status: 204, description: "Revoked", schema: nil)]
            ) { _, context in
                _ = try await platform.revokeKey(tenantID: try context.namedTenantID(platform), keyID: try context.pathParameter("key"))
                return ResponseJSON.noContent()
            },
        ]
    }

    /// Creates a key from a `KeyCreate` body: a role or a permission list, and optionally collections.
    static func createKey(
        _ platform: Platform, tenantID: String, grantor: Grant?, _ request: Request,
        _ context: AerolithRequestContext
    ) async throws -> (key: APIKey, secret: String) {
        let fields = try RequestFields(
            try await RequestBody.object(request, context: context), allowed: ["name", "role", "permissions", "collections"])
        return try await platform.createKey(
            tenantID: tenantID, name: try fields.string("name", required: true) ?? "",
            role: try fields.string("role", required: false), permissions: try fields.strings("permissions"),
            collections: try fields.strings("collections"), grantor: grantor)
    }

    static func limit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return ServerLimits.tenantPageSizeDefault }
        guard let limit = Int(text), (1...PlatformLimits.tenantPageSizeMax).contains(limit) else {
            throw ServerError(.invalidParameter, "limit must be an integer from 1 to \(PlatformLimits.tenantPageSizeMax)")
        }
        return limit
    }
}

extension AerolithRequestContext {
    /// The id of the tenant the `{tenant}` path parameter names, by id or by slug.
    func namedTenantID(_ platform: Platform) async throws -> String {
        try await platform.tenant(named: try pathParameter("tenant")).id
    }
}
