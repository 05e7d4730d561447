import AerolithJSON
import ArgumentParser

struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Manage tenants (needs the platform admin key).",
        subcommands: [Create.self, List.self, Show.self, Update.self]
    )

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend or resume a tenant, or change its plan.")
        @Argument(help: ArgumentHelp(TenantReference.help)) var id: String
        @Option(help: "active or suspended.") var status: String?
        @Option(help: "starter, professional or enterprise.") var plan: String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                var body = JSONObject()
                if let status { body.set("status", .string(status)) }
                if let plan { body.set("plan", .string(plan)) }
                guard !body.isEmpty else { throw CLIError(.invalidArgument, "give --status or --plan") }
                let reply = try await options.client().send(
                    .PATCH, "/v1/tenants/\(try TenantReference.pathSegment(id))", body: .object(body))
                options.output(reply.body) { Table.render(TenantCommand.headers, [TenantCommand.row($0)]) }
            }
        }
    }

    static func row(_ tenant: JSONValue) -> [String] {
        ["id", "slug", "name", "plan", "status", "created_at"].map { Table.text(tenant, $0) }
    }

    static let headers = ["ID", "SLUG", "NAME", "PLAN", "STATUS", "CREATED"]

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant.")
        @Argument(help: "The tenant's display name.") var name: String
        @Option(help: "starter (default), professional or enterprise.") var plan: String?
        @Option(help: "The tenant's unique slug: 3-40 lowercase letters, digits and hyphens (default: derived from the name).") var slug:
            String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                var body = JSONObject(members: [.init(key: "name", value: .string(name))])
                if let plan { body.set("plan", .string(plan)) }
                if let slug { body.set("slug", .string(slug)) }
                let reply = try await options.client().send(.POST, "/v1/tenants", body: .object(body))
                options.output(reply.body) { Table.render(TenantCommand.headers, [TenantCommand.row($0)]) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let client = try options.client()
                var tenants: [JSONValue] = []
                var cursor: String?
                repeat {
                    let query = cursor.map { "&cursor=\($0.pathEscaped)" } ?? ""
                    let reply = try await client.send(.GET, "/v1/tenants?limit=1000\(query)")
                    guard let body = reply.body else { break }
                    tenants += Table.items(body, "tenants")
                    cursor = body.objectValue?["next_cursor"]?.stringValue
                } while cursor != nil
                let all = JSONValue.object(JSONObject(members: [.init(key: "tenants", value: .array(tenants))]))
                options.output(all) { Table.render(TenantCommand.headers, Table.items($0, "tenants").map(TenantCommand.row)) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one tenant.")
        @Argument(help: ArgumentHelp(TenantReference.help)) var id: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.GET, "/v1/tenants/\(try TenantReference.pathSegment(id))")
                options.output(reply.body) { Table.render(TenantCommand.headers, [TenantCommand.row($0)]) }
            }
        }
    }
}
