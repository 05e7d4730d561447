import AerolithJSON
import ArgumentParser
import Foundation

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage the tenant's users (needs users:manage).",
        subcommands: [List.self, Create.self, Show.self, Update.self, Delete.self, Password.self]
    )

    static let headers = ["ID", "EMAIL", "NAME", "STATUS", "ROLES"]

    static func row(_ user: JSONValue) -> [String] {
        ["id", "email", "display_name", "status"].map { Table.text(user, $0) }
            + [Table.items(user, "roles").compactMap(\.stringValue).joined(separator: ",")]
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let client = try options.client()
                var users: [JSONValue] = []
                var cursor: String?
                repeat {
                    let reply = try await client.send(.GET, "/v1/users?limit=1000" + (cursor.map { "&cursor=\($0.pathEscaped)" } ?? ""))
                    guard let body = reply.body else { break }
                    users += Table.items(body, "users")
                    cursor = body.objectValue?["next_cursor"]?.stringValue
                } while cursor != nil
                options.output(.object(JSONObject(members: [.init(key: "users", value: .array(users))]))) {
                    Table.render(UserCommand.headers, Table.items($0, "users").map(UserCommand.row))
                }
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user with a first password.")
        @Argument(help: "The user's email.") var email: String
        @Option(help: "Comma-separated roles (default viewer).") var roles: String?
        @Option(help: "Display name (default: the part of the email before @).") var name: String?
        @OptionGroup var password: PasswordOptions
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                var body = JSONObject(members: [
                    .init(key: "email", value: .string(email)), .init(key: "password", value: .string(try password.password())),
                ])
                if let name { body.set("display_name", .string(name)) }
                if let roles = commaSeparated(roles) { body.set("roles", roles) }
                let reply = try await options.client().send(.POST, "/v1/users", body: .object(body))
                options.output(reply.body) { Table.render(UserCommand.headers, [UserCommand.row($0)]) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a user.")
        @Argument(help: "The user id.") var id: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.GET, "/v1/users/\(id.pathEscaped)")
                options.output(reply.body) { Table.render(UserCommand.headers, [UserCommand.row($0)]) }
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a user's roles, status (active, suspended) or name.")
        @Argument(help: "The user id.") var id: String
        @Option(help: "Comma-separated roles.") var roles: String?
        @Option(help: "active or suspended.") var status: String?
        @Option(help: "Display name.") var name: String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                var body = JSONObject()
                if let roles = commaSeparated(roles) { body.set("roles", roles) }
                if let status { body.set("status", .string(status)) }
                if let name { body.set("display_name", .string(name)) }
                guard !body.isEmpty else { throw CLIError(.invalidArgument, "give --roles, --status or --name") }
                let reply = try await options.client().send(.PATCH, "/v1/users/\(id.pathEscaped)", body: .object(body))
                options.output(reply.body) { Table.render(UserCommand.headers, [UserCommand.row($0)]) }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user and end their sessions.")
        @Argument(help: "The user id.") var id: String
        @OptionGroup var confirmation: ConfirmationOptions
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let client = try options.client()
                try confirmation.confirm("remove user \(id) and end their sessions")
                _ = try await client.send(.DELETE, "/v1/users/\(id.pathEscaped)")
                options.done("deleted \(id)", [("deleted", .bool(true)), ("user_id", .string(id))])
            }
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Change the signed-in user's password: the current one, then the new one (two lines of --password-stdin, AEROLITH_PASSWORD and AEROLITH_NEW_PASSWORD, or prompts)."
        )
        @OptionGroup var password: PasswordOptions
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let current = try password.password(prompt: "Current password: ")
                let new = try password.password(prompt: "New password: ", environment: "AEROLITH_NEW_PASSWORD")
                let body = JSONObject(members: [
                    .init(key: "current_password", value: .string(current)), .init(key: "new_password", value: .string(new)),
                ])
                _ = try await options.client().send(.POST, "/v1/me/password", body: .object(body))
                options.done("password changed; your other sessions have ended", [("password_changed", .bool(true))])
            }
        }
    }
}

struct RoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "role", abstract: "List roles and manage the tenant's custom roles (needs users:manage).",
        subcommands: [List.self, Create.self, Delete.self]
    )

    static func row(_ role: JSONValue) -> [String] {
        [
            Table.text(role, "name"), Table.text(role, "built_in"),
            Table.items(role, "permissions").compactMap(\.stringValue).joined(separator: " "),
        ]
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List built-in and custom roles with their permissions.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.GET, "/v1/roles")
                options.output(reply.body) {
                    Table.render(["NAME", "BUILT-IN", "PERMISSIONS"], Table.items($0, "roles").map(RoleCommand.row))
                }
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Define a custom role.")
        @Argument(help: "The role name.") var name: String
        @Option(help: "Comma-separated permissions, e.g. documents:read,documents:write.") var permissions: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let body = JSONObject(members: [
                    .init(key: "name", value: .string(name)),
                    .init(key: "permissions", value: commaSeparated(permissions) ?? .array([])),
                ])
                let reply = try await options.client().send(.POST, "/v1/roles", body: .object(body))
                options.output(reply.body) { Table.render(["NAME", "BUILT-IN", "PERMISSIONS"], [RoleCommand.row($0)]) }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a custom role nobody holds.")
        @Argument(help: "The role name.") var name: String
        @OptionGroup var confirmation: ConfirmationOptions
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let client = try options.client()
                try confirmation.confirm("remove the custom role \(name)")
                _ = try await client.send(.DELETE, "/v1/roles/\(name.pathEscaped)")
                options.done("deleted role \(name)", [("deleted", .bool(true)), ("role", .string(name))])
            }
        }
    }
}
