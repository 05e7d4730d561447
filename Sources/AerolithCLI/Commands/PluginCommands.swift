import AerolithKernel
import AerolithStorage
import ArgumentParser

struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin", abstract: "Inspect and control the server's plugins (needs the platform admin key), or check a plugin file.",
        subcommands: [List.self, Info.self, Enable.self, Disable.self, Reload.self, Activate.self, Deactivate.self, Call.self, Check.self]
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

    /// POST /v1/plugins/{name}/<action>, printing the plugin as it is afterwards.
    static func control(_ action: String, name: String, options: ClientOptions) async throws {
        try await runClient {
            let reply = try await options.client().send(.POST, "/v1/plugins/\(name.pathEscaped)/\(action)")
            options.output(reply.body) { Table.render(PluginCommand.headers, [PluginCommand.row($0)]) }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a plugin: start it and re-activate its recorded tenants.")
        @Argument(help: "The plugin name.") var name: String
        @OptionGroup var options: ClientOptions
        func run() async throws { try await PluginCommand.control("enable", name: name, options: options) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a plugin: detach its hooks and wait for calls in flight.")
        @Argument(help: "The plugin name.") var name: String
        @OptionGroup var options: ClientOptions
        func run() async throws { try await PluginCommand.control("disable", name: name, options: options) }
    }

    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load the plugin's file again; a new version replaces the running one.")
        @Argument(help: "The plugin name.") var name: String
        @OptionGroup var options: ClientOptions
        func run() async throws { try await PluginCommand.control("reload", name: name, options: options) }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Activate a plugin for a tenant.")
        @Argument(help: "The plugin name.") var name: String
        @Option(name: .long, help: "The tenant id (tn_...) or slug.") var tenant: String
        @Option(name: .long, help: "The tenant's settings for the plugin, a JSON object.") var settings: String?
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                var body: JSONValue?
                if let settings {
                    let value = try parseJSONArgument(settings, what: "--settings")
                    guard case .object = value else { throw CLIError(.invalidArgument, "--settings must be a JSON object") }
                    body = .object(JSONObject(members: [.init(key: "settings", value: value)]))
                }
                let reply = try await options.client().send(.POST, "/v1/tenants/\(tenant.pathEscaped)/plugins/\(name.pathEscaped)", body: body)
                options.output(reply.body) { "\(Table.text($0, "plugin")) is active for \(Table.text($0, "tenant_id"))" }
            }
        }
    }

    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deactivate a plugin for a tenant.")
        @Argument(help: "The plugin name.") var name: String
        @Option(name: .long, help: "The tenant id (tn_...) or slug.") var tenant: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.DELETE, "/v1/tenants/\(tenant.pathEscaped)/plugins/\(name.pathEscaped)")
                options.output(reply.body) { "\(Table.text($0, "plugin")) is not active for \(Table.text($0, "tenant_id"))" }
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a plugin file the way the server would load it, without a server.",
            discussion: """
                Loads FILE in isolation, negotiates the ABI, validates the descriptor and its tables, runs the \
                lifecycle callbacks and calls every declared hook once with sample input. Prints PASS or FAIL \
                per item; exits 0 when everything passes, 1 otherwise.
                """
        )
        @Argument(help: "The plugin file (.so).") var file: String
        @Flag(name: .long, help: "Print the report as JSON.") var json = false

        func run() throws {
            let items = ConformanceCheck.run(path: file)
            if json {
                let report = JSONValue.object(JSONObject(members: [
                    .init(key: "file", value: .string(file)),
                    .init(key: "passed", value: .bool(items.allSatisfy(\.passed))),
                    .init(key: "items", value: .array(items.map { item in
                        .object(JSONObject(members: [
                            .init(key: "name", value: .string(item.name)), .init(key: "passed", value: .bool(item.passed)),
                            .init(key: "detail", value: .string(item.detail)),
                        ]))
                    })),
                ]))
                print(JSONWriter.string(report))
            } else {
                for item in items { print("\(item.passed ? "PASS" : "FAIL")  \(item.name): \(item.detail)") }
                print(items.allSatisfy(\.passed) ? "conformance: passed" : "conformance: FAILED")
            }
            if !items.allSatisfy(\.passed) { throw ExitCode(1) }
        }
    }
}
