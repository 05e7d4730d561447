import CAerolithPluginABI

/// What every Swift callback receives: who the call is for, and the host functions bound to it.
/// Valid only until the callback returns.
public struct Call {
    public let tenantID: String
    public let requestID: String
    public let host: Host
    let raw: UnsafePointer<aerolith_call>

    init(_ raw: UnsafePointer<aerolith_call>, api: UnsafePointer<aerolith_host_api>) {
        self.raw = raw
        tenantID = Slices.string(raw.pointee.tenant_id)
        requestID = Slices.string(raw.pointee.request_id)
        host = Host(api: api, context: raw.pointee.context)
    }

    /// What `onActivate` returned for this tenant, or nil.
    public var tenantState: AnyObject? {
        raw.pointee.tenant_state.map { Unmanaged<AnyObject>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// A plugin, described in Swift. `AerolithPluginKit.initialize` turns it into the C descriptor.
public struct Plugin: Sendable {
    public var name: String
    public var version: String
    public var description: String
    public var buildID: String
    /// Declare only if every callback may run concurrently with any other.
    public var reentrant: Bool
    public var hooks: [Hook]
    /// Plain C functions the host may call by name.
    public var functions: [FunctionExport]
    public var onLoad: (@Sendable (Call) throws -> Void)?
    public var onConfigure: (@Sendable (Call, String) throws -> Void)?
    /// Returns the tenant's state object (kept alive until `onDeactivate`), or nil.
    public var onActivate: (@Sendable (Call, String) throws -> AnyObject?)?
    public var onDeactivate: (@Sendable (Call) throws -> Void)?
    /// Runs once, last: when the plugin is replaced by a new version, when the server stops, or
    /// when `onConfigure` refused it (see the header's on_unload for the exact rules). Stop
    /// threads, release what `onLoad` acquired. A Swift image is never unmapped afterwards.
    public var onUnload: (@Sendable (Call) throws -> Void)?

    public init(
        name: String, version: String, description: String = "", buildID: String = "", reentrant: Bool = true, hooks: [Hook] = [],
        functions: [FunctionExport] = [],
        onLoad: (@Sendable (Call) throws -> Void)? = nil, onConfigure: (@Sendable (Call, String) throws -> Void)? = nil,
        onActivate: (@Sendable (Call, String) throws -> AnyObject?)? = nil, onDeactivate: (@Sendable (Call) throws -> Void)? = nil,
        onUnload: (@Sendable (Call) throws -> Void)? = nil
    ) {
        self.name = name
        self.version = version
        self.description = description
        self.buildID = buildID
        self.reentrant = reentrant
        self.hooks = hooks
        self.functions = functions
        self.onLoad = onLoad
        self.onConfigure = onConfigure
        self.onActivate = onActivate
        self.onDeactivate = onDeactivate
        self.onUnload = onUnload
    }
}

/// One hook: a kind, a name unique within the plugin, an order, and a Swift function.
public struct Hook: Sendable {
    public enum Function: Sendable {
        case authorize(@Sendable (Call, AuthorizeRequest) throws -> AuthorizeDecision)
        case beforeWrite(@Sendable (Call, DocumentWrite) throws -> WriteDecision)
        case afterWrite(@Sendable (Call, DocumentWrite) throws -> Void)
        case events(subscription: EventKinds, @Sendable (Call, [Event]) throws -> Void)
        case authenticate(@Sendable (Call, AuthenticateRequest) throws -> AuthenticateOutcome)
        /// An isolation strategy: returns the placement for `provision` and `locate`; the
        /// value returned for `remove` is ignored (return nil). Selected by the operator.
        case isolation(@Sendable (Call, IsolationRequest) throws -> Placement?)
        case route(prefix: String, permission: RoutePermission, @Sendable (Call, RouteRequest) throws -> RouteResponse)
    }

    public var name: String
    public var priority: Int32
    public var allTenants: Bool
    public var runBefore: [String]
    public var runAfter: [String]
    public var function: Function

    public init(
        _ name: String, priority: Int32 = 0, allTenants: Bool = false, runBefore: [String] = [], runAfter: [String] = [],
        _ function: Function
    ) {
        self.name = name
        self.priority = priority
        self.allTenants = allTenants
        self.runBefore = runBefore
        self.runAfter = runAfter
        self.function = function
    }
}

/// What an authorize hook is told. `permission` is the permission the route requires (any
/// of the platform's, e.g. "documents:read" or "keys:manage"); `role` is what the credential
/// holds (a role name, several joined by ",", or "permissions": see the header's
/// AEROLITH_ROLE_TEXT) — decide on `permission`, not on `role`.
public struct AuthorizeRequest: Sendable {
    public let method: String, path: String, permission: String, subject: String, role: String, collection: String
}

public enum AuthorizeDecision: Sendable {
    case allow
    case deny(String)
}

public struct DocumentWrite: Sendable {
    public enum Operation: UInt32, Sendable {
        case create = 1
        case replace, patch, delete
    }
    public let operation: Operation
    public let collection: String
    public let documentID: String
    /// The document's JSON object text; empty for deletes.
    public let body: String
    public let previousVersion: Int64
    public let version: Int64
}

public enum WriteDecision: Sendable {
    case accept
    /// Store this JSON object text instead.
    case transform(String)
    /// Refuse with a problem code ([a-z][a-z0-9_]*) and a message.
    case reject(code: StaticString, message: String)
}

public struct EventKinds: OptionSet, Sendable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static let usage = EventKinds(rawValue: 1 << 0)
    public static let tenant = EventKinds(rawValue: 1 << 1)
    public static let document = EventKinds(rawValue: 1 << 2)
}

public struct Event: Sendable {
    public let kind: EventKinds
    public let payloadVersion: UInt32
    public let sequence: UInt64
    public let timeMilliseconds: Int64
    /// One JSON object, shaped per kind and payload version (see the header).
    public let payload: String
}

public struct AuthenticateRequest: Sendable {
    public let scheme: String, credentials: String, method: String, path: String, headersJSON: String
}

public enum AuthenticateOutcome: Sendable {
    case pass
    /// Claims: {"subject","tenant_id","role","expires_at_ms"?} as JSON text.
    case authenticated(claimsJSON: String)
    case rejected(String)
}

public struct RouteRequest: Sendable {
    public let method: String, path: String, query: String, headersJSON: String, body: [UInt8], subject: String, role: String
}

public struct RouteResponse: Sendable {
    public var status: UInt32
    public var body: [UInt8]
    public var contentType: String

    public init(status: UInt32 = 200, body: [UInt8], contentType: String = "application/json") {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    public static func json(_ text: String, status: UInt32 = 200) -> RouteResponse {
        RouteResponse(status: status, body: Array(text.utf8))
    }
}
