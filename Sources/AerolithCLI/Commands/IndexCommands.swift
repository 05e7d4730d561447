import AerolithJSON
import ArgumentParser

struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "Manage a collection's secondary indexes on JSON paths (needs collections:manage to change).",
        subcommands: [Create.self, List.self, Drop.self]
    )

    static let headers = ["NAME", "PATHS", "UNIQUE", "STATE", "CREATED"]

    static func row(_ index: JSONValue) -> [String] {
        var state = Table.text(index, "state")
        if let failure = index.objectValue?["failure"]?.stringValue { state += " (\(failure))" }
        return [
            Table.text(index, "name"), Table.items(index, "paths").compactMap(\.stringValue).joined(separator: ","),
            Table.text(index, "unique"), state, Table.text(index, "created_at"),
        ]
    }

    static func path(_ collection: String) -> String { "/v1/collections/\(collection.pathEscaped)/indexes" }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an index; a large collection's index is built in the background (state building, then ready).",
            discussion: "Example: aerolith index create users by_city --paths address.city"
        )
        @Argument(help: "The collection.") var collection: String
        @Argument(help: "The index name.") var name: String
        @Option(help: "Comma-separated JSON paths, e.g. address.city,age.") var paths: String
        @Flag(help: "Refuse two documents with the same values.") var unique = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let body = JSONObject(members: [
                    .init(key: "name", value: .string(name)), .init(key: "paths", value: commaSeparated(paths) ?? .array([])),
                    .init(key: "unique", value: .bool(unique)),
                ])
                let reply = try await options.client().send(.POST, IndexCommand.path(collection), body: .object(body))
                options.output(reply.body) { Table.render(IndexCommand.headers, [IndexCommand.row($0)]) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a collection's indexes and their state.")
        @Argument(help: "The collection.") var collection: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.GET, IndexCommand.path(collection))
                options.output(reply.body) { Table.render(IndexCommand.headers, Table.items($0, "indexes").map(IndexCommand.row)) }
            }
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop an index (asks first, or --yes); the documents stay.")
        @Argument(help: "The collection.") var collection: String
        @Argument(help: "The index name.") var name: String
        @OptionGroup var confirmation: ConfirmationOptions
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let client = try options.client()
                try confirmation.confirm("drop index \(name) of collection \(collection)")
                _ = try await client.send(.DELETE, IndexCommand.path(collection) + "/\(name.pathEscaped)")
                options.done(
                    "dropped index \(name)", [("dropped", .bool(true)), ("collection", .string(collection)), ("index", .string(name))])
            }
        }
    }
}
