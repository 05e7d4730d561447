import AerolithJSON
import AerolithKernel
import ArgumentParser

struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin", abstract: "Inspect and control the server's plugins (needs the platform admin key), or check a plugin file.",
        subcommands: [List.self, Info.self, Enable.self, Disable.self, Reload.self, Activate.self, Deactivate.self, Call.self, Check.self]
    )

    static let headers = ["NAME", "VERSION", "ABI", "STATE", "FILE", "REASON"]

    /// One plugin or refused file; REASON holds the refusal's stable code (the detail follows the table).
    static func row(_ plugin: JSONValue) -> [String] {
        ["name", "version", "abi", "state", "file"].map { Table.text(plugin, $0) } + [Table.text(plugin.objectValue?["reason"], "code")]
    }

    /// The table with each refusal's detail below it.
    static func table(_ plugins: [JSONValue]) -> String {
        var text = Table.render(headers, plugins.map(row))
        let details = plugins.compactMap { plugin -> String? in
            guard let reason = plugin.objectValue?["reason"], reason.objectValue != nil else { return nil }
            return "  \(Table.text(plugin, "file")): \(Table.text(reason, "code")): \(Table.text(reason, "detail"))"
        }
        if !details.isEmpty { text += "\n\nrefused:\n" + details.joined(separator: "\n") }
        return text
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the plugins and refused files, one row each, with the refusal code in REASON.",
            discussion:
                "Versions a newer one replaced are listed with --history. Files removed from the plugin directories are no longer listed."
        )
        @Flag(help: "Also list the versions that newer ones replaced (state replaced).") var history = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.GET, "/v1/plugins")
                guard case .object(var body)? = reply.body else { throw CLIError(.invalidResponse, "GET /v1/plugins answered no object") }
                let plugins = Table.items(.object(body), "plugins").filter { history || Table.text($0, "state") != "replaced" }
                body.set("plugins", .array(plugins))
                options.output(.object(body)) { value in
                    var text = PluginCommand.table(plugins)
                    let warnings = Table.items(value, "warnings").compactMap(\.stringValue)
                    if !warnings.isEmpty { text += "\n\nwarnings:\n" + warnings.map { "  " + $0 }.joined(separator: "\n") }
                    return text
                }
            }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one loaded plugin: its hooks and their chain positions, exported functions and the tenants it is active for.")
        @Argument(help: "The plugin name.") var name: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(.GET, "/v1/plugins/\(name.pathEscaped)")
                options.output(reply.body) { plugin in
                    var text = PluginCommand.table([plugin])
                    let description = Table.text(plugin, "description")
                    if description != "-", !description.isEmpty { text += "\n\n\(description)" }
                    text += "\n\nbuild id: \(Table.text(plugin, "build_id")); reentrant: \(Table.text(plugin, "reentrant"))"
                    let hooks = Table.items(plugin, "hooks").map { hook in
                        [
                            Table.text(hook, "name"), Table.text(hook, "kind"), Table.text(hook, "priority"),
                            Table.text(hook, "chain_position"),
                            Table.text(hook, "all_tenants"),
                            hook.objectValue?["route"] == nil ? "-" : "\(Table.text(hook, "route")) (\(Table.text(hook, "permission")))",
                        ]
                    }
                    text +=
                        "\n\nhooks:\n"
                        + (hooks.isEmpty
                            ? "  (none)" : Table.render(["HOOK", "KIND", "PRIORITY", "POSITION", "ALL TENANTS", "ROUTE"], hooks))
                    let functions = Table.items(plugin, "functions").map {
                        [Table.text($0, "name"), Table.text($0, "signature"), Table.text($0, "description")]
                    }
                    if !functions.isEmpty {
                        text += "\n\nfunctions:\n" + Table.render(["FUNCTION", "SIGNATURE", "DESCRIPTION"], functions)
                    }
                    let tenants = Table.items(plugin, "tenants_active").compactMap(\.stringValue)
                    text += "\n\ntenants active: " + (tenants.isEmpty ? "none" : tenants.joined(separator: " "))
                    return text
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
        @Argument(parsing: .allUnrecognized, help: "Arguments: numbers or true/false, in the signature's order.") var arguments: [String] =
            []
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
                let reply = try await options.client().send(
                    .POST, "/v1/plugins/\(name.pathEscaped)/functions/\(function.pathEscaped)", body: body)
                options.output(reply.body) { Table.text($0, "result") }
            }
        }
    }

    /// POST /v1/plugins/{name}/<action>, printing the plugin as it is afterwards.
    static func control(_ action: String, name: String, options: ClientOptions) async throws {
        try await runClient {
            let reply = try await options.client().send(.POST, "/v1/plugins/\(name.pathEscaped)/\(action)")
            options.output(reply.body) { PluginCommand.table([$0]) }
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
        @Option(name: .long, help: ArgumentHelp(TenantReference.help)) var tenant: String
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
                let reply = try await options.client().send(
                    .POST, "/v1/tenants/\(try TenantReference.pathSegment(tenant))/plugins/\(name.pathEscaped)", body: body)
                options.output(reply.body) { "\(Table.text($0, "plugin")) is active for \(Table.text($0, "tenant_id"))" }
            }
        }
    }

    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deactivate a plugin for a tenant.")
        @Argument(help: "The plugin name.") var name: String
        @Option(name: .long, help: ArgumentHelp(TenantReference.help)) var tenant: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await runClient {
                let reply = try await options.client().send(
                    .DELETE, "/v1/tenants/\(try TenantReference.pathSegment(tenant))/plugins/\(name.pathEscaped)")
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
                let report = JSONValue.object(
                    JSONObject(members: [
                        .init(key: "file", value: .string(file)),
                        .init(key: "passed", value: .bool(items.allSatisfy(\.passed))),
                        .init(
                            key: "items",
                            value: .array(
                                items.map { item in
                                    .object(
                                        JSONObject(members: [
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
