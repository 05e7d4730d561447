import AerolithJSON
import AerolithStorage
import ArgumentParser

struct DocumentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doc", abstract: "Read and write documents (needs a tenant key).",
        subcommands: [Put.self, Get.self, Patch.self, Delete.self, Query.self, Batch.self]
    )

    static let headers = ["ID", "VERSION", "UPDATED", "DATA"]
    static let dataColumnCharactersMax = 80

    static func row(_ document: JSONValue) -> [String] {
        var data = Table.text(document, "data")
        if data.count > dataColumnCharactersMax { data = String(data.prefix(dataColumnCharactersMax - 1)) + "…" }
        return [Table.text(document, "id"), Table.text(document, "version"), Table.text(document, "updated_at"), data]
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or replace a document.",
            discussion: "Without an id the server generates one (POST); with an id the document is created or replaced (PUT)."
        )
        @Argument(help: "The collection.") var collection: String
        @Argument(help: "The document id (optional).") var id: String?
        @Option(help: "The document as JSON, @file, or - for standard input.") var data: String
        @Option(help: "Only replace if the document is at this version.") var ifMatch: Int64?
        @Flag(help: "Only create: fail if the document exists.") var createOnly = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let body = try parseJSONArgument(data, what: "--data")
                guard case .object = body else { throw CLIError(.invalidArgument, "--data must be a JSON object") }
                let client = try options.client()
                let reply: APIClient.Reply
                if let id {
                    var headers: [(String, String)] = []
                    if let ifMatch { headers.append(("If-Match", "\"\(ifMatch)\"")) }
                    if createOnly { headers.append(("If-None-Match", "*")) }
                    reply = try await client.send(
                        .PUT, "/v1/collections/\(collection.pathEscaped)/documents/\(id.pathEscaped)", body: body, headers: headers)
                } else {
                    guard ifMatch == nil, !createOnly else { throw CLIError(.invalidArgument, "--if-match and --create-only need an id") }
                    reply = try await client.send(.POST, "/v1/collections/\(collection.pathEscaped)/documents", body: body)
                }
                options.output(reply.body) { Table.render(DocumentCommand.headers, [DocumentCommand.row($0)]) }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read a document.")
        @Argument(help: "The collection.") var collection: String
        @Argument(help: "The document id.") var id: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.GET, "/v1/collections/\(collection.pathEscaped)/documents/\(id.pathEscaped)")
                options.output(reply.body) { Table.render(DocumentCommand.headers, [DocumentCommand.row($0)]) }
            }
        }
    }

    struct Patch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change part of a document with a JSON merge patch (RFC 7396): members given are set, null removes one.",
            discussion: #"Example: aerolith doc patch users ann --data '{"age":32,"nickname":null}' --if-match 1"#
        )
        @Argument(help: "The collection.") var collection: String
        @Argument(help: "The document id.") var id: String
        @Option(help: "The merge patch as JSON, @file, or - for standard input.") var data: String
        @Option(help: "Only patch if the document is at this version.") var ifMatch: Int64?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let patch = try parseJSONArgument(data, what: "--data")
                guard case .object = patch else { throw CLIError(.invalidArgument, "--data must be a JSON object (a merge patch)") }
                let headers = ifMatch.map { [("If-Match", "\"\($0)\"")] } ?? []
                let reply = try await options.client().send(
                    .PATCH, "/v1/collections/\(collection.pathEscaped)/documents/\(id.pathEscaped)",
                    body: patch, headers: headers)
                options.output(reply.body) { Table.render(DocumentCommand.headers, [DocumentCommand.row($0)]) }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a document.")
        @Argument(help: "The collection.") var collection: String
        @Argument(help: "The document id.") var id: String
        @Option(help: "Only delete if the document is at this version.") var ifMatch: Int64?
        @OptionGroup var confirmation: ConfirmationOptions
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let client = try options.client()
                try confirmation.confirm("delete document \(id) of collection \(collection)")
                let headers = ifMatch.map { [("If-Match", "\"\($0)\"")] } ?? []
                _ = try await client.send(
                    .DELETE, "/v1/collections/\(collection.pathEscaped)/documents/\(id.pathEscaped)", headers: headers)
                options.done("deleted \(id)", [("deleted", .bool(true)), ("collection", .string(collection)), ("id", .string(id))])
            }
        }
    }

    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Query a collection.",
            discussion: #"Example: aerolith doc query users --filter '{"age": {"$gte": 18}}' --sort -age,name --limit 20"#
        )
        @Argument(help: "The collection.") var collection: String
        @Option(help: "A filter as JSON, @file, or -.") var filter: String?
        @Option(parsing: .unconditional, help: "Comma-separated sort paths; a leading - sorts descending.") var sort: String?
        @Option(help: "Page size (1-\(StorageLimits.queryLimitMax)).") var limit: Int?
        @Option(help: "The next_cursor of a previous page.") var cursor: String?
        @Flag(help: "Follow next_cursor and print every page.") var all = false
        @Flag(help: "Print the query plan (which index is used) instead of the documents.") var explain = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                var body = JSONObject()
                if let filter { body.set("filter", try parseJSONArgument(filter, what: "--filter")) }
                if let sort { body.set("sort", .array(sort.split(separator: ",").map { .string(String($0)) })) }
                if let limit { body.set("limit", .integer(Int64(limit))) }
                let client = try options.client()
                if explain {
                    body.set("explain", .bool(true))
                    let reply = try await client.send(.POST, "/v1/collections/\(collection.pathEscaped)/query", body: .object(body))
                    options.output(reply.body) { Table.items($0, "plan").compactMap(\.stringValue).joined(separator: "\n") }
                    return
                }
                var documents: [JSONValue] = []
                var next = cursor
                var nextCursor: JSONValue = .null
                repeat {
                    if let next { body.set("cursor", .string(next)) }
                    let reply = try await client.send(.POST, "/v1/collections/\(collection.pathEscaped)/query", body: .object(body))
                    guard let page = reply.body else { break }
                    documents += Table.items(page, "documents")
                    nextCursor = page.objectValue?["next_cursor"] ?? .null
                    next = nextCursor.stringValue
                } while all && next != nil
                let result = JSONValue.object(
                    JSONObject(members: [
                        .init(key: "documents", value: .array(documents)), .init(key: "next_cursor", value: nextCursor),
                    ]))
                options.output(result) { value in
                    var text = Table.render(DocumentCommand.headers, Table.items(value, "documents").map(DocumentCommand.row))
                    if let cursor = value.objectValue?["next_cursor"]?.stringValue { text += "\n\nnext page: --cursor \(cursor)" }
                    return text
                }
            }
        }
    }
}
