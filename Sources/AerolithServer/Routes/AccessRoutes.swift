import AerolithJSON
import AerolithPermissions
import AerolithPlatform
import Hummingbird

/// A tenant managing its own API keys (`keys:manage`) and custom roles (`users:manage`).
enum AccessRoutes {
    static func routes(_ services: ServerServices) -> [RouteDefinition] {
        let platform = services.platform
        return [
            RouteDefinition(
                method: .post, path: "/v1/keys", operationID: "createOwnKey",
                summary: "Create an API key for the caller's tenant: a role or a permission list, optionally limited to collections",
                tag: "keys", access: .permission(.keysManage), requestSchema: "KeyCreate",
                responses: [.init(status: 201, description: "Created; the secret is shown only here", schema: "KeyWithSecret")]
            ) { request, context in
                let caller = try context.caller()
                let (key, secret) = try await TenantRoutes.createKey(
                    platform, tenantID: caller.tenantID, grantor: caller.grant, request, context)
                return ResponseJSON.response(.created, ResponseJSON.key(key, secret: secret))
            },
            RouteDefinition(
                method: .get, path: "/v1/keys", operationID: "listOwnKeys", summary: "List the caller's tenant's keys (without secrets)",
                tag: "keys", access: .permission(.keysManage), responses: [.init(status: 200, description: "The keys", schema: "KeyList")]
            ) { _, context in
                let keys = try await platform.keys(tenantID: try context.caller().tenantID)
                return ResponseJSON.response(
                    .ok, .object(JSONObject(members: [.init(key: "keys", value: .array(keys.map { ResponseJSON.key($0) }))])))
            },
            RouteDefinition(
                method: .delete, path: "/v1/keys/{key}", operationID: "revokeOwnKey", summary: "Revoke one of the tenant's API keys",
                tag: "keys", access: .permission(.keysManage), responses: [.init(status: 204, description: "Revoked", schema: nil)]
            ) { _, context in
                let caller = try context.caller()
                _ = try await platform.revokeKey(tenantID: caller.tenantID, keyID: try context.pathParameter("key"), revoker: caller.grant)
                return ResponseJSON.noContent()
            },
            RouteDefinition(
                method: .get, path: "/v1/roles", operationID: "listRoles", summary: "List the built-in roles and the tenant's own",
                tag: "users", access: .permission(.usersManage),
                responses: [.init(status: 200, description: "The roles", schema: "RoleList")]
            ) { _, context in
                let custom = try await platform.customRoles(tenantID: try context.caller().tenantID).values.sorted { $0.name < $1.name }
                let roles =
                    Role.allCases.map { Self.role(name: $0.rawValue, builtIn: true, $0.permissions) }
                    + custom.map { Self.role(name: $0.name, builtIn: false, $0.permissions) }
                return ResponseJSON.response(.ok, .object(JSONObject(members: [.init(key: "roles", value: .array(roles))])))
            },
            RouteDefinition(
                method: .post, path: "/v1/roles", operationID: "createRole", summary: "Define a custom role: a name and some permissions",
                tag: "users", access: .permission(.usersManage), requestSchema: "RoleCreate",
                responses: [.init(status: 201, description: "Created", schema: "RoleInfo")]
            ) { request, context in
                let fields = try RequestFields(try await RequestBody.object(request, context: context), allowed: ["name", "permissions"])
                let role = try await platform.createRole(
                    tenantID: try context.caller().tenantID, name: try fields.string("name", required: true) ?? "",
                    permissions: try fields.strings("permissions") ?? [], grantor: try context.caller().grant)
                return ResponseJSON.response(.created, Self.role(name: role.name, builtIn: false, role.permissions))
            },
            RouteDefinition(
                method: .delete, path: "/v1/roles/{role}", operationID: "deleteRole",
                summary: "Remove a custom role nobody holds (409 role_in_use otherwise)", tag: "users",
                access: .permission(.usersManage), responses: [.init(status: 204, description: "Removed", schema: nil)]
            ) { _, context in
                try await platform.deleteRole(tenantID: try context.caller().tenantID, name: try context.pathParameter("role"))
                return ResponseJSON.noContent()
            },
        ]
    }

    static func role(name: String, builtIn: Bool, _ permissions: Set<Permission>) -> JSONValue {
        .object(
            JSONObject(members: [
                .init(key: "name", value: .string(name)),
                .init(key: "built_in", value: .bool(builtIn)),
                .init(key: "permissions", value: .array(permissions.sorted().map { .string($0.rawValue) })),
            ]))
    }
}
