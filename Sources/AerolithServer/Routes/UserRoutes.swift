import AerolithJSON
import AerolithPlatform
import Hummingbird

/// A tenant's users, managed by callers holding `users:manage`.
enum UserRoutes {
    static func routes(_ services: ServerServices) -> [RouteDefinition] {
        let platform = services.platform
        return [
            RouteDefinition(
                method: .get, path: "/v1/users", operationID: "listUsers", summary: "List the tenant's users", tag: "users",
                access: .permission(.usersManage), queryParameters: [("limit", "integer"), ("cursor", "string")],
                responses: [.init(status: 200, description: "One page of users", schema: "UserPage")]
            ) { request, context in
                let page = try await platform.users(
                    tenantID: try context.caller().tenantID, limit: try TenantRoutes.limit(request),
                    cursor: request.uri.queryParameters["cursor"].map(String.init))
                return ResponseJSON.response(
                    .ok,
                    .object(
                        JSONObject(members: [
                            .init(key: "users", value: .array(page.users.map(ResponseJSON.user))),
                            .init(key: "next_cursor", value: ResponseJSON.cursor(page.nextCursor)),
                        ])))
            },
            RouteDefinition(
                method: .post, path: "/v1/users", operationID: "createUser", summary: "Add a user to the tenant", tag: "users",
                access: .permission(.usersManage), requestSchema: "UserCreate",
                responses: [.init(status: 201, description: "Created", schema: "User")]
            ) { request, context in
                let fields = try RequestFields(
                    try await RequestBody.object(request, context: context),
                    allowed: ["email", "password", "display_name", "roles"])
                let user = try await platform.createUser(
                    tenantID: try context.caller().tenantID, email: try fields.string("email", required: true) ?? "",
                    password: try fields.string("password", required: true) ?? "",
                    displayName: try fields.string("display_name", required: false),
                    roles: try fields.strings("roles") ?? [Role.viewer.rawValue], grantor: try context.caller().grant)
                return ResponseJSON.response(.created, ResponseJSON.user(user))
            },
            RouteDefinition(
                method: .get, path: "/v1/users/{user}", operationID: "getUser", summary: "Show a user", tag: "users",
                access: .permission(.usersManage), responses: [.init(status: 200, description: "The user", schema: "User")]
            ) { _, context in
                await ResponseJSON.response(
                    .ok, ResponseJSON.user(try platform.user(try context.pathParameter("user"), tenantID: try context.caller().tenantID)))
            },
            RouteDefinition(
                method: .patch, path: "/v1/users/{user}", operationID: "updateUser",
                summary: "Change a user's name, status (a suspended user is refused until resumed) or roles", tag: "users",
                access: .permission(.usersManage), requestSchema: "UserUpdate",
                responses: [.init(status: 200, description: "The user", schema: "User")]
            ) { request, context in
                let fields = try RequestFields(
                    try await RequestBody.object(request, context: context), allowed: ["display_name", "status", "roles"])
                let user = try await platform.updateUser(
                    try context.pathParameter("user"), tenantID: try context.caller().tenantID,
                    displayName: try fields.string("display_name", required: false),
                    status: try fields.string("status", required: false), roles: try fields.strings("roles"),
                    grantor: try context.caller().grant)
                return ResponseJSON.response(.ok, ResponseJSON.user(user))
            },
            RouteDefinition(
                method: .delete, path: "/v1/users/{user}", operationID: "deleteUser", summary: "Remove a user and end their sessions",
                tag: "users", access: .permission(.usersManage), responses: [.init(status: 204, description: "Removed", schema: nil)]
            ) { _, context in
                try await platform.deleteUser(
                    try context.pathParameter("user"), tenantID: try context.caller().tenantID,
                    grantor: try context.caller().grant)
                return ResponseJSON.noContent()
            },
        ]
    }
}
