import AerolithPlatform
import OpenAPIKit

/// Tenants and API keys.
extension OpenAPIComponents {
    static var platformSchemas: [(OpenAPI.ComponentKey, JSONSchema)] {
        [
            (
                "TenantSlug",
                .string(
                    description:
                        "Unique and never changed; lowercase letters, digits and single hyphens. Reserved words are refused (invalid_slug).",
                    minLength: TenantSlug.lengthCharactersMin, maxLength: TenantSlug.lengthCharactersMax,
                    pattern: "^[a-z0-9]+(-[a-z0-9]+)*$"
                )
            ),
            (
                "TenantCreate",
                object(
                    required: ["name"],
                    [
                        "name": .string(minLength: 1, maxLength: PlatformLimits.tenantNameLengthBytesMax), "plan": plan,
                        "slug": ref("TenantSlug"),
                    ])
            ),
            (
                "Tenant",
                object(
                    required: ["id", "slug", "name", "plan", "status", "created_at", "placement"],
                    [
                        "id": text, "slug": text, "name": text, "plan": text,
                        "slug_derived": .boolean(
                            description: "On creation only: true when the slug was derived from the name (none was given)"),
                        "status": activeOrSuspended, "created_at": timestamp,
                        "placement": object(required: ["database", "table_prefix"], ["database": text, "table_prefix": text]),
                    ])
            ),
            ("TenantPage", object(required: ["tenants", "next_cursor"], ["tenants": array(ref("Tenant")), "next_cursor": nullableText])),
            ("TenantUpdate", object(["status": activeOrSuspended, "plan": plan])),
            (
                "KeyCreate",
                object(
                    required: ["name"],
                    [
                        "name": .string(minLength: 1, maxLength: PlatformLimits.keyNameLengthBytesMax), "role": text, "permissions": texts,
                        "collections": texts,
                    ])
            ),
            (
                "Key",
                object(
                    required: keyFields,
                    [
                        "id": text, "tenant_id": nullableText, "name": text, "role": nullableText,
                        "permissions": array(text, nullable: true), "collections": array(text, nullable: true), "hint": text,
                        "created_at": timestamp, "revoked_at": anyOf(timestamp, null),
                    ])
            ),
            // A key as created: its secret, and never revoked yet.
            (
                "KeyWithSecret",
                object(
                    required: ["key"] + keyFields,
                    [
                        "id": text, "key": .string(description: "The secret; shown only once"), "tenant_id": nullableText, "name": text,
                        "role": nullableText, "permissions": array(text, nullable: true), "collections": array(text, nullable: true),
                        "hint": text, "created_at": timestamp, "revoked_at": null,
                    ])
            ),
            ("KeyList", object(required: ["keys"], ["keys": array(ref("Key"))])),
        ]
    }

    private static let keyFields = ["id", "tenant_id", "name", "role", "permissions", "collections", "hint", "created_at", "revoked_at"]
}
