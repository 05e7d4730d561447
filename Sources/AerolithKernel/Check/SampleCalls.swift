import Foundation

/// One call of a hook with sample input, through the same dispatch code the server uses.
enum SampleCalls {
    static let tenant = ConformanceCheck.sampleTenant

    static func call(_ hook: HookRegistration, plugin: String, registry: PluginRegistry) -> (Bool, String) {
        let hooks = registry.hooks(forTenant: tenant)
        let requestID = "conformance-check"
        switch hook.kind {
        case .authorize:
            let input = PluginRegistry.AuthorizeInput(
                method: "GET", path: "/v1/collections/sample/documents/1", permission: "documents:read",
                subject: "ak_sample", role: "viewer", collection: "sample")
            switch registry.authorize(hooks, tenantID: tenant, requestID: requestID, input) {
            case .allowed: return (true, "allowed a sample read")
            case .denied(_, let message): return (true, "denied a sample read: \(message)")
            case .failed(let failure): return (false, describe(failure))
            }
        case .documentBeforeWrite:
            let input = PluginRegistry.DocumentWriteInput(
                operation: .create, collection: "sample", documentID: "sample-1",
                body: Array(#"{"sample":true}"#.utf8), previousVersion: 0, version: 0)
            switch registry.beforeWrite(hooks, tenantID: tenant, requestID: requestID, input, isValidBody: isObject) {
            case .accepted(let transformed):
                return (true, transformed == nil ? "accepted a sample create" : "transformed a sample create into a valid object")
            case .rejected(_, let code, let message): return (true, "rejected a sample create with \(code): \(message)")
            case .failed(let failure): return (false, describe(failure))
            }
        case .documentAfterWrite:
            let input = PluginRegistry.DocumentWriteInput(
                operation: .create, collection: "sample", documentID: "sample-1",
                body: Array(#"{"sample":true}"#.utf8), previousVersion: 0, version: 1)
            let failures = registry.afterWrite(hooks, tenantID: tenant, requestID: requestID, input)
            return failures.isEmpty ? (true, "returned OK for a sample create") : (false, describe(failures[0]))
        case .events:
            registry.publish(tenantID: tenant, kind: .document, timeMilliseconds: Int64(Date().timeIntervalSince1970 * 1_000)) {
                Array(#"{"action":"created","collection":"sample","id":"sample-1","version":1,"data":{"sample":true}}"#.utf8)
            }
            registry.events.waitUntilDelivered()
            if let failure = registry.events.lastFailures.withLock({ $0[plugin + "/" + hook.name] }) {
                return (false, describe(failure))
            }
            return (true, "received a sample document event")
        case .authenticate:
            let input = PluginRegistry.AuthenticateInput(
                scheme: "Bearer", credentials: "conformance-check-credential", method: "GET",
                path: "/v1/collections", headersJSON: Array("{}".utf8))
            switch registry.authenticate(requestID: requestID, input) {
            case .passed: return (true, "passed on an unknown credential")
            case .rejected(_, let message): return (true, "rejected an unknown credential: \(message)")
            case .authenticated(_, let claims):
                return isObject(claims)
                    ? (true, "accepted an unknown credential (claims are an object)") : (false, "wrote claims that are not a JSON object")
            case .failed(let failure): return (false, describe(failure))
            }
        case .isolation:
            let tenantJSON = Array(#"{"id":"\#(tenant)","name":"Sample","plan":"starter","status":"active"}"#.utf8)
            switch registry.isolation(.provision, tenantID: tenant, tenantJSON: tenantJSON) {
            case .placement(let database, let prefix):
                let valid = !prefix.isEmpty && StructReader.isIdentifier(prefix, extra: [UInt8(ascii: "_")])
                return (valid, "provisioned \(database):\(prefix)" + (valid ? "" : " — the table prefix must be [a-z][a-z0-9_]*"))
            case .builtIn, .unavailable: return (false, "the strategy was not selected")
            case .failed(let failure): return (false, describe(failure))
            }
        case .route:
            let input = PluginRegistry.RouteInput(
                method: "GET", path: "", query: "", headersJSON: Array("{}".utf8), body: [],
                subject: "ak_sample", role: "admin")
            let tenantID = hook.routePermission == .platformAdmin ? nil : tenant
            switch registry.route(prefix: hook.routePrefix, tenantID: tenantID, requestID: requestID, input) {
            case .response(let status, let body, _):
                return (true, "GET /v1/\(hook.routePrefix) answered \(status) with \(body.count) bytes")
            case .failed(let failure): return (false, describe(failure))
            case .notMounted, .notActive: return (false, "the route was not mounted")
            }
        }
    }

    static func isObject(_ bytes: [UInt8]) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any]
    }

    static func describe(_ failure: HookFailure) -> String {
        "status \(failure.status)" + (failure.message.isEmpty ? "" : ": \(failure.message)")
    }
}
