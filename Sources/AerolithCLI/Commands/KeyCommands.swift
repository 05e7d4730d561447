import AerolithJSON
import ArgumentParser

/// API keys. Without `--tenant` a command manages the caller's own tenant's keys
/// (`/v1/keys`, needs `keys:manage`: a signed-in owner or admin, or such a key); with
/// `--tenant` it is the platform admin's route for any tenant (`/v1/tenants/{tenant}/keys`).
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract:
            "Manage API keys: your own tenant's (signed in, or a key with keys:manage), or any tenant's with --tenant and the platform admin key.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    static let headers = ["ID", "NAME", "ROLE", "HINT", "CREATED", "REVOKED"]

    static func row(_ key: JSONValue) -> [String] {
        ["id", "name", "role", "hint", "created_at", "revoked_at"].map { Table.text(key, $0) }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key; its secret is printed once.",
            discussion: """
                Examples:
                  aerolith key create --name backend --role developer                  # your own tenant
                  aerolith key create --name ci --tenant tn_... --key "$ADMIN_KEY"     # platform admin, any tenant
                """
        )
        @Option(help: "A name to recognise the key by.") var name: String
        @Option(help: "A built-in role (owner, admin, developer (default), viewer, billing) or one of the tenant's custom roles.") var role:
            String?
        @Option(help: "Comma-separated permissions, instead of a role.") var permissions: String?
        @Option(help: "Comma-separated collections the key is limited to.") var collections: String?
        @OptionGroup var tenant: OptionalTenantOption
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                var body = JSONObject(members: [.init(key: "name", value: .string(name))])
                if let role { body.set("role", .string(role)) }
                if let permissions = commaSeparated(permissions) { body.set("permissions", permissions) }
                if let collections = commaSeparated(collections) { body.set("collections", collections) }
                let reply = try await options.client().send(.POST, try tenant.path("/keys", own: "/v1/keys"), body: .object(body))
                options.output(reply.body) { key in
                    Table.render(KeyCommand.headers, [KeyCommand.row(key)])
                        + "\n\nkey: \(Table.text(key, "key"))\n(store it now: it is not shown again)"
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (without their secrets).")
        @OptionGroup var tenant: OptionalTenantOption
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.GET, try tenant.path("/keys", own: "/v1/keys"))
                options.output(reply.body) { Table.render(KeyCommand.headers, Table.items($0, "keys").map(KeyCommand.row)) }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Revoke a key; it stops working immediately (asks first, or --yes). A key revoked before is reported as already revoked."
        )
        @Argument(help: "The key id (key_...).") var keyID: String
        @OptionGroup var tenant: OptionalTenantOption
        @OptionGroup var confirmation: ConfirmationOptions
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let client = try options.client()
                let listPath = try tenant.path("/keys", own: "/v1/keys")
                // The revocation answers 204 either way; the listing tells whether it was revoked before.
                let listed = Table.items(try await client.send(.GET, listPath).body ?? .null, "keys")
                    .first { $0.objectValue?["id"]?.stringValue == keyID }
                if let listed, let revokedAt = listed.objectValue?["revoked_at"]?.stringValue {
                    options.done(
                        "\(keyID) was already revoked (at \(revokedAt))",
                        [
                            ("revoked", .bool(true)), ("already_revoked", .bool(true)), ("key_id", .string(keyID)),
                            ("revoked_at", .string(revokedAt)),
                        ])
                    return
                }
                if listed != nil {
                    try confirmation.confirm("revoke key \(keyID) (\(Table.text(listed, "name"))); clients using it stop working")
                }
                _ = try await client.send(.DELETE, listPath + "/\(keyID.pathEscaped)")
                options.done("revoked \(keyID)", [("revoked", .bool(true)), ("already_revoked", .bool(false)), ("key_id", .string(keyID))])
            }
        }
    }
}
