import AerolithJSON
import AerolithPlatform
import Hummingbird

/// Signing up, signing in and out, sessions, and the signed-in user's own account.
enum AuthRoutes {
    static func routes(_ services: ServerServices) -> [RouteDefinition] {
        let platform = services.platform
        return [
            RouteDefinition(
                method: .post, path: "/v1/signup", operationID: "signup",
                summary: "Create a tenant and its owner, and sign the owner in", tag: "auth", access: .open, requestSchema: "Signup",
                responses: [
                    .init(status: 201, description: "Created and signed in", schema: "SignupResult"),
                    .init(status: 409, description: "The tenant slug is taken (slug_taken)", schema: "Problem"),
                ]
            ) { request, context in
                let fields = try RequestFields(
                    try await RequestBody.object(request, context: context),
                    allowed: ["tenant_name", "tenant_slug", "email", "password", "plan", "display_name"])
                let slug = try fields.string("tenant_slug", required: false)
                let (tenant, user, tokens) = try await platform.signup(
                    tenantName: try fields.string("tenant_name", required: true) ?? "",
                    email: try fields.string("email", required: true) ?? "",
                    password: try fields.string("password", required: true) ?? "", plan: try fields.string("plan", required: false),
                    displayName: try fields.string("display_name", required: false), clientAddress: context.clientAddress, tenantSlug: slug)
                services.publishTenantEvent(tenant, action: "created", at: tenant.createdAt)
                var body = ResponseJSON.tokens(tokens)
                body.set("tenant", ResponseJSON.tenant(tenant, slugDerived: slug == nil))
                body.set("user", ResponseJSON.user(user))
                return ResponseJSON.response(.created, .object(body))
            },
            RouteDefinition(
                method: .post, path: "/v1/auth/login", operationID: "login",
                summary: "Sign in with email and password; tenant is the tenant's id or slug",
                tag: "auth", access: .open, requestSchema: "Login",
                responses: [.init(status: 200, description: "Signed in", schema: "Tokens")]
            ) { request, context in
                let fields = try RequestFields(
                    try await RequestBody.object(request, context: context), allowed: ["tenant", "email", "password"])
                let tokens = try await platform.login(
                    tenantID: try fields.string("tenant", required: true) ?? "",
                    email: try fields.string("email", required: true) ?? "",
                    password: try fields.string("password", required: true) ?? "",
                    clientAddress: context.clientAddress)
                return ResponseJSON.response(.ok, .object(ResponseJSON.tokens(tokens)))
            },
            RouteDefinition(
                method: .post, path: "/v1/auth/tenants", operationID: "findTenants",
                summary:
                    "The tenants where this email and password sign in; an unknown email and a wrong password both answer an empty list",
                tag: "auth", access: .open, requestSchema: "TenantLookup",
                responses: [.init(status: 200, description: "The tenants (possibly none)", schema: "TenantMatches")]
            ) { request, context in
                let fields = try RequestFields(try await RequestBody.object(request, context: context), allowed: ["email", "password"])
                let tenants = try await platform.tenantsSigningIn(
                    email: try fields.string("email", required: true) ?? "",
                    password: try fields.string("password", required: true) ?? "",
                    clientAddress: context.clientAddress)
                return ResponseJSON.response(
                    .ok,
                    .object(
                        JSONObject(members: [
                            .init(
                                key: "tenants",
                                value: .array(
                                    tenants.map { tenant in
                                        .object(
                                            JSONObject(members: [
                                                .init(key: "id", value: .string(tenant.id)),
                                                .init(key: "slug", value: .string(tenant.slug)),
                                                .init(key: "name", value: .string(tenant.name)),
                                            ]))
                                    }))
                        ])))
            },
            RouteDefinition(
                method: .post, path: "/v1/auth/refresh", operationID: "refresh",
                summary: "Exchange a refresh token for new tokens (the refresh token is spent)", tag: "auth", access: .open,
                requestSchema: "Refresh", responses: [.init(status: 200, description: "New tokens", schema: "Tokens")]
            ) { request, context in
                let fields = try RequestFields(try await RequestBody.object(request, context: context), allowed: ["refresh_token"])
                let tokens = try await platform.refresh(try fields.string("refresh_token", required: true) ?? "")
                return ResponseJSON.response(.ok, .object(ResponseJSON.tokens(tokens)))
            },
            RouteDefinition(
                method: .post, path: "/v1/auth/logout", operationID: "logout",
                summary: "End this session now: its access and refresh tokens stop working", tag: "auth", access: .user,
                responses: [.init(status: 204, description: "Signed out", schema: nil)]
            ) { _, context in
                try await platform.logout(sessionID: try context.caller().sessionID ?? "")
                return ResponseJSON.noContent()
            },
            RouteDefinition(
                method: .get, path: "/v1/auth/sessions", operationID: "listSessions", summary: "List the signed-in user's active sessions",
                tag: "auth", access: .user, responses: [.init(status: 200, description: "The sessions", schema: "SessionList")]
            ) { _, context in
                let caller = try context.caller()
                let sessions = try await platform.sessions(userID: caller.subject, tenantID: caller.tenantID)
                return ResponseJSON.response(
                    .ok,
                    .object(
                        JSONObject(members: [
                            .init(key: "sessions", value: .array(sessions.map { ResponseJSON.session($0, current: caller.sessionID) }))
                        ])))
            },
            RouteDefinition(
                method: .delete, path: "/v1/auth/sessions/{session}", operationID: "revokeSession",
                summary: "End one of the signed-in user's sessions", tag: "auth", access: .user,
                responses: [.init(status: 204, description: "Ended", schema: nil)]
            ) { _, context in
                let caller = try context.caller()
                try await platform.revokeSession(try context.pathParameter("session"), userID: caller.subject, tenantID: caller.tenantID)
                return ResponseJSON.noContent()
            },
            RouteDefinition(
                method: .get, path: "/v1/me", operationID: "me", summary: "The signed-in user, their tenant and permissions",
                tag: "auth", access: .user, responses: [.init(status: 200, description: "The user", schema: "Me")]
            ) { _, context in
                let caller = try context.caller()
                let user = try await platform.user(caller.subject, tenantID: caller.tenantID)
                let tenant = if let known = context.tenant { known } else { try await platform.tenant(caller.tenantID) }
                return ResponseJSON.response(
                    .ok,
                    .object(
                        JSONObject(members: [
                            .init(key: "user", value: ResponseJSON.user(user)),
                            .init(key: "tenant", value: ResponseJSON.tenant(tenant)),
                            .init(key: "permissions", value: .array(caller.grant.permissions.sorted().map { .string($0.rawValue) })),
                            .init(key: "session_id", value: .string(caller.sessionID ?? "")),
                        ])))
            },
            RouteDefinition(
                method: .post, path: "/v1/me/password", operationID: "changePassword",
                summary: "Change the signed-in user's password; their other sessions end", tag: "auth", access: .user,
                requestSchema: "PasswordChange", responses: [.init(status: 204, description: "Changed", schema: nil)]
            ) { request, context in
                let caller = try context.caller()
                let fields = try RequestFields(
                    try await RequestBody.object(request, context: context), allowed: ["current_password", "new_password"])
                try await platform.changePassword(
                    userID: caller.subject, tenantID: caller.tenantID,
                    current: try fields.string("current_password", required: true) ?? "",
                    new: try fields.string("new_password", required: true) ?? "", keepingSession: caller.sessionID)
                return ResponseJSON.noContent()
            },
            RouteDefinition(
                method: .post, path: "/v1/auth/signing-keys/rotate", operationID: "rotateSigningKey",
                summary: "Sign new access tokens with a new key; tokens signed before stay valid until they expire", tag: "auth",
                access: .permission(.platformAdmin), responses: [.init(status: 200, description: "The new key's id", schema: "SigningKey")]
            ) { _, _ in
                let kid = try await platform.rotateSigningKey()
                return ResponseJSON.response(.ok, .object(JSONObject(members: [.init(key: "kid", value: .string(kid))])))
            },
        ]
    }
}
