import AerolithJSON
import AerolithKernel
import Hummingbird

/// The plugins the kernel found: loaded ones with what they offer, refused ones with the reason.
enum PluginRoutes {
    static func routes(_ services: ServerServices) -> [RouteDefinition] {
        let registry = services.plugins
        return [
            RouteDefinition(
                method: .get, path: "/v1/plugins", operationID: "listPlugins",
                summary: "List every plugin file found: loaded plugins and refused files with the reason", tag: "plugins",
                access: .permission(.platformAdmin), responses: [.init(status: 200, description: "The plugins", schema: "PluginList")]
            ) { _, _ in
                let chains = registry.chains
                return ResponseJSON.response(
                    .ok,
                    .object(
                        JSONObject(members: [
                            .init(key: "plugins", value: .array(registry.entries.map { Self.json($0, chains: chains.order) })),
                            .init(key: "warnings", value: .array(chains.warnings.map(JSONValue.string))),
                        ])))
            },
            RouteDefinition(
                method: .get, path: "/v1/plugins/{name}", operationID: "getPlugin",
                summary: "Show the plugin holding a name: version, state, hooks and their chain positions, tenants active", tag: "plugins",
                access: .permission(.platformAdmin), responses: [.init(status: 200, description: "The plugin", schema: "Plugin")]
            ) { _, context in
                let name = try context.pathParameter("name")
                guard let entry = registry.entry(named: name) else {
                    throw PluginControlError(.pluginNotFound, "no loaded plugin is named \"\(name.prefix(64))\"")
                }
                return ResponseJSON.response(.ok, json(entry, chains: registry.chains.order))
            },
            RouteDefinition(
                method: .post, path: "/v1/plugins/{name}/functions/{function}", operationID: "callPluginFunction",
                summary: "Call a plugin's exported C function with JSON arguments of the types its signature declares", tag: "plugins",
                access: .permission(.platformAdmin), requestSchema: "FunctionCall",
                responses: [.init(status: 200, description: "The function's result", schema: "FunctionResult")]
            ) { request, context in
                let fields = try RequestFields(try await RequestBody.object(request, context: context), allowed: ["arguments"])
                var arguments: [FunctionValue] = []
                switch fields.object["arguments"] {
                case nil: break
                case .array(let values)?:
                    for (index, value) in values.enumerated() { arguments.append(try Self.argument(value, position: index)) }
                case let other?: throw ServerError(.invalidParameter, "\"arguments\" must be an array, not \(other.typeName)")
                }
                let name = try context.pathParameter("name")
                let function = try context.pathParameter("function")
                let callArguments = arguments
                let result = try await services.blocking(for: context) {
                    try registry.call(plugin: name, function: function, arguments: callArguments)
                }
                return ResponseJSON.response(.ok, .object(JSONObject(members: [.init(key: "result", value: Self.json(result))])))
            },
        ]
    }

    static func argument(_ value: JSONValue, position: Int) throws -> FunctionValue {
        switch value {
        case .bool(let flag): return .bool(flag)
        case .number(let number):
            if let integer = number.int64Value { return .integer(integer) }
            if let unsigned = UInt64(number.text) { return .unsigned(unsigned) }
            return .real(number.doubleValue)
        default:
            throw ServerError(.invalidParameter, "argument \(position + 1) must be a number or a boolean, not \(value.typeName)")
        }
    }

    static func json(_ value: FunctionValue) -> JSONValue {
        switch value {
        case .integer(let integer): .integer(integer)
        case .unsigned(let unsigned): (try? JSONParser.parse(String(unsigned))) ?? .null
        case .real(let real): real.isFinite ? ((try? JSONParser.parse("\(real)")) ?? .null) : .null
        case .bool(let flag): .bool(flag)
        case .void: .null
        }
    }

    static func json(_ entry: PluginRegistry.Entry, chains: [HookKind: [String]] = [:]) -> JSONValue {
        var object = JSONObject(members: [.init(key: "file", value: .string(entry.path))])
        guard let instance = entry.instance else {
            object.set("name", .null)
            object.set("state", .string(entry.state.name))
            if case .refused(let refusal) = entry.state {
                object.set(
                    "reason",
                    .object(
                        JSONObject(members: [
                            .init(key: "code", value: .string(refusal.code)), .init(key: "detail", value: .string(refusal.description)),
                        ])))
            }
            return .object(object)
        }
        let plugin = instance.plugin
        object.set("name", .string(plugin.name))
        object.set("version", .string(plugin.version))
        object.set("abi", .string("\(plugin.abiMajor).\(plugin.abiMinor)"))
        object.set("build_id", .string(plugin.buildID))
        object.set("description", .string(plugin.description))
        object.set("state", .string(entry.state.name))
        object.set("reason", .null)
        object.set("reentrant", .bool(plugin.reentrant))
        object.set(
            "hooks",
            .array(
                plugin.hooks.map { hook in
                    var member = JSONObject(members: [
                        .init(key: "name", value: .string(hook.name)), .init(key: "kind", value: .string(hook.kind.name)),
                        .init(key: "priority", value: .integer(Int64(hook.priority))),
                        .init(key: "all_tenants", value: .bool(hook.allTenants)),
                    ])
                    if let position = chains[hook.kind]?.firstIndex(of: plugin.name + "/" + hook.name) {
                        member.set("chain_position", .integer(Int64(position)))
                    }
                    if hook.kind == .route {
                        member.set("route", .string("/v1/" + hook.routePrefix))
                        member.set("permission", .string(hook.routePermission?.rawValue ?? ""))
                    }
                    return .object(member)
                }))
        object.set(
            "functions",
            .array(
                plugin.functions.map { function in
                    .object(
                        JSONObject(members: [
                            .init(key: "name", value: .string(function.name)), .init(key: "signature", value: .string(function.signature)),
                            .init(key: "description", value: .string(function.description)),
                        ]))
                }))
        object.set("tenants_active", .array(instance.activeTenants.map(JSONValue.string)))
        return .object(object)
    }
}
