import AerolithJSON
import ArgumentParser

struct CollectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collection", abstract: "Manage the tenant's collections (needs a tenant key).",
        subcommands: [Create.self, List.self, Show.self, Drop.self]
    )

    static let headers = ["NAME", "DOCUMENTS", "BYTES", "CREATED"]

    static func row(_ collection: JSONValue) -> [String] {
        ["name", "document_count", "size_bytes", "created_at"].map { Table.text(collection, $0) }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a collection.")
        @Argument(help: "The collection name.") var name: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let body = JSONValue.object(JSONObject(members: [.init(key: "name", value: .string(name))]))
                let reply = try await options.client().send(.POST, "/v1/collections", body: body)
                options.output(reply.body) { Table.render(CollectionCommand.headers, [CollectionCommand.row($0)]) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List collections with their sizes.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.GET, "/v1/collections")
                options.output(reply.body) {
                    Table.render(CollectionCommand.headers, Table.items($0, "collections").map(CollectionCommand.row))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one collection and its size.")
        @Argument(help: "The collection name.") var name: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.GET, "/v1/collections/\(name.pathEscaped)")
                options.output(reply.body) { Table.render(CollectionCommand.headers, [CollectionCommand.row($0)]) }
            }
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop a collection and all its documents and indexes (asks first, or --yes).")
        @Argument(help: "The collection name.") var name: String
        @OptionGroup var confirmation: ConfirmationOptions
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let client = try options.client()
                if !confirmation.yes {
                    // Say what is at stake; the collection must exist for the question to make sense.
                    let info = try await client.send(.GET, "/v1/collections/\(name.pathEscaped)").body
                    try confirmation.confirm("drop collection \(name) and its \(Table.text(info, "document_count")) documents")
                }
                _ = try await client.send(.DELETE, "/v1/collections/\(name.pathEscaped)")
                options.done("dropped \(name)", [("dropped", .bool(true)), ("collection", .string(name))])
            }
        }
    }
}
