import AerolithPermissions
import CAerolithPlugin

/// Plugin HTTP routes under /v1/<prefix>, and the isolation strategy.
extension PluginRegistry {
    public struct RouteInput: Sendable {
        public var method: String
        /// After /v1/<prefix>: "" or "/...", percent-encoded.
        public var path: String
        public var query: String
        public var headersJSON: [UInt8]
        public var body: [UInt8]
        public var subject: String
        public var role: String

        public init(method: String, path: String, query: String, headersJSON: [UInt8], body: [UInt8], subject: String, role: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headersJSON = headersJSON
            self.body = body
            self.subject = subject
            self.role = role
        }
    }

    public enum RouteOutcome: Sendable, Equatable {
        /// No enabled plugin mounts the prefix.
        case notMounted
        /// Mounted, but the plugin is not active for the tenant.
        case notActive
        case response(status: Int, body: [UInt8], contentType: String)
        case failed(HookFailure)
    }

    /// The plugin and permission behind /v1/<prefix>, if an enabled plugin mounts it.
    public func mountedRoute(_ prefix: String) -> (plugin: String, permission: Permission)? {
        table.mountedRoutes[prefix]
    }

    /// Calls the route handler for `prefix`; `tenantID` nil for platform-admin routes.
    public func route(prefix: String, tenantID: String?, requestID: String, _ input: RouteInput) -> RouteOutcome {
        let table = table
        let hook: BoundHook
        if let tenantID {
            guard table.mountedRoutes[prefix] != nil else { return .notMounted }
            guard let bound = table.hooks(forTenant: tenantID).routes[prefix] else { return .notActive }
            hook = bound
        } else {
            guard let bound = table.adminRoutes[prefix] else { return .notMounted }
            hook = bound
        }
        return HostBuffers.with(capacityBytes: PluginLimits.outputBodyBytesMax) { body in
            HostBuffers.with(capacityBytes: PluginLimits.contentTypeBytesMax) { contentType in
                var response = aerolith_route_response()
                response.struct_size = UInt32(MemoryLayout<aerolith_route_response>.size)
                response.http_status = 200
                response.body = OpaquePointer(body)
                response.content_type = OpaquePointer(contentType)
                let outcome = withRouteRequest(input) { request in
                    withUnsafeMutablePointer(to: &response) { response in
                        SliceText.with(tenantID ?? "") { tenant in
                            SliceText.with(requestID) { requestSlice in
                                hook.invoke(tenantID: tenant, requestID: requestSlice) { userData, call in
                                    unsafeBitCast(hook.function, to: aerolith_route_fn.self)(userData, call, request, response)
                                }
                            }
                        }
                    }
                }
                guard let outcome else { return .notActive }
                guard outcome.isOK else { return .failed(HookFailure(hook, outcome)) }
                guard (200...599).contains(response.http_status) else {
                    return .failed(HookFailure(hook, message: "the route answered the HTTP status \(response.http_status)"))
                }
                let type = contentType.pointee.text
                guard type.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                    return .failed(HookFailure(hook, message: "the route's content type is not printable ASCII"))
                }
                return .response(
                    status: Int(response.http_status), body: body.pointee.bytes, contentType: type.isEmpty ? "application/json" : type)
            }
        }
    }

    private func withRouteRequest<T>(_ input: RouteInput, _ run: (UnsafePointer<aerolith_route_request>) -> T) -> T {
        SliceText.with(input.method) { method in
            SliceText.with(input.path) { path in
                SliceText.with(input.query) { query in
                    SliceText.with(input.headersJSON) { headers in
                        SliceText.with(input.body) { body in
                            SliceText.with(input.subject) { subject in
                                SliceText.with(input.role) { role in
                                    var request = aerolith_route_request()
                                    request.struct_size = UInt32(MemoryLayout<aerolith_route_request>.size)
                                    request.method = method
                                    request.path = path
                                    request.query = query
                                    request.headers_json = headers
                                    request.body = body
                                    request.subject = subject
                                    request.role = role
                                    return withUnsafePointer(to: &request) { run($0) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Isolation

    public enum IsolationOperation: UInt32, Sendable {
        case provision = 1
        case locate = 2
        case remove = 3
    }

    public enum IsolationOutcome: Sendable, Equatable {
        /// No strategy is selected: the built-in placement applies.
        case builtIn
        /// A strategy is selected but its plugin is not loaded and enabled: no placement may be
        /// decided (guessing could put a tenant's data where the strategy would not look).
        case unavailable(String)
        case placement(database: String, tablePrefix: String)
        case failed(HookFailure)
    }

    /// The selected strategy, as "plugin/hook", if one is selected and enabled.
    public var isolationStrategy: String? { table.isolation?.qualifiedName }

    /// Asks the selected isolation strategy; `tenantJSON` is {"id","name","plan","status"}.
    public func isolation(
        _ operation: IsolationOperation, tenantID: String, tenantJSON: [UInt8],
        removing placement: (database: String, tablePrefix: String)? = nil
    ) -> IsolationOutcome {
        guard let hook = table.isolation else {
            guard let selected = settings.isolationStrategy else { return .builtIn }
            return .unavailable("the isolation strategy \(selected) is not loaded and enabled")
        }
        return HostBuffers.with(capacityBytes: PluginLimits.placementDatabaseBytesMax) { database in
            HostBuffers.with(capacityBytes: PluginLimits.placementPrefixBytesMax) { prefix in
                var result = aerolith_isolation_result()
                result.struct_size = UInt32(MemoryLayout<aerolith_isolation_result>.size)
                result.database = OpaquePointer(database)
                result.table_prefix = OpaquePointer(prefix)
                let outcome = SliceText.with(tenantJSON) { tenant in
                    SliceText.with(placement?.database ?? "") { removedDatabase in
                        SliceText.with(placement?.tablePrefix ?? "") { removedPrefix in
                            var request = aerolith_isolation_request()
                            request.struct_size = UInt32(MemoryLayout<aerolith_isolation_request>.size)
                            request.operation = operation.rawValue
                            request.tenant_json = tenant
                            request.database = removedDatabase
                            request.table_prefix = removedPrefix
                            return withUnsafePointer(to: &request) { request in
                                withUnsafeMutablePointer(to: &result) { result in
                                    SliceText.with(tenantID) { tenantSlice in
                                        hook.invoke(tenantID: tenantSlice, requestID: aerolith_slice()) { userData, call in
                                            unsafeBitCast(hook.function, to: aerolith_isolation_fn.self)(userData, call, request, result)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                guard let outcome else { return .failed(HookFailure(hook, message: "the isolation strategy is being disabled")) }
                guard outcome.isOK else { return .failed(HookFailure(hook, outcome)) }
                if operation == .remove { return .placement(database: "", tablePrefix: "") }
                return .placement(database: database.pointee.text, tablePrefix: prefix.pointee.text)
            }
        }
    }
}
