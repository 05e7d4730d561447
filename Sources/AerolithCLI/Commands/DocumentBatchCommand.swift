import AerolithJSON
import AerolithStorage
import ArgumentParser

extension DocumentCommand {
    struct Batch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply up to \(StorageLimits.batchOperationsMax) writes to a collection atomically: all or none.",
            discussion: #"""
                Each operation is {"op": "create"|"replace"|"patch"|"delete", "id", "data"|"patch", "if_match"}.
                Example:
                  aerolith doc batch users --operations '[{"op":"create","id":"cid","data":{"name":"Cid"}},{"op":"delete","id":"bob"}]'
                """#
        )
        @Argument(help: "The collection.") var collection: String
        @Option(help: "The operations: a JSON array, or {\"operations\": [...]}, inline, @file, or - for standard input.") var operations:
            String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let body: JSONValue
                switch try parseJSONArgument(operations, what: "--operations") {
                case .array(let list): body = .object(JSONObject(members: [.init(key: "operations", value: .array(list))]))
                case .object(let object): body = .object(object)
                default: throw CLIError(.invalidArgument, "--operations is a JSON array of operations, or {\"operations\": [...]}")
                }
                let reply = try await options.client().send(.POST, "/v1/collections/\(collection.pathEscaped)/batch", body: body)
                options.output(reply.body) { value in
                    Table.render(
                        ["STATUS", "ID", "VERSION"],
                        Table.items(value, "results").map { result in
                            let document = result.objectValue?["document"]
                            return [
                                Table.text(result, "status"), document.map { Table.text($0, "id") } ?? Table.text(result, "id"),
                                document.map { Table.text($0, "version") } ?? "-",
                            ]
                        })
                }
            }
        }
    }
}
