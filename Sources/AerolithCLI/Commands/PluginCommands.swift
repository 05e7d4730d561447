import AerolithStorage
import ArgumentParser

struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin", abstract: "Inspect the server's plugins (needs the platform admin key).",
        subcommands: [List.self, Info.self, Call.self]
    )

    static let headers = ["NAME", "VERSION", "ABI", "STATE", "FILE", "REASON"]

    static func row(_ plugin: JSONValue) -> [String] {
        let reason = plugin.objectValue?["reason"].flatMap { Table.text($0, "code") == "-" ? nil : Table.text($0, "detail") } ?? "-"
        return ["name", "version", "abi", "state", "file"].map { Table.text(plugin, $0) } + [reason]
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List loaded plugins and refused files with the reason.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.GET, "/v1/plugins")
                options.output(reply.body) { Table.render(PluginCommand.headers, Table.items($0, "plugins").map(PluginCommand.row)) }
            }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one loaded plugin and its exported functions.")
        @Argument(help: "The plugin name.") var name: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.GET, "/v1/plugins/\(name.pathEscaped)")
                options.output(reply.body) { plugin in
                    let functions = Table.items(plugin, "functions").map { "  \(Table.text($0, "name")) \(Table.text($0, "signature"))" }
                    return Table.render(PluginCommand.headers, [PluginCommand.row(plugin)])
                        + (functions.isEmpty ? "" : "\n\nfunctions:\n" + functions.joined(separator: "\n"))
                }
            }
        }
    }

    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Call a plugin's exported function.",
            discussion: "Example: aerolith plugin call pricing monthly_price 1200 0.15"
        )
        @Argument(help: "The plugin name.") var name: String
        @Argument(help: "The function name.") var function: String
        @Argument(parsing: .allUnrecognized, help: "Arguments: numbers or true/false, in the signature's order.") var arguments: [String] = []
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                var values: [JSONValue] = []
                for argument in arguments {
                    let value = try parseJSONArgument(argument, what: "argument \(argument)")
                    switch value {
                    case .number, .bool: values.append(value)
                    default: throw CLIError(.invalidArgument, "argument \(argument) is not a number or a boolean")
                    }
                }
                let body = JSONValue.object(JSONObject(members: [.init(key: "arguments", value: .array(values))]))
                let reply = try await options.client().send(.POST, "/v1/plugins/\(name.pathEscaped)/functions/\(function.pathEscaped)", body: body)
                options.output(reply.body) { Table.text($0, "result") }
            }
        }
    }
}
