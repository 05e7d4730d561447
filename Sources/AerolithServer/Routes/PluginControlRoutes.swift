import AerolithJSON
import AerolithKernel
import AerolithPlatform
import Hummingbird

/// Run-time control of plugins: enable, disable and reload globally; activate and deactivate
/// per tenant. Platform admin only. Every change is recorded and survives restarts.
enum PluginControlRoutes {
    static func routes(_ services: ServerServices) -> [RouteDefinition] {
        let registry = services.plugins
        let platform = services.platform
        func control(_ action: String, summary: String, _ perform: @escaping @Sendable (String) throws -> Void) -> RouteDefinition {
            RouteDefinition(
                method: .post, path: "/v1/plugins/{name}/\(action)", operationID: "\(action)Plugin", summary: summary, tag: "plugins",
                access: .permission(.platformAdmin),
                responses: [
                    .init(status: 200, description: "The plugin now", schema: "Plugin"),
                    .init(status: 422, description: "The plugin failed to start, or its new file was refused", schema: "Problem"),
                ]
            ) { _, context in
                let name = try context.pathParameter("name")
                try await services.blocking(for: context) { try perform(name) }
                guard let entry = registry.entry(named: name) else {
                    throw PluginControlError(.pluginNotFound, "plugin \"\(name)\" is gone")
                }
                return ResponseJSON.response(.ok, PluginRoutes.json(entry, chains: registry.chains.order))
            }
        }
        return [
            control("enable", summary: "Enable a plugin: start it and re-activate the tenants recorded for it") { try registry.enable($0) },
            control("disable", summary: "Disable a plugin: detach its hooks, wait for calls in flight, deactivate every tenant") {
                try registry.disable($0)
            },
            control("reload", summary: "Load the plugin's file again now; a new version takes the running one's place atomically") {
                _ = try registry.reload($0)
            },
            RouteDefinition(
                method: .post, path: "/v1/tenants/{tenant}/plugins/{name}", operationID: "activatePlugin",
                summary: "Activate a plugin for a tenant, with optional settings handed to its on_activate", tag: "plugins",
                access: .permission(.platformAdmin), requestSchema: "PluginActivation",
                responses: [
                    .init(status: 200, description: "Active", schema: "PluginActivationState"),
                    .init(status: 409, description: "The plugin is disabled", schema: "Problem"),
                    .init(status: 422, description: "The plugin's on_activate failed", schema: "Problem"),
                ]
            ) { request, context in
                let tenant = try await platform.tenant(named: try context.pathParameter("tenant"))
                let name = try context.pathParameter("name")
                var settings = Array("{}".utf8)
                if request.headers[.contentLength].map({ $0 != "0" }) ?? (request.headers[.transferEncoding] != nil) {
                    let fields = try RequestFields(try await RequestBody.object(request, context: context), allowed: ["settings"])
                    switch fields.object["settings"] {
                    case nil, .null?: break
                    case .object(let object)?:
                        settings = JSONWriter.bytes(.object(object))
                        guard settings.count <= PluginLimits.settingsBytesMax else {
                            throw ServerError(.invalidParameter, "\"settings\" is larger than \(PluginLimits.settingsBytesMax) bytes")
                        }
                    case let other?: throw ServerError(.invalidParameter, "\"settings\" must be an object, not \(other.typeName)")
                    }
                }
                let chosen = settings
                try await services.blocking(for: context) { try registry.activate(name, tenantID: tenant.id, settings: chosen) }
                return ResponseJSON.response(.ok, activation(plugin: name, tenant: tenant.id, active: true))
            },
            RouteDefinition(
                method: .delete, path: "/v1/tenants/{tenant}/plugins/{name}", operationID: "deactivatePlugin",
                summary: "Deactivate a plugin for a tenant (waits for the tenant's calls in flight)", tag: "plugins",
                access: .permission(.platformAdmin),
                responses: [.init(status: 200, description: "Not active", schema: "PluginActivationState")]
            ) { _, context in
                let tenant = try await platform.tenant(named: try context.pathParameter("tenant"))
                let name = try context.pathParameter("name")
                try await services.blocking(for: context) { try registry.deactivate(name, tenantID: tenant.id) }
                return ResponseJSON.response(.ok, activation(plugin: name, tenant: tenant.id, active: false))
            },
        ]
    }

    static func activation(plugin: String, tenant: String, active: Bool) -> JSONValue {
        .object(
            JSONObject(members: [
                .init(key: "plugin", value: .string(plugin)), .init(key: "tenant_id", value: .string(tenant)),
                .init(key: "active", value: .bool(active)),
            ]))
    }
}
