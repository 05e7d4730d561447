import CAerolithPlugin

/// The request-time hooks: authorization and authentication providers.
extension PluginRegistry {
    /// What an authorization hook is asked about one request.
    public struct AuthorizeInput: Sendable {
        public var method: String
        /// Percent-decoded, without the query.
        public var path: String
        public var permission: String
        public var subject: String
        public var role: String
        public var collection: String

        public init(method: String, path: String, permission: String, subject: String, role: String, collection: String) {
            self.method = method
            self.path = path
            self.permission = permission
            self.subject = subject
            self.role = role
            self.collection = collection
        }
    }

    public enum AuthorizeOutcome: Sendable, Equatable {
        case allowed
        case denied(plugin: String, message: String)
        case failed(HookFailure)
    }

    /// Runs the tenant's authorization chain in chain order; the first deny or failure stops it.
    /// A hook that cannot be called (its gate is closed: the plugin is being re-activated,
    /// deactivated or disabled) refuses: a check that cannot run never reads as an allow.
    public func authorize(_ hooks: TenantHooks, tenantID: String, requestID: String, _ input: AuthorizeInput) -> AuthorizeOutcome {
        guard hooks.hasAuthorize else { return .allowed }
        return SliceText.with(tenantID) { tenant in
            SliceText.with(requestID) { requestSlice in
                SliceText.with(input.method) { method in
                    SliceText.with(input.path) { path in
                        SliceText.with(input.permission) { permission in
                            SliceText.with(input.subject) { subject in
                                SliceText.with(input.role) { role in
                                    SliceText.with(input.collection) { collection in
                                        var request = aerolith_authorize_request()
                                        request.struct_size = UInt32(MemoryLayout<aerolith_authorize_request>.size)
                                        request.method = method
                                        request.path = path
                                        request.permission = permission
                                        request.subject = subject
                                        request.role = role
                                        request.collection = collection
                                        return withUnsafePointer(to: &request) { request in
                                            Self.runAuthorize(hooks.authorize, tenant: tenant, requestID: requestSlice, request: request)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static func runAuthorize(
        _ chain: [BoundHook], tenant: aerolith_slice, requestID: aerolith_slice,
        request: UnsafePointer<aerolith_authorize_request>
    ) -> AuthorizeOutcome {
        for hook in chain {
            var result = aerolith_authorize_result()
            result.struct_size = UInt32(MemoryLayout<aerolith_authorize_result>.size)
            result.decision = UInt32(AEROLITH_AUTHORIZE_ALLOW)
            let outcome = withUnsafeMutablePointer(to: &result) { result in
                hook.invoke(tenantID: tenant, requestID: requestID) { userData, call in
                    unsafeBitCast(hook.function, to: aerolith_authorize_fn.self)(userData, call, request, result)
                }
            }
            guard let outcome else { return .failed(HookFailure(unavailable: hook)) }
            guard outcome.isOK else { return .failed(HookFailure(hook, outcome)) }
            switch result.decision {
            case UInt32(AEROLITH_AUTHORIZE_ALLOW): continue
            case UInt32(AEROLITH_AUTHORIZE_DENY): return .denied(plugin: hook.instance.name, message: outcome.message)
            default: return .failed(HookFailure(hook, message: "unknown authorization decision \(result.decision)"))
            }
        }
        return .allowed
    }

    /// What an authentication provider sees of a request.
    public struct AuthenticateInput: Sendable {
        public var scheme: String
        public var credentials: String
        public var method: String
        public var path: String
        public var headersJSON: [UInt8]

        public init(scheme: String, credentials: String, method: String, path: String, headersJSON: [UInt8]) {
            self.scheme = scheme
            self.credentials = credentials
            self.method = method
            self.path = path
            self.headersJSON = headersJSON
        }
    }

    public enum AuthenticateOutcome: Sendable, Equatable {
        /// No provider recognised the credential.
        case passed
        /// The claims JSON a provider wrote; the caller validates it.
        case authenticated(plugin: String, claims: [UInt8])
        case rejected(plugin: String, message: String)
        case failed(HookFailure)
    }

    public var hasAuthenticationProviders: Bool { !table.authenticate.isEmpty }

    /// Runs the authentication providers in chain order until one claims the credential.
    public func authenticate(requestID: String, _ input: AuthenticateInput) -> AuthenticateOutcome {
        let chain = table.authenticate
        guard !chain.isEmpty else { return .passed }
        return SliceText.with(requestID) { requestSlice in
            SliceText.with(input.scheme) { scheme in
                SliceText.with(input.credentials) { credentials in
                    SliceText.with(input.method) { method in
                        SliceText.with(input.path) { path in
                            SliceText.with(input.headersJSON) { headers in
                                var request = aerolith_authenticate_request()
                                request.struct_size = UInt32(MemoryLayout<aerolith_authenticate_request>.size)
                                request.scheme = scheme
                                request.credentials = credentials
                                request.method = method
                                request.path = path
                                request.headers_json = headers
                                for hook in chain {
                                    let step = HostBuffers.with(capacityBytes: PluginLimits.claimsBytesMax) {
                                        claims -> AuthenticateOutcome? in
                                        var result = aerolith_authenticate_result()
                                        result.struct_size = UInt32(MemoryLayout<aerolith_authenticate_result>.size)
                                        result.outcome = UInt32(AEROLITH_AUTHENTICATE_PASS)
                                        result.claims = OpaquePointer(claims)
                                        let outcome = withUnsafePointer(to: &request) { request in
                                            withUnsafeMutablePointer(to: &result) { result in
                                                hook.invoke(tenantID: aerolith_slice(), requestID: requestSlice) { userData, call in
                                                    unsafeBitCast(hook.function, to: aerolith_authenticate_fn.self)(
                                                        userData, call, request, result)
                                                }
                                            }
                                        }
                                        guard let outcome else { return nil }
                                        guard outcome.isOK else { return .failed(HookFailure(hook, outcome)) }
                                        switch result.outcome {
                                        case UInt32(AEROLITH_AUTHENTICATE_PASS): return nil
                                        case UInt32(AEROLITH_AUTHENTICATE_AUTHENTICATED):
                                            return .authenticated(plugin: hook.instance.name, claims: claims.pointee.bytes)
                                        case UInt32(AEROLITH_AUTHENTICATE_REJECTED):
                                            return .rejected(plugin: hook.instance.name, message: outcome.message)
                                        default:
                                            return .failed(HookFailure(hook, message: "unknown authentication outcome \(result.outcome)"))
                                        }
                                    }
                                    if let step { return step }
                                }
                                return .passed
                            }
                        }
                    }
                }
            }
        }
    }
}
