import AerolithKernel
import AerolithStorage
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
                ResponseJSON.response(.ok, .object(JSONObject(members: [
                    .init(key: "plugins", value: .array(registry.entries.map(Self.json))),
                ])))
            },
            RouteDefinition(
                method: .get, path: "/v1/plugins/{name}", operationID: "getPlugin", summary: "Show a loaded plugin", tag: "plugins",
                access: .permission(.platformAdmin), responses: [.init(status: 200, description: "The plugin", schema: "Plugin")]
            ) { _, context in
                let name = try context.pathParameter("name")
                guard let entry = registry.entry(named: name) else {
                    throw Problem(status: .notFound, code: "plugin_not_found", detail: "no loaded plugin is named \"\(name.prefix(64))\"")
                }
                return ResponseJSON.response(.ok, json(entry))
            },
        ]
    }

    static func json(_ entry: PluginRegistry.Entry) -> JSONValue {
        var object = JSONObject(members: [.init(key: "file", value: .string(entry.path))])
        switch entry.state {
        case .loaded(let plugin):
            object.set("name", .string(plugin.name))
            object.set("version", .string(plugin.version))
            object.set("abi", .string("\(plugin.abiMajor).\(plugin.abiMinor)"))
            object.set("build_id", .string(plugin.buildID))
            object.set("description", .string(plugin.description))
            object.set("state", .string("loaded"))
            object.set("reason", .null)
            object.set("reentrant", .bool(plugin.reentrant))
            object.set("hooks", .array([]))
            object.set("functions", .array(plugin.functions.map { function in
                .object(JSONObject(members: [
                    .init(key: "name", value: .string(function.name)), .init(key: "signature", value: .string(function.signature)),
                    .init(key: "description", value: .string(function.description)),
                ]))
            }))
            object.set("tenants_active", .array([]))
        case .refused(let refusal):
            object.set("name", .null)
            object.set("state", .string("refused"))
            object.set("reason", .object(JSONObject(members: [
                .init(key: "code", value: .string(refusal.code)), .init(key: "detail", value: .string(refusal.description)),
            ])))
        }
        return .object(object)
    }
}
