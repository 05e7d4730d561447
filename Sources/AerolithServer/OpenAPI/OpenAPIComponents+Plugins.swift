import AerolithKernel
import OpenAPIKit

/// Plugins: what is loaded, their exported functions, per-tenant activation.
extension OpenAPIComponents {
    static var pluginSchemas: [(OpenAPI.ComponentKey, JSONSchema)] {
        [
            (
                "Plugin",
                object(
                    required: ["file", "name", "state", "reason"],
                    [
                        "file": text, "name": nullableText, "version": text, "abi": text, "build_id": text, "description": text,
                        "state": choice("enabled", "disabled", "replaced", "refused"), "reentrant": boolean,
                        "reason": anyOf(null, object(required: ["code", "detail"], closed: false, ["code": text, "detail": text])),
                        "hooks": array(
                            object(
                                required: ["name", "kind", "priority", "all_tenants"],
                                [
                                    "name": text, "kind": text, "priority": integer, "all_tenants": boolean, "chain_position": integer,
                                    "route": text, "permission": text,
                                ])),
                        "functions": array(
                            object(
                                required: ["name", "signature"], closed: false,
                                [
                                    "name": text, "signature": text, "description": text,
                                ])),
                        "tenants_active": texts,
                    ])
            ),
            ("FunctionCall", object(["arguments": array(anyOf(.number, boolean), maxItems: FunctionSignature.argumentsCountMax)])),
            ("FunctionResult", object(required: ["result"], ["result": anyOf(.number, boolean, null)])),
            ("PluginList", object(required: ["plugins", "warnings"], ["plugins": array(ref("Plugin")), "warnings": texts])),
            ("PluginActivation", object(["settings": .object(nullable: true)])),
            (
                "PluginActivationState",
                object(
                    required: ["plugin", "tenant_id", "active"],
                    [
                        "plugin": text, "tenant_id": text, "active": boolean,
                    ])
            ),
        ]
    }
}
