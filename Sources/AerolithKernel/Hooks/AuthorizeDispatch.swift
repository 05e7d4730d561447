import CAerolithDispatch
import CAerolithPlugin
import Glibc

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

    /// Why a chain refused a request: the per-request form's answer, nil when allowed. One
    /// reference, so the allowed path (nearly every request) hands back a word, not an enum
    /// with payloads to copy and destroy.
    public final class AuthorizeRefusal: Sendable {
        /// `.denied` or `.failed`.
        public let outcome: AuthorizeOutcome

        public init(_ outcome: AuthorizeOutcome) { self.outcome = outcome }
    }

    /// What an authorization input takes from the route a request matched (its method and the
    /// permission it requires), made once per route and lent to every call: both texts in one
    /// allocation, freed with this object.
    public final class AuthorizeRoute: Sendable {
        private let address: UInt
        private let methodByteCount: Int
        private let permissionByteCount: Int

        public init(method: String, permission: String) {
            let bytes = Array(method.utf8) + Array(permission.utf8)
            let block = malloc(max(bytes.count, 1))!
            bytes.withUnsafeBytes { block.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(block), byteCount: $0.count) }
            address = UInt(bitPattern: block)
            methodByteCount = method.utf8.count
            permissionByteCount = permission.utf8.count
        }

        deinit { free(UnsafeMutableRawPointer(bitPattern: address)) }

        var method: aerolith_slice { aerolith_slice(data: UnsafePointer(bitPattern: address), len: methodByteCount) }
        var permission: aerolith_slice { aerolith_slice(data: UnsafePointer(bitPattern: address + UInt(methodByteCount)), len: permissionByteCount) }
    }

    /// Runs the tenant's authorization chain; the first deny stops it.
    public func authorize(_ hooks: TenantHooks, tenantID: String, requestID: String, _ input: AuthorizeInput) -> AuthorizeOutcome {
        guard hooks.hasAuthorize else { return .allowed }
        let route = AuthorizeRoute(method: input.method, permission: input.permission)
        let refusal = SliceText.with(input.path) { path in
            SliceText.with(input.collection) { collection in
                authorize(hooks, route: route, tenantID: tenantID, requestID: requestID,
                          path: UnsafeRawBufferPointer(start: path.data, count: path.len), subject: input.subject, role: input.role,
                          collection: UnsafeRawBufferPointer(start: collection.data, count: collection.len))
            }
        }
        return refusal?.outcome ?? .allowed
    }

    /// The same, with the path and collection borrowed from the caller's request bytes (valid
    /// for the duration of the call): the per-request form, nil when the chain allows. The
    /// route's texts and the tenant's are lent as they are; the others are copied side by side
    /// into a buffer on the stack. The whole walk is this one function (the C walk is inlined
    /// into it): one place in memory, which matters because it is cold on every request.
    public func authorize(_ hooks: TenantHooks, route: AuthorizeRoute, tenantID: String, requestID: String,
                          path: UnsafeRawBufferPointer, subject: String, role: String, collection: UnsafeRawBufferPointer) -> AuthorizeRefusal? {
        guard hooks.hasAuthorize else { return nil }
        let tenantSlice = hooks.tenantSlice
        var texts = InlineTexts()
        guard let tenantRange = tenantSlice == nil ? texts.append(tenantID) : 0..<0, let requestRange = texts.append(requestID),
              let subjectRange = texts.append(subject), let roleRange = texts.append(role) else {
            return authorizeLongTexts(hooks, route: route, tenantID: tenantID, requestID: requestID, path: path, subject: subject, role: role,
                                      collection: collection)
        }
        return texts.withBytes { texts in
            var request = Self.request(route: route, path: path, subject: SliceText.slice(UnsafeRawBufferPointer(rebasing: texts[subjectRange])),
                                       role: SliceText.slice(UnsafeRawBufferPointer(rebasing: texts[roleRange])), collection: collection)
            return runAuthorize(hooks, tenant: tenantSlice ?? SliceText.slice(UnsafeRawBufferPointer(rebasing: texts[tenantRange])),
                                requestID: SliceText.slice(UnsafeRawBufferPointer(rebasing: texts[requestRange])), request: &request)
        }
    }

    /// The same for texts too long for the stack buffer, in an arena sized to them.
    @inline(never)
    private func authorizeLongTexts(_ hooks: TenantHooks, route: AuthorizeRoute, tenantID: String, requestID: String,
                                    path: UnsafeRawBufferPointer, subject: String, role: String,
                                    collection: UnsafeRawBufferPointer) -> AuthorizeRefusal? {
        let byteCount = tenantID.utf8.count + requestID.utf8.count + subject.utf8.count + role.utf8.count
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 1)
        defer { buffer.deallocate() }
        var arena = TextArena(buffer)
        let tenant = hooks.tenantSlice ?? arena.slice(tenantID)
        let requestSlice = arena.slice(requestID)
        var request = Self.request(route: route, path: path, subject: arena.slice(subject), role: arena.slice(role), collection: collection)
        return runAuthorize(hooks, tenant: tenant, requestID: requestSlice, request: &request)
    }

    @inline(__always)
    private static func request(route: AuthorizeRoute, path: UnsafeRawBufferPointer, subject: aerolith_slice, role: aerolith_slice,
                                collection: UnsafeRawBufferPointer) -> aerolith_authorize_request {
        var request = aerolith_authorize_request()
        request.struct_size = UInt32(MemoryLayout<aerolith_authorize_request>.size)
        request.method = route.method
        request.path = SliceText.slice(path)
        request.permission = route.permission
        request.subject = subject
        request.role = role
        request.collection = SliceText.slice(collection)
        return request
    }

    /// The authorization chain, walked by the dispatch C code (`aerolith_dispatch_authorize`):
    /// one call record for the chain, one pass through each gate per run of one plugin's hooks.
    @inline(__always)
    private func runAuthorize(_ hooks: TenantHooks, tenant: aerolith_slice, requestID: aerolith_slice,
                              request: inout aerolith_authorize_request) -> AuthorizeRefusal? {
        var message = HostBufferRecord(capacityBytes: Int(AEROLITH_MESSAGE_BYTES_MAX))
        defer { message.release() }
        var outcome = aerolith_dispatch_outcome()
        let allowed = withUnsafeMutablePointer(to: &message) { message in
            aerolith_dispatch_authorize(UnsafePointer(bitPattern: hooks.authorizeChain), hooks.authorizeCount, tenant, requestID,
                                        OpaquePointer(message), &message.pointee.count, &request,
                                        authorizeBudgetTicks, CurrentCall.key, &outcome)
        }
        // The rare outcomes out of line, so the allowed path stays a few straight cache lines.
        if _slowPath(outcome.slow_ticks > 0) { Self.recordSlowRun(hooks, outcome) }
        if _fastPath(allowed != 0) { return nil }
        return Self.refusal(hooks, outcome, message: message.text)
    }

    @inline(never)
    private static func recordSlowRun(_ hooks: TenantHooks, _ outcome: aerolith_dispatch_outcome) {
        SlowCalls.record(hooks.authorize[outcome.slow_index], milliseconds: DispatchTicks.milliseconds(ticks: outcome.slow_ticks))
    }

    /// What stopped a chain, as the per-request form answers it.
    @inline(never)
    private static func refusal(_ hooks: TenantHooks, _ outcome: aerolith_dispatch_outcome, message: String) -> AuthorizeRefusal {
        let hook = hooks.authorize[outcome.index]
        if outcome.gate_closed != 0 { return AuthorizeRefusal(.failed(HookFailure(unavailable: hook))) }
        if outcome.status != aerolith_status(AEROLITH_OK) {
            return AuthorizeRefusal(.failed(HookFailure(hook, BoundHook.Result(status: outcome.status, message: message))))
        }
        guard outcome.decision == UInt32(AEROLITH_AUTHORIZE_DENY) else {
            return AuthorizeRefusal(.failed(HookFailure(hook, message: "unknown authorization decision \(outcome.decision)")))
        }
        return AuthorizeRefusal(.denied(plugin: hook.instance.name, message: message))
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
                                    let step = HostBuffers.with(capacityBytes: PluginLimits.claimsBytesMax) { claims -> AuthenticateOutcome? in
                                        var result = aerolith_authenticate_result()
                                        result.struct_size = UInt32(MemoryLayout<aerolith_authenticate_result>.size)
                                        result.outcome = UInt32(AEROLITH_AUTHENTICATE_PASS)
                                        result.claims = OpaquePointer(claims)
                                        let outcome = withUnsafePointer(to: &request) { request in
                                            withUnsafeMutablePointer(to: &result) { result in
                                                hook.invoke(tenantID: aerolith_slice(), requestID: requestSlice) { userData, call in
                                                    unsafeBitCast(hook.function, to: aerolith_authenticate_fn.self)(userData, call, request, result)
                                                }
                                            }
                                        }
                                        guard let outcome else { return nil }
                                        guard outcome.isOK else { return .failed(HookFailure(hook, outcome)) }
                                        switch result.outcome {
                                        case UInt32(AEROLITH_AUTHENTICATE_PASS): return nil
                                        case UInt32(AEROLITH_AUTHENTICATE_AUTHENTICATED): return .authenticated(plugin: hook.instance.name, claims: claims.pointee.bytes)
                                        case UInt32(AEROLITH_AUTHENTICATE_REJECTED): return .rejected(plugin: hook.instance.name, message: outcome.message)
                                        default: return .failed(HookFailure(hook, message: "unknown authentication outcome \(result.outcome)"))
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
