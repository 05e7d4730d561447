import OpenAPIKit

/// Signing up and in, users, their sessions and roles.
extension OpenAPIComponents {
    static var identitySchemas: [(OpenAPI.ComponentKey, JSONSchema)] {
        [
            (
                "Signup",
                object(
                    required: ["tenant_name", "email", "password"],
                    [
                        "tenant_name": text, "tenant_slug": ref("TenantSlug"), "email": text, "password": text, "plan": plan,
                        "display_name": text,
                    ])
            ),
            (
                "Login",
                object(
                    required: ["tenant", "email", "password"],
                    [
                        "tenant": .string(description: "The tenant's id or slug"), "email": text, "password": text,
                    ])
            ),
            ("TenantLookup", object(required: ["email", "password"], ["email": text, "password": text])),
            (
                "TenantMatches",
                object(
                    required: ["tenants"],
                    [
                        "tenants": array(object(required: ["id", "slug", "name"], ["id": text, "slug": text, "name": text]))
                    ])
            ),
            ("Refresh", object(required: ["refresh_token"], ["refresh_token": text])),
            (
                "Tokens",
                object(
                    required: tokenFields,
                    [
                        "access_token": text, "refresh_token": text, "expires_in": integer, "token_type": choice("Bearer"),
                        "session_id": text, "user_id": text, "tenant_id": text,
                    ])
            ),
            (
                "SignupResult",
                object(
                    required: tokenFields + ["tenant", "user"],
                    [
                        "access_token": text, "refresh_token": text, "expires_in": integer, "token_type": choice("Bearer"),
                        "session_id": text, "user_id": text, "tenant_id": text, "tenant": ref("Tenant"), "user": ref("User"),
                    ])
            ),
            (
                "User",
                object(
                    required: ["id", "tenant_id", "email", "display_name", "status", "roles", "created_at", "updated_at"],
                    [
                        "id": text, "tenant_id": text, "email": text, "display_name": text, "status": activeOrSuspended, "roles": texts,
                        "created_at": timestamp, "updated_at": timestamp,
                    ])
            ),
            ("UserPage", object(required: ["users", "next_cursor"], ["users": array(ref("User")), "next_cursor": nullableText])),
            (
                "UserCreate",
                object(
                    required: ["email", "password"],
                    [
                        "email": text, "password": text, "display_name": text, "roles": texts,
                    ])
            ),
            ("UserUpdate", object(["display_name": text, "status": activeOrSuspended, "roles": texts])),
            (
                "Session",
                object(
                    required: ["id", "current", "created_at", "last_used_at", "expires_at"],
                    [
                        "id": text, "current": boolean, "created_at": timestamp, "last_used_at": timestamp, "expires_at": timestamp,
                    ])
            ),
            ("SessionList", object(required: ["sessions"], ["sessions": array(ref("Session"))])),
            (
                "Me",
                object(
                    required: ["user", "tenant", "permissions", "session_id"],
                    [
                        "user": ref("User"), "tenant": ref("Tenant"), "permissions": texts, "session_id": text,
                    ])
            ),
            ("RoleCreate", object(required: ["name", "permissions"], ["name": text, "permissions": texts])),
            (
                "RoleInfo",
                object(required: ["name", "built_in", "permissions"], ["name": text, "built_in": boolean, "permissions": texts])
            ),
            ("RoleList", object(required: ["roles"], ["roles": array(ref("RoleInfo"))])),
            ("SigningKey", object(required: ["kid"], ["kid": text])),
            ("PasswordChange", object(required: ["current_password", "new_password"], ["current_password": text, "new_password": text])),
        ]
    }

    private static let tokenFields = ["access_token", "refresh_token", "expires_in", "token_type", "session_id", "user_id", "tenant_id"]
}
